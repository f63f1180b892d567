"""Creating, rotating and revoking calendar feeds. A token is returned once, to be
shown once; only its hash is stored."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.access import AccessScope, OutOfScope
from integrations.calendar.models import CalendarFeed, CalendarPreference
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
