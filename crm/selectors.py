"""Reads that leave the core. Each takes the access scope (crm.access), which alone
knows the rules: a record out of scope is not in the queryset, so fetching it by id
answers 404."""

import datetime

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm.access import AccessScope
from crm.models import JobSeeker, User


def job_seekers_visible(scope: AccessScope) -> QuerySet[JobSeeker]:
    return scope.job_seekers()


def job_seekers_editable(scope: AccessScope) -> QuerySet[JobSeeker]:
    return scope.job_seekers(edit=True)


def job_seeker_for_detail(scope: AccessScope, pk: int) -> JobSeeker:
    """A visible job seeker with everything the detail page shows, or OutOfScope (404)."""
    return scope.get(
        scope.job_seekers()
        .select_related("career_profile", "job_preference", "specialist__team")
        .prefetch_related(
            "job_preference__job_types",
            "job_preference__industries",
            "job_preference__avoid_job_types",
            "job_preference__avoid_industries",
            "status_changes__changed_by",
        ),
        pk=pk,
    )


class JobSeekerFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Search"),
        method="search",
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Name, email or town")}),
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=JobSeeker.Status.choices, empty_label=_("Any status")
    )
    specialist = django_filters.ModelChoiceFilter(
        label=_("Specialist"), queryset=User.objects.none(), empty_label=_("Any specialist")
    )
    rapid_search = django_filters.ChoiceFilter(
        label=_("Rapid job search"),
        choices=[],
        empty_label=_("Everyone"),
        method="filter_rapid_search",
    )

    class Meta:
        model = JobSeeker
        fields = ["q", "status", "specialist", "rapid_search"]

    def __init__(self, *args, scope: AccessScope, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["specialist"].queryset = scope.staff()
        # The marks are the program's own settings: its nudge days and its fidelity limit.
        marks = scope.organisation.rapid_search_marks if scope.organisation else []
        self.filters["rapid_search"].extra["choices"] = [
            (f"waiting_{day}", _("No employer contact after %(days)s days") % {"days": day}) for day in marks
        ]

    def filter_rapid_search(self, queryset, name, value):
        days = int(value.rsplit("_", 1)[1])
        return queryset.filter(
            status=JobSeeker.Status.JOB_SEARCH,
            first_employer_contact_on__isnull=True,
            job_search_since__lte=timezone.localdate() - datetime.timedelta(days=days),
        )

    def search(self, queryset, name, value):
        for word in value.split():
            queryset = queryset.filter(
                Q(first_name__icontains=word)
                | Q(last_name__icontains=word)
                | Q(email__icontains=word)
                | Q(town__icontains=word)
            )
        return queryset
