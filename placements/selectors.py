"""Reads on placements and support tasks, through the access scope (crm.access): a
placement and everything hanging from it belongs to a job seeker's caseload, so the
scope's caseload rule decides (`scope.caseload("job_seeker__")`). Out of scope is
missing: fetching one by id raises OutOfScope (404)."""

import datetime

import django_filters
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm import clock
from crm.access import AccessScope, rows_rule
from crm.models import OutboxEvent
from placements.models import (
    MILESTONE_DAYS,
    Accommodation,
    BenefitsStep,
    FollowAlongPlan,
    JobEndReport,
    Milestone,
    Placement,
    PlacementMilestone,
    SupportTask,
)

#: 13-week retention (IPS Grow) is read at a job's day-90 milestone.
RETENTION_DAYS = MILESTONE_DAYS[Milestone.DAY_90]


def placements_reaching_day_90(
    placements: QuerySet[Placement], *, first: datetime.date, last: datetime.date
) -> QuerySet[Placement]:
    """The placements whose day 90 (start + 90 days) falls from `first` to `last`,
    both included: the jobs 13-week retention is asked of, whether or not they lasted
    (a job that ended early never reaches its milestone row)."""
    offset = datetime.timedelta(days=RETENTION_DAYS)
    return placements.filter(start_date__gte=first - offset, start_date__lte=last - offset)


def retained_at_day_90(start_date: datetime.date, end_date: datetime.date | None) -> tuple[datetime.date, bool]:
    """A job's day 90 and whether it was still held then: not ended before day 90."""
    day_90 = start_date + datetime.timedelta(days=RETENTION_DAYS)
    return day_90, end_date is None or end_date >= day_90


@rows_rule(Placement)
def placements_visible(scope: AccessScope) -> QuerySet[Placement]:
    return Placement.objects.filter(scope.caseload("job_seeker__", shared="progress")).select_related(
        "job_seeker", "employer", "job_type", "site"
    )


def placements_editable(scope: AccessScope) -> QuerySet[Placement]:
    return Placement.objects.filter(scope.caseload("job_seeker__", edit=True, shared="progress")).select_related(
        "job_seeker", "employer", "job_type", "site"
    )


#: The support tasks a consent covering follow-along support shares with a partner: the
#: follow-along itself, not benefits planning (a benefits consent's) nor the work after
#: a job end (docs/access-rules.md).
SUPPORT_TASK_KINDS_SHARED = (
    SupportTask.Kind.FOLLOW_ALONG,
    SupportTask.Kind.ACCOMMODATION,
    SupportTask.Kind.RETENTION_CHECK,
    SupportTask.Kind.STEP_DOWN_REVIEW,
)


@rows_rule(SupportTask)
def support_tasks_visible(scope: AccessScope) -> QuerySet[SupportTask]:
    return SupportTask.objects.filter(
        scope.caseload("job_seeker__", shared="support"),
        scope.partner_subset(Q(kind__in=SUPPORT_TASK_KINDS_SHARED)),
    ).select_related("job_seeker", "placement__employer", "owner", "source_event")


def support_tasks_editable(scope: AccessScope) -> QuerySet[SupportTask]:
    return SupportTask.objects.filter(scope.caseload("job_seeker__", edit=True, shared="support")).select_related(
        "job_seeker", "placement__employer", "owner"
    )


@rows_rule(Accommodation)
def accommodations_visible(scope: AccessScope) -> QuerySet[Accommodation]:
    return Accommodation.objects.filter(scope.caseload("placement__job_seeker__", shared="support")).select_related(
        "placement"
    )


def accommodations_editable(scope: AccessScope) -> QuerySet[Accommodation]:
    return Accommodation.objects.filter(scope.caseload("placement__job_seeker__", edit=True, shared="support"))


@rows_rule(BenefitsStep)
def benefits_steps_visible(scope: AccessScope) -> QuerySet[BenefitsStep]:
    return BenefitsStep.objects.filter(scope.caseload("job_seeker__", shared="benefits")).select_related(
        "job_seeker", "placement"
    )


def benefits_steps_editable(scope: AccessScope) -> QuerySet[BenefitsStep]:
    return BenefitsStep.objects.filter(
        scope.caseload("job_seeker__", edit=True, shared="benefits"), scope.partner_assigned("counsellor")
    )


@rows_rule(FollowAlongPlan)
def follow_along_plans_visible(scope: AccessScope) -> QuerySet[FollowAlongPlan]:
    return FollowAlongPlan.objects.filter(scope.caseload("placement__job_seeker__", shared="support")).select_related(
        "placement"
    )


