"""What a calendar feed holds, read through the feed owner's access scope as it is at
fetch time: someone who loses access to a job seeker stops seeing them at the next
fetch, and a team feed stops when its owner no longer leads the team."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from crm.access import AccessScope, access_scope
from integrations.calendar.models import CalendarFeed, CalendarPreference, PublishedEvent
from integrations.calendar.tokens import token_hash
from jobdev.models import EmployerContact
from jobdev.selectors import employer_contacts_visible
from placements.models import SupportTask
from placements.selectors import support_tasks_visible


def active_feed(token: str) -> CalendarFeed | None:
    if not token or len(token) > 100:
        return None
    return (
        CalendarFeed.objects.select_related("user__organisation", "team")
        .filter(token_hash=token_hash(token), revoked_at__isnull=True, user__is_active=True)
        .first()
    )


@dataclass(frozen=True)
class Window:
    start: datetime.date
    end: datetime.date

    @classmethod
    def around(cls, today: datetime.date) -> "Window":
        return cls(
            today - datetime.timedelta(days=settings.CALENDAR_PAST_DAYS),
            today + datetime.timedelta(days=settings.CALENDAR_FUTURE_DAYS),
        )

    def datetimes(self, tz) -> tuple[datetime.datetime, datetime.datetime]:
        return (
            datetime.datetime.combine(self.start, datetime.time.min, tzinfo=tz),
            datetime.datetime.combine(self.end + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz),
        )


def _shown_statuses(cancelled: str) -> Q:
    # A cancelled item stays for a grace period, as CANCELLED, so that subscribed
    # calendars remove it; then it leaves the feed.
    grace = timezone.now() - datetime.timedelta(days=settings.CALENDAR_CANCELLED_GRACE_DAYS)
    return ~Q(status=cancelled) | Q(updated_at__gte=grace)


def feed_scope(feed: CalendarFeed) -> AccessScope:
    return access_scope(feed.user)


def feed_visits(feed: CalendarFeed, window: Window, tz) -> QuerySet[EmployerContact]:
    """In-person employer contacts starting in the window: the owner's own (personal
    feed), or those of the team the owner leads (team feed)."""
    scope = feed_scope(feed)
    start, end = window.datetimes(tz)
    visits = employer_contacts_visible(scope).filter(
        mode=EmployerContact.Mode.IN_PERSON, starts_at__gte=start, starts_at__lt=end
    )
    visits = visits.filter(_shown_statuses(EmployerContact.Status.CANCELLED))
    if feed.kind == CalendarFeed.Kind.TEAM:
        # Empty once the owner no longer leads the team.
        visits = visits.filter(specialist_id__in=scope.team_staff(feed.team_id).values("pk"))
    else:
        visits = visits.filter(specialist_id=feed.user_id)
    return visits.select_related("employer", "site", "specialist").order_by("starts_at", "pk")


def _tasks(feed: CalendarFeed, window: Window) -> QuerySet[SupportTask]:
    if feed.kind != CalendarFeed.Kind.PERSONAL:
        return SupportTask.objects.none()
    return (
        support_tasks_visible(feed_scope(feed))
        .filter(owner=feed.user, due_date__gte=window.start, due_date__lte=window.end)
        .filter(_shown_statuses(SupportTask.Status.CANCELLED))
    )


def feed_appointments(feed: CalendarFeed, window: Window) -> QuerySet[SupportTask]:
    return (
        _tasks(feed, window)
        .filter(due_time__isnull=False)
        .select_related("job_seeker", "placement__site", "placement__employer")
        .order_by("due_date", "due_time", "pk")
    )


def feed_all_day_tasks(feed: CalendarFeed, window: Window, preference: CalendarPreference | None):
    if preference is None or not preference.include_tasks:
        return SupportTask.objects.none()
    return (
        _tasks(feed, window)
        .filter(due_time__isnull=True, status=SupportTask.Status.OPEN)
        .select_related("job_seeker")
        .order_by("due_date", "pk")
    )


def published_events(
    *, feed: CalendarFeed | None = None, user=None, uids: list[str] | None = None
) -> dict[str, PublishedEvent]:
    """What went out before, by UID: through `feed`, or (no feed) in `user`'s
    single-event downloads of the events `uids`."""
    if feed is not None:
        rows = PublishedEvent.objects.filter(feed=feed)
    else:
        rows = PublishedEvent.objects.filter(feed__isnull=True, user=user, uid__in=uids or [])
    return {row.uid: row for row in rows}
