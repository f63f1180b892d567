"""The external payloads: what a partner receives, versioned apart from the internal
event payloads (which may change with the code). docs/webhooks.md documents them.

The facts come from the partner payloads of integrations.api.disclosure, the one home
of what a partner may know (the events feed reads the same): only ids, dates, statuses
and milestone kinds; never notes, never an adjustment's description, never pay, never
anything that tells a health condition (an ending "quit for health reasons" is sent as
"quit"), never the employer (partners see no employers)."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC

from django.utils.translation import gettext_lazy as _

from crm.models import OutboxEvent
from integrations.api.disclosure import PARTNER_TOPICS, job_seeker_of  # noqa: F401 - job_seeker_of: handlers
from integrations.api.grants import topic_area

#: The external payload's version (data.version). Goes up when a field changes meaning.
VERSION = 1


class InternalVersionUnknown(Exception):  # noqa: N818 - raised to the dispatcher, which retries and shows it
    """An event whose internal payload version this module was not written for: the
    handler fails visibly rather than send partners a payload built on a guess."""


@dataclass(frozen=True)
class WebhookTopic:
    name: str
    label: object  # a lazy translation
    data: Callable[[OutboxEvent], dict]
    #: The internal payload version (crm.events.declare_topic) `data` reads.
    internal_version: int = 1

    @property
    def grant(self) -> str:
        """The API key grant a partner needs to receive it (integrations.api.grants)."""
        return topic_area(self.name)[0]

    @property
    def shared(self) -> str:
        """What a consent must cover (crm.access.PartnerScope.caseload(shared=...))."""
        return topic_area(self.name)[1]


def _topic(name: str, label) -> WebhookTopic:
    partner = PARTNER_TOPICS[name]
    return WebhookTopic(name, label, partner.data, partner.internal_version)


TOPICS: dict[str, WebhookTopic] = {
    topic.name: topic
    for topic in [
        _topic("placement.offer_accepted", _("Job offer accepted")),
        _topic("placement.started", _("Job started")),
        _topic("placement.terms_changed", _("Hours or pay changed")),
        _topic("placement.milestone_reached", _("Milestone reached")),
        _topic("placement.ended", _("Job ended")),
        _topic("accommodation.status_changed", _("Workplace adjustment changed")),
        _topic("benefits.step_changed", _("Benefits-counselling step changed")),
    ]
}


def topics_allowed(grants) -> list[str]:
    """The topics a key with these grants may subscribe to."""
    return [name for name, topic in TOPICS.items() if topic.grant in grants]


def build(event: OutboxEvent) -> dict:
    """The external payload of an event, the same for every subscriber."""
    topic = TOPICS[event.topic]
    if event.payload_version != topic.internal_version:
        raise InternalVersionUnknown(
            f"{event.topic} version {event.payload_version}: integrations/webhooks/payloads.py reads version "
            f"{topic.internal_version}. Map the new version to the external payload, then retry."
        )
    data = topic.data(event)
    occurred_at = event.occurred_at.astimezone(UTC).isoformat().replace("+00:00", "Z")
    return {"type": event.topic, "timestamp": occurred_at, "data": {"version": VERSION, **data}}
