"""Creating, rotating and revoking calendar feeds (a token is returned once, to be
shown once; only its hash is stored), and publishing events with their stamps."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.access import AccessScope, OutOfScope
from integrations.calendar.ical import EventView, Stamp
from integrations.calendar.models import CalendarFeed, CalendarPreference, PublishedEvent
from integrations.calendar.publication import plan
from integrations.calendar.selectors import published_events
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


@transaction.atomic
def calendar_events_publish(*, views: list[EventView], user, feed: CalendarFeed | None = None) -> dict[str, Stamp]:
    """Hand out `views` through `feed` (None: as `user`'s single-event downloads): their
    stamps, by UID, recorded (integrations.calendar.publication says how they are
    decided). Fetches of one feed take turns on the feed's row, so that the second
    reads what the first recorded and hands out the same stamps."""
    if feed is not None:
        CalendarFeed.objects.select_for_update().filter(pk=feed.pk).values_list("pk").get()
    uids = None if feed is not None else [view.uid for view in views]
    publication = plan(views, published_events(feed=feed, user=user, uids=uids), user=user, feed=feed)
    if publication.new:
        # Downloads are not locked: a download at the same moment may have recorded the
        # same first stamps already.
        PublishedEvent.objects.bulk_create(publication.new, ignore_conflicts=feed is None)
    if publication.changed:
        PublishedEvent.objects.bulk_update(
            publication.changed, ["content", "significant", "record_sequence", "extra_sequence", "modified_at"]
        )
    if publication.gone:
        PublishedEvent.objects.filter(pk__in=publication.gone).delete()
    return publication.stamps
