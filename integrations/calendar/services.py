"""Creating, rotating and revoking calendar feeds. A token is returned once, to be
shown once; only its hash is stored."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.models import User
from integrations.calendar.models import CalendarFeed, CalendarPreference
from integrations.calendar.tokens import new_token, token_hash


@transaction.atomic
def calendar_feed_create(*, actor: User, kind: str, language: str = "en") -> tuple[CalendarFeed, str]:
    if actor.organisation_id is None:
        raise PermissionDenied
    team = None
    if kind == CalendarFeed.Kind.TEAM:
        team = actor.led_teams.order_by("pk").first()
        if team is None:
            raise ValidationError(_("Only team leaders have a team feed."))
    elif kind != CalendarFeed.Kind.PERSONAL:
        raise ValidationError(_("Unknown feed."))
    token = new_token()
    feed = CalendarFeed.objects.create(
        user=actor, kind=kind, team=team, token_hash=token_hash(token), language=language[:10]
    )
    return feed, token


def _own_active(actor: User, feed_id: int) -> CalendarFeed:
    feed = CalendarFeed.objects.select_for_update().filter(pk=feed_id, user=actor, revoked_at__isnull=True).first()
    if feed is None:
        raise PermissionDenied
    return feed


@transaction.atomic
def calendar_feed_revoke(*, actor: User, feed_id: int) -> CalendarFeed:
    feed = _own_active(actor, feed_id)
    feed.revoked_at = timezone.now()
    feed.save(update_fields=["revoked_at"])
    return feed


@transaction.atomic
def calendar_feed_rotate(*, actor: User, feed_id: int) -> tuple[CalendarFeed, str]:
    """A new secret URL for the same feed; the old one stops working at once."""
    old = calendar_feed_revoke(actor=actor, feed_id=feed_id)
    return calendar_feed_create(actor=actor, kind=old.kind, language=old.language)


@transaction.atomic
def calendar_preference_save(*, actor: User, include_tasks: bool, alarm_minutes: int | None) -> CalendarPreference:
    preference, _created = CalendarPreference.objects.get_or_create(user=actor)
    preference.include_tasks = include_tasks
    preference.alarm_minutes = alarm_minutes
    preference.full_clean()
    preference.save()
    return preference
