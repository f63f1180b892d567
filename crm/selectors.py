"""Reads that leave the core. Each takes the access scope (crm.access), which alone
knows the rules: a record out of scope is not in the queryset, so fetching it by id
answers 404."""

import datetime
from dataclasses import dataclass

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm.access import AccessScope
from crm.models import JobSeeker, Organisation, User


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


# The rapid-job-search badge -----------------------------------------------------


@dataclass(frozen=True)
class RapidSearchBadge:
    """What the rapid-job-search badge of a job seeker says and in which colour.

    `state` is one of:
    - "met": the first employer contact came within the program's limit (green);
    - "late": it came, but after the limit (red);
    - "waiting": in job search without one, well within the limit (neutral);
    - "approaching": without one, from the program's first nudge day up to the limit
      itself (amber);
    - "overdue": without one, past the limit (red).
    `days` is the day of the first contact, or the days in job search so far."""

    state: str
    days: int
    limit: int

    @property
    def css_class(self) -> str:
        return {"met": "status-working", "late": "overdue", "approaching": "warn", "overdue": "overdue"}.get(
            self.state, ""
        )

    @property
    def has_contact(self) -> bool:
        return self.state in ("met", "late")


def rapid_search_badge(
    job_seeker: JobSeeker, organisation: Organisation | None = None, *, today: datetime.date | None = None
) -> RapidSearchBadge | None:
    """The one rule for the rapid-job-search badge, against the job seeker's program's
    threshold (`Organisation.days_to_first_employer_contact`, IPS fidelity: a first
    face-to-face employer contact within N days): day N itself is still within, day
    N+1 is past it, as the team dashboard counts. `organisation` saves a query when the
    caller has it (the scope's); None when there is nothing to show."""
    if organisation is None or organisation.pk != job_seeker.organisation_id:
        organisation = job_seeker.organisation
    limit = organisation.days_to_first_employer_contact
    if job_seeker.first_employer_contact_on is not None:
        days = job_seeker.days_to_first_employer_contact()
        if days is None:
            return None
        return RapidSearchBadge("met" if days <= limit else "late", days, limit)
    days = job_seeker.days_in_job_search(today)
    if days is None:
        return None
    if days > limit:
        state = "overdue"
    elif days >= min(organisation.rapid_search_warning_day, limit):
        state = "approaching"
    else:
        state = "waiting"
    return RapidSearchBadge(state, days, limit)
