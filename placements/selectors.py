"""Reads on placements and support tasks, limited to the caseloads the user can read."""

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from crm.selectors import caseload_filter
from placements.models import Placement, SupportTask


def placements_visible_to(user) -> QuerySet[Placement]:
    if not user.is_authenticated or user.organisation_id is None:
        return Placement.objects.none()
    return Placement.objects.filter(caseload_filter(user, prefix="job_seeker__")).select_related(
        "job_seeker", "employer", "job_type", "site"
    )


def support_tasks_visible_to(user) -> QuerySet[SupportTask]:
    if not user.is_authenticated or user.organisation_id is None:
        return SupportTask.objects.none()
    return SupportTask.objects.filter(caseload_filter(user, prefix="job_seeker__")).select_related(
        "job_seeker", "placement", "owner"
    )


class PlacementFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=Placement.Status.choices, empty_label=_("Any status")
    )

    class Meta:
        model = Placement
        fields = ["status"]
