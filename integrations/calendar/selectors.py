"""What a calendar feed holds, read through the feed owner's access scope as it is at
fetch time: someone who loses access to a job seeker stops seeing them at the next
fetch, and a team feed stops when its owner no longer leads the team."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.access import AccessScope, access_scope
from crm.clock import program_zone
from integrations.calendar import ical
from integrations.calendar.models import CalendarFeed, CalendarPreference, PublishedEvent
from integrations.calendar.publication import FeedVersion, feed_modified_at, plan
from integrations.calendar.tokens import token_hash
from jobdev.models import EmployerContact
from jobdev.selectors import employer_contacts_visible, with_visible_job_seekers
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


@dataclass(frozen=True)
class FeedContent:
    """A feed as it is now, in its language, but its stamps: what its calendar says
    besides its events (`heading`), and its events."""

    heading: ical.Heading
    views: list[ical.EventView]


def feed_content(feed: CalendarFeed, *, base_url: str) -> FeedContent:
    """What `feed` shows now, its links to the CRM starting with `base_url` (the
    request's scheme and host)."""
    user = feed.user
    organisation = user.organisation
    tz = program_zone(organisation)
    window = Window.around(timezone.localdate(timezone=tz))
    preference = CalendarPreference.objects.filter(user=user).first()
    alarm = preference.alarm_minutes if preference else None
    with ical.in_language(feed.language):
        visits = with_visible_job_seekers(feed_visits(feed, window, tz), feed_scope(feed))
        views = [
            ical.visit_view(visit, organisation=organisation, base_url=base_url, alarm_minutes=alarm)
            for visit in visits
        ]
        views += [
            ical.appointment_view(task, organisation=organisation, tz=tz, base_url=base_url, alarm_minutes=alarm)
            for task in feed_appointments(feed, window)
        ]
        views += [
            ical.all_day_task_view(task, organisation=organisation, base_url=base_url)
            for task in feed_all_day_tasks(feed, window, preference)
        ]
        if feed.kind == CalendarFeed.Kind.TEAM:
            name = _("%(team)s — employer visits") % {"team": feed.team.name}
        else:
            name = _("%(name)s — visits and appointments") % {"name": user.get_full_name() or user.username}
    heading = ical.Heading(name=name, tz=tz, first_date=window.start, last_date=window.end, feed=True)
    return FeedContent(heading=heading, views=views)


def feed_current(feed: CalendarFeed, content: FeedContent) -> FeedVersion:
    """The version `feed` would answer with for `content`, read without a lock or a
    write: `recorded` when every event went out before as it is now, none left, and
    the version is the one the feed last answered with 200 (then it is served as it is,
    with no write). Otherwise the stamps and Last-Modified are provisional, good for
    deciding a 304 only: services.calendar_feed_publish decides them under the feed's
    lock."""
    publication = plan(content.views, published_events(feed=feed), user=feed.user, feed=feed)
    version = ical.version(content.heading, content.views, publication.stamps)
    modified_at, known = feed_modified_at(feed, version, publication.stamps)
    return FeedVersion(
        etag=ical.etag(content.heading, content.views, publication.stamps),
        version=version,
        modified_at=modified_at,
        known=known,
        stamps=publication.stamps,
        recorded=publication.recorded and known and version == feed.served_etag,
    )


def feed_body(feed: CalendarFeed, *, base_url: str) -> bytes:
    """The body a GET of `feed` would answer with now, its links starting with
    `base_url`, without recording anything (the stamps as feed_current decides them):
    the whole build of one feed, for the bench (demo/bench), which times it against the
    same events written by plain string formatting. ical.forget_written_events() first
    times a cold build."""
    content = feed_content(feed, base_url=base_url)
    version = feed_current(feed, content)
    return ical.calendar(content.heading, content.views, version.stamps)
