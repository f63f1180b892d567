"""Reads on placements and support tasks, limited to the caseloads the user can read."""

import datetime

import django_filters
from django.db.models import Count, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm.models import OutboxEvent, User
from crm.selectors import caseload_filter, outside_any_program
from placements.models import Placement, SupportTask


def placements_visible_to(user) -> QuerySet[Placement]:
    if outside_any_program(user):
        return Placement.objects.none()
    return Placement.objects.filter(caseload_filter(user, prefix="job_seeker__")).select_related(
        "job_seeker", "employer", "job_type", "site"
    )


def placements_editable_by(user) -> QuerySet[Placement]:
    if outside_any_program(user):
        return Placement.objects.none()
    return Placement.objects.filter(caseload_filter(user, prefix="job_seeker__", for_edit=True)).select_related(
        "job_seeker", "employer", "job_type", "site"
    )


def support_tasks_visible_to(user) -> QuerySet[SupportTask]:
    if outside_any_program(user):
        return SupportTask.objects.none()
    return SupportTask.objects.filter(caseload_filter(user, prefix="job_seeker__")).select_related(
        "job_seeker", "placement__employer", "owner", "source_event"
    )


def support_tasks_editable_by(user) -> QuerySet[SupportTask]:
    if outside_any_program(user):
        return SupportTask.objects.none()
    return SupportTask.objects.filter(caseload_filter(user, prefix="job_seeker__", for_edit=True)).select_related(
        "job_seeker", "placement__employer", "owner"
    )


def my_tasks(user, *, today: datetime.date | None = None) -> dict[str, list[SupportTask]]:
    """The logged-in user's open tasks: overdue, due today, due in the coming week
    (a rolling 7 days, so that on a Friday or a Sunday the next days still show)."""
    today = today or timezone.localdate()
    end_of_week = today + datetime.timedelta(days=7)
    tasks = list(
        support_tasks_visible_to(user)
        .filter(owner=user, status=SupportTask.Status.OPEN, due_date__lte=end_of_week)
        .order_by("due_date", "id")
    )
    return {
        "overdue": [task for task in tasks if task.due_date < today],
        "today": [task for task in tasks if task.due_date == today],
        "this_week": [task for task in tasks if task.due_date > today],
    }


def overdue_follow_along_by_specialist(user, *, today: datetime.date | None = None) -> list[dict]:
    """For team leaders and program admins: open follow-along contacts past their due
    date, counted per specialist, with the tasks themselves."""
    today = today or timezone.localdate()
    overdue = support_tasks_visible_to(user).filter(
        kind=SupportTask.Kind.FOLLOW_ALONG, status=SupportTask.Status.OPEN, due_date__lt=today
    )
    counts = dict(overdue.values_list("owner").annotate(n=Count("id")).values_list("owner", "n"))
    owners = User.objects.filter(pk__in=counts).order_by("first_name", "last_name")
    tasks = list(overdue.order_by("due_date", "id"))
    return [
        {"specialist": owner, "count": counts[owner.pk], "tasks": [t for t in tasks if t.owner_id == owner.pk]}
        for owner in owners
    ]


def placement_for_detail(user, pk: int) -> Placement:
    return (
        placements_visible_to(user)
        .select_related("follow_along_plan", "job_end_report", "job_seeker__specialist")
        .prefetch_related("milestones", "accommodations", "benefits_steps", "support_tasks__owner")
        .get(pk=pk)
    )


def placement_timeline(placement: Placement) -> list[dict]:
    """Milestones, events, tasks, accommodations and benefits steps, newest first."""
    items = []
    for event in OutboxEvent.objects.filter(aggregate_type="placement", aggregate_id=placement.pk).select_related(
        "actor"
    ):
        items.append({"when": event.occurred_at, "kind": "event", "event": event})
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
