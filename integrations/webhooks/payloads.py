"""The external payloads: what a partner receives, versioned apart from the internal
event payloads (which may change with the code). docs/webhooks.md documents them.

Only ids, dates, statuses and milestone kinds: never notes, never an adjustment's
description, never pay, never anything that tells a health condition (an ending "quit
for health reasons" is sent as "quit"), never the employer (partners see no
employers)."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC

from django.utils.translation import gettext_lazy as _

from crm.models import OutboxEvent
from integrations.api.grants import topic_area
from placements.models import Placement

#: The external payload's version (data.version). Goes up when a field changes meaning.
VERSION = 1

#: How an ending is told to partners: the kind of ending, not its reason.
END_REASONS = {
    Placement.EndReason.QUIT_BETTER_JOB: "quit",
    Placement.EndReason.QUIT_HEALTH: "quit",
    Placement.EndReason.QUIT_OTHER: "quit",
    Placement.EndReason.FIRED: "fired",
    Placement.EndReason.LAID_OFF: "laid_off",
    Placement.EndReason.TEMPORARY_ENDED: "temporary_ended",
}


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


def _placement(event: OutboxEvent, **facts) -> dict:
    return {"placement_id": event.payload["placement_id"], "job_seeker_id": event.payload["job_seeker_id"], **facts}


def _offer_accepted(event):
    return _placement(
        event,
        status="offer_accepted",
        offer_date=event.payload["offer_date"],
        expected_start_date=event.payload["expected_start_date"],
    )


def _started(event):
    return _placement(event, status="active", start_date=event.payload["start_date"])


def _terms_changed(event):
    return _placement(event, effective_on=event.payload["effective_on"])


def _milestone(event):
    return _placement(
        event,
        milestone=event.payload["milestone"],
        due_date=event.payload["due_date"],
        still_working=bool(event.payload["still_working"]),
    )


def _ended(event):
    return _placement(
        event,
        status="ended",
        end_date=event.payload["end_date"],
        end_kind=END_REASONS.get(event.payload["end_reason"], "other"),
    )


def _accommodation(event):
    return {
        "placement_id": event.payload["placement_id"],
        "job_seeker_id": job_seeker_of(event),
        "accommodation_id": event.payload["accommodation_id"],
        "from_status": event.payload["from"] or None,
        "to_status": event.payload["to"],
    }


def _benefits(event):
    return {
        "benefits_step_id": event.payload["benefits_step_id"],
        "job_seeker_id": event.payload["job_seeker_id"],
        "placement_id": event.payload["placement_id"],
        "from_status": event.payload["from"] or None,
        "to_status": event.payload["to"],
    }


TOPICS: dict[str, WebhookTopic] = {
    topic.name: topic
    for topic in [
        WebhookTopic("placement.offer_accepted", _("Job offer accepted"), _offer_accepted),
        WebhookTopic("placement.started", _("Job started"), _started),
        WebhookTopic("placement.terms_changed", _("Hours or pay changed"), _terms_changed),
        WebhookTopic("placement.milestone_reached", _("Milestone reached"), _milestone),
        WebhookTopic("placement.ended", _("Job ended"), _ended),
        WebhookTopic("accommodation.status_changed", _("Workplace adjustment changed"), _accommodation),
        WebhookTopic("benefits.step_changed", _("Benefits-counselling step changed"), _benefits),
    ]
}


def topics_allowed(grants) -> list[str]:
    """The topics a key with these grants may subscribe to."""
    return [name for name, topic in TOPICS.items() if topic.grant in grants]


def job_seeker_of(event: OutboxEvent) -> int | None:
    """Whose data the event is about (None: the placement no longer exists)."""
    if "job_seeker_id" in event.payload:
        return event.payload["job_seeker_id"]
    # accommodation.status_changed names the placement only.
    return Placement.objects.filter(pk=event.payload["placement_id"]).values_list("job_seeker_id", flat=True).first()


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
