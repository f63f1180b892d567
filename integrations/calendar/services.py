"""Creating, rotating and revoking calendar feeds (a token is returned once, to be
shown once; only its hash is stored), and publishing events with their stamps."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.access import AccessScope, OutOfScope
from integrations.calendar import ical
from integrations.calendar.ical import EventView, Stamp
from integrations.calendar.models import CalendarFeed, CalendarPreference, PublishedEvent
from integrations.calendar.publication import FeedVersion, Publication, feed_modified_at, plan
from integrations.calendar.selectors import FeedContent, published_events
from integrations.calendar.tokens import new_token, token_hash


@transaction.atomic
def calendar_feed_create(*, scope: AccessScope, kind: str, language: str = "en") -> tuple[CalendarFeed, str]:
    """A new secret feed URL of the scope's user (personal, or the team they lead).
    Returns the feed and its token, to be shown once. Raises OutOfScope (no user in a
    program), ValidationError (unknown feed; a team feed for someone leading no team)."""
    if scope.user is None or not scope.in_program:
        raise OutOfScope
    team = None
    if kind == CalendarFeed.Kind.TEAM:
        team = scope.led_teams().first()
        if team is None:
            raise ValidationError(_("Only team leaders have a team feed."))
    elif kind != CalendarFeed.Kind.PERSONAL:
        raise ValidationError(_("Unknown feed."))
    token = new_token()
    feed = CalendarFeed.objects.create(
        user=scope.user, kind=kind, team=team, token_hash=token_hash(token), language=language[:10]
    )
    return feed, token


def _own_active(scope: AccessScope, feed_id: int) -> CalendarFeed:
    """One of the scope user's live feeds, locked; anyone else's (or a revoked one) is
    out of scope."""
    mine = CalendarFeed.objects.filter(user_id=getattr(scope.user, "pk", None), revoked_at__isnull=True)
    return scope.get_for_update(mine, pk=feed_id)


@transaction.atomic
def calendar_feed_revoke(*, scope: AccessScope, feed_id: int) -> CalendarFeed:
    feed = _own_active(scope, feed_id)
    feed.revoked_at = timezone.now()
    feed.save(update_fields=["revoked_at"])
    return feed


@transaction.atomic
def calendar_feed_rotate(*, scope: AccessScope, feed_id: int) -> tuple[CalendarFeed, str]:
    """A new secret URL for the same feed; the old one stops working at once."""
    old = calendar_feed_revoke(scope=scope, feed_id=feed_id)
    return calendar_feed_create(scope=scope, kind=old.kind, language=old.language)


@transaction.atomic
def calendar_preference_save(
    *, scope: AccessScope, include_tasks: bool, alarm_minutes: int | None
) -> CalendarPreference:
    """The scope user's calendar options: open tasks as all-day entries, and a reminder
    `alarm_minutes` before each visit (None: none). Raises OutOfScope, ValidationError."""
    if scope.user is None:
        raise OutOfScope
    preference, _created = CalendarPreference.objects.get_or_create(user=scope.user)
    preference.include_tasks = include_tasks
    preference.alarm_minutes = alarm_minutes
    preference.full_clean()
    preference.save()
    return preference


def _record(publication: Publication) -> None:
    if publication.new:
        # Downloads are not locked: a download at the same moment may have recorded the
        # same first stamps already.
        PublishedEvent.objects.bulk_create(publication.new, ignore_conflicts=publication.feed is None)
    if publication.changed:
        PublishedEvent.objects.bulk_update(
            publication.changed, ["content", "significant", "record_sequence", "extra_sequence", "modified_at"]
        )
    if publication.gone:
        PublishedEvent.objects.filter(pk__in=publication.gone).delete()


@transaction.atomic
def calendar_events_publish(*, views: list[EventView], user) -> dict[str, Stamp]:
    """Hand out `views` as `user`'s single-event downloads: their stamps, by UID,
    recorded (integrations.calendar.publication says how they are decided)."""
    uids = [view.uid for view in views]
    publication = plan(views, published_events(user=user, uids=uids), user=user)
    _record(publication)
    return publication.stamps


@transaction.atomic
def calendar_feed_publish(*, feed: CalendarFeed, content: FeedContent) -> FeedVersion:
    """Hand out `content` through `feed`: its events' stamps and the feed's version
    (ETag, Last-Modified), decided and recorded in one go. Fetches of one feed take
    turns on the feed's row, and each decides from the row and the published events as
    the one before left them (re-read under the lock, never the copy the request loaded
    before): the second of two fetches hands out the same stamps, a version another
    fetch recorded keeps its Last-Modified, and a new one gets a later Last-Modified
    than any before it, so that no two versions answer If-Modified-Since alike."""
    locked = (
        CalendarFeed.objects.select_for_update()
        .only("pk", "served_etag", "served_modified_at", "last_fetched_at")
        .get(pk=feed.pk)
    )
    publication = plan(content.views, published_events(feed=locked), user=feed.user, feed=locked)
    _record(publication)
    version = ical.version(content.heading, content.views, publication.stamps)
    modified_at, _known = feed_modified_at(locked, version, publication.stamps)
    fields = []
    if (locked.served_etag, locked.served_modified_at) != (version, modified_at):
        locked.served_etag, locked.served_modified_at = version, modified_at
        fields += ["served_etag", "served_modified_at"]
    if _fetch_due(locked):
        locked.last_fetched_at = timezone.now()
        fields.append("last_fetched_at")
    if fields:
        locked.save(update_fields=fields)
    feed.served_etag, feed.served_modified_at = locked.served_etag, locked.served_modified_at
    feed.last_fetched_at = locked.last_fetched_at
    return FeedVersion(
        etag=ical.etag(content.heading, content.views, publication.stamps),
        version=version,
        modified_at=modified_at,
        known=True,
        stamps=publication.stamps,
        recorded=True,
    )


# How often a feed's "last read by a calendar" (its settings page, to minute precision)
# is brought up to date: a calendar polls every few minutes, and a fetch that changes
# nothing should write nothing.
FETCH_RECORDED_EVERY = datetime.timedelta(minutes=5)


def _fetch_due(feed: CalendarFeed) -> bool:
    return feed.last_fetched_at is None or feed.last_fetched_at <= timezone.now() - FETCH_RECORDED_EVERY


def calendar_feed_fetched(*, feed: CalendarFeed) -> None:
    """A calendar read `feed` (a 304, or a version already recorded): its
    `last_fetched_at` moves, at most every FETCH_RECORDED_EVERY, else nothing is
    written. One UPDATE, atomic by itself; it never moves the time back."""
    if not _fetch_due(feed):
        return
    now = timezone.now()
    CalendarFeed.objects.filter(pk=feed.pk).filter(
        Q(last_fetched_at__isnull=True) | Q(last_fetched_at__lte=now - FETCH_RECORDED_EVERY)
    ).update(last_fetched_at=now)
    feed.last_fetched_at = now