@rows_rule(PlacementMilestone)
def milestones_visible(scope: AccessScope) -> QuerySet[PlacementMilestone]:
    return PlacementMilestone.objects.filter(
        scope.caseload("placement__job_seeker__", shared="progress")
    ).select_related("placement")


@rows_rule(JobEndReport)
def job_end_reports_visible(scope: AccessScope) -> QuerySet[JobEndReport]:
    return JobEndReport.objects.filter(scope.caseload("placement__job_seeker__", shared="report")).select_related(
        "placement"
    )


def my_tasks(scope: AccessScope, *, today: datetime.date | None = None) -> dict[str, list[SupportTask]]:
    """The acting user's open tasks: overdue, due today, due tomorrow (so a follow-along
    contact is arranged the day before), then the rest of the coming week (a rolling 7
    days, so that on a Friday or a Sunday the next days still show). Days are the
    program's. A scope with no user (the program itself) owns no task."""
    if scope.user is None:
        return {"overdue": [], "today": [], "tomorrow": [], "this_week": []}
    today = today or (clock.program_today(scope.organisation) if scope.organisation else timezone.localdate())
    tomorrow = today + datetime.timedelta(days=1)
    end_of_week = today + datetime.timedelta(days=7)
    tasks = list(
        support_tasks_visible(scope)
        .filter(owner_id=scope.user.pk, status=SupportTask.Status.OPEN, due_date__lte=end_of_week)
        .order_by("due_date", "id")
    )
    return {
        "overdue": [task for task in tasks if task.due_date < today],
        "today": [task for task in tasks if task.due_date == today],
        "tomorrow": [task for task in tasks if task.due_date == tomorrow],
        "this_week": [task for task in tasks if task.due_date > tomorrow],
    }


def overdue_follow_along_by_specialist(scope: AccessScope, *, today: datetime.date | None = None) -> list[dict]:
    """For scopes that supervise (team leaders, program admins): open follow-along
    contacts past their due date, counted per specialist, with the tasks themselves.
    Empty for any other scope."""
    if not scope.supervises:
        return []
    today = today or timezone.localdate()
    overdue = support_tasks_visible(scope).filter(
        kind=SupportTask.Kind.FOLLOW_ALONG, status=SupportTask.Status.OPEN, due_date__lt=today
    )
    counts = dict(overdue.values_list("owner").annotate(n=Count("id")).values_list("owner", "n"))
    owners = scope.program_staff().filter(pk__in=counts)
    tasks = list(overdue.order_by("due_date", "id"))
    return [
        {"specialist": owner, "count": counts[owner.pk], "tasks": [t for t in tasks if t.owner_id == owner.pk]}
        for owner in owners
    ]


def placements_of_job_seeker(scope: AccessScope, job_seeker_id: int) -> list[Placement]:
    return list(placements_visible(scope).filter(job_seeker_id=job_seeker_id))


def placement_for_detail(scope: AccessScope, pk: int, *, edit: bool = False) -> Placement:
    """A visible placement (one the scope may act on, with `edit`) with everything its
    page shows, or OutOfScope (404)."""
    return scope.get(
        (placements_editable(scope) if edit else placements_visible(scope))
        .select_related("follow_along_plan", "job_end_report", "job_seeker__specialist")
        .prefetch_related(
            "milestones",
            "accommodations",
            Prefetch("benefits_steps", queryset=BenefitsStep.objects.select_related("counsellor")),
            Prefetch("support_tasks", queryset=SupportTask.objects.select_related("owner", "job_seeker")),
        ),
        pk=pk,
    )


def placement_timeline(placement: Placement) -> list[dict]:
    """Milestones, events, tasks, accommodations and benefits steps, newest first."""
    items = []
    for event in OutboxEvent.objects.filter(aggregate_type="placement", aggregate_id=placement.pk).select_related(
        "actor"
    ):
        milestone = event.payload.get("milestone") if event.topic == "placement.milestone_reached" else None
        label = Milestone(milestone).label if milestone in Milestone.values else milestone
        items.append({"when": event.occurred_at, "kind": "event", "event": event, "milestone_label": label})
    for milestone in placement.milestones.all():
        items.append({"when": milestone.reached_at or milestone.due_date, "kind": "milestone", "milestone": milestone})
    for task in placement.support_tasks.all():
        items.append({"when": task.due_date, "kind": "task", "task": task})

    def sort_key(item):
        when = item["when"]
        if isinstance(when, datetime.datetime):
            return (timezone.localtime(when).date(), 1)
        return (when, 0)

    return sorted(items, key=sort_key, reverse=True)


class PlacementFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=Placement.Status.choices, empty_label=_("Any status")
    )

    class Meta:
        model = Placement
        fields = ["status"]
