"""Reads that leave the core, with the access rules every view and API goes through.

- A specialist edits their own caseload and reads their team's (unless the program
  turned team cover off).
- A team leader sees and edits the whole team.
- A program admin sees and edits the whole program.
- Nobody sees another organisation's records: they are simply not in the queryset,
  so fetching one by id answers 404.
"""

import datetime

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm.models import JobSeeker, User


def outside_any_program(user) -> bool:
    """Anonymous users and platform operators see no program's records."""
    return not user.is_authenticated or user.organisation_id is None


def caseload_filter(user, *, prefix: str = "", for_edit: bool = False) -> Q:
    """The Q that limits job-seeker-owned rows to what `user` may read (or edit).

    `prefix` is the path from the queried model to JobSeeker, e.g. "job_seeker__"."""
    organisation = Q(**{f"{prefix}organisation_id": user.organisation_id})
    if user.is_program_admin:
        return organisation
    own = Q(**{f"{prefix}specialist_id": user.pk})
    if user.is_team_leader:
        return organisation & (own | Q(**{f"{prefix}specialist__team__leader_id": user.pk}))
    if not for_edit and user.team_id and user.organisation.team_cover:
        return organisation & (own | Q(**{f"{prefix}specialist__team_id": user.team_id}))
    return organisation & own


def job_seekers_visible_to(user) -> QuerySet[JobSeeker]:
    if outside_any_program(user):
        return JobSeeker.objects.none()
    return JobSeeker.objects.filter(caseload_filter(user)).select_related("specialist")


def job_seekers_editable_by(user) -> QuerySet[JobSeeker]:
    if outside_any_program(user):
        return JobSeeker.objects.none()
    return JobSeeker.objects.filter(caseload_filter(user, for_edit=True)).select_related("specialist")


def job_seeker_for_detail(user, pk: int) -> JobSeeker:
    """A visible job seeker with everything the detail page shows, or DoesNotExist."""
    return (
        job_seekers_visible_to(user)
        .select_related("career_profile", "job_preference", "specialist__team")
        .prefetch_related(
            "job_preference__job_types",
            "job_preference__industries",
            "job_preference__avoid_job_types",
            "job_preference__avoid_industries",
            "status_changes__changed_by",
        )
        .get(pk=pk)
    )


def specialists_assignable_by(user) -> QuerySet[User]:
    """Staff to whom `user` may assign a job seeker."""
    if outside_any_program(user):
        return User.objects.none()
    staff = User.objects.filter(
        organisation_id=user.organisation_id,
        is_active=True,
        role__in=[User.Role.SPECIALIST, User.Role.TEAM_LEADER],
    )
    if user.is_program_admin:
        return staff.order_by("first_name", "last_name")
    if user.is_team_leader:
        return staff.filter(Q(pk=user.pk) | Q(team__leader_id=user.pk)).order_by("first_name", "last_name")
    return staff.filter(pk=user.pk)


def specialists_visible_to(user) -> QuerySet[User]:
    """Staff whose caseloads `user` can read (for filters)."""
    if outside_any_program(user):
        return User.objects.none()
    staff = User.objects.filter(
        organisation_id=user.organisation_id, role__in=[User.Role.SPECIALIST, User.Role.TEAM_LEADER]
    )
    if user.is_program_admin:
        return staff.order_by("first_name", "last_name")
    if user.is_team_leader:
        return staff.filter(Q(pk=user.pk) | Q(team__leader_id=user.pk)).order_by("first_name", "last_name")
    if user.team_id and user.organisation.team_cover:
        return staff.filter(Q(pk=user.pk) | Q(team_id=user.team_id)).order_by("first_name", "last_name")
    return staff.filter(pk=user.pk)


def user_may_edit_job_seeker(user, job_seeker: JobSeeker) -> bool:
    return job_seekers_editable_by(user).filter(pk=job_seeker.pk).exists()


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
        choices=[
            ("waiting_14", _("No employer contact after 14 days")),
            ("waiting_30", _("No employer contact after 30 days")),
        ],
        empty_label=_("Everyone"),
        method="filter_rapid_search",
    )

    class Meta:
        model = JobSeeker
        fields = ["q", "status", "specialist", "rapid_search"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["specialist"].queryset = specialists_visible_to(user)

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
