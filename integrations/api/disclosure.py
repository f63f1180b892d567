"""What a partner may know: the one home of the rules the API's serializers, the
events feed and the webhooks share (docs/access-rules.md, "Partner organisations and
consent to share"; docs/api.md, "What partners see").

- A job's end reason is told by its kind (`general_end_reason`): every quit is
  "quit", so a health reason cannot be told apart.
- An event reaches a partner only if its topic has an allow-listed partner payload
  here (`PARTNER_TOPICS`); a topic without one is not shown to partners at all. Each
  payload names the facts a partner may read: ids of the person, the job and the
  row, dates, statuses and milestones. Never pay or hours, the disclosure preference,
  whether the person receives benefits, a note, an employer, a site or staff.
  The events feed (integrations/api/events.py) and the webhooks
  (integrations/webhooks/payloads.py) build partner payloads from these builders.
- A consent covering *support* shares the follow-along work: follow-along contacts,
  retention checks, step-down reviews and workplace adjustments
  (`placements.selectors.SUPPORT_TASK_KINDS_SHARED`, applied by the selector through
  `scope.partner_subset`); not benefits-planning tasks (benefits), the contact and the
  report after a job ends, disclosure conversations, rapid-search nudges nor tasks of
  another kind.
- List filters: a partner key may filter only on fields its serializer shows
  (`PartnerFilterSet`); other filters are ignored for it (the list answers as if they
  were not sent), and stay documented (staff use them).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import django_filters
from django.db.models import OuterRef, Subquery

from crm.access import PartnerScope
from crm.models import JobSeeker, OutboxEvent, SharingConsent
from placements.models import Placement

from .grants import BENEFITS_READ, PLACEMENTS_READ, SUPPORT_READ

# Ends of jobs ---------------------------------------------------------------------------

#: How a job's end is told to partners: the kind of ending, not its reason.
GENERAL_END_REASONS: dict[str, str] = {
    Placement.EndReason.QUIT_BETTER_JOB: "quit",
    Placement.EndReason.QUIT_HEALTH: "quit",
    Placement.EndReason.QUIT_OTHER: "quit",
    Placement.EndReason.FIRED: "fired",
    Placement.EndReason.LAID_OFF: "laid_off",
    Placement.EndReason.TEMPORARY_ENDED: "temporary_ended",
}


def general_end_reason(reason: str) -> str:
    """The kind of a job's end for partners ("" while the job has not ended; "other"
    for a reason this table does not know yet, never the reason itself)."""
    if not reason:
        return ""
    return GENERAL_END_REASONS.get(reason, "other")


# The job-seeker record ------------------------------------------------------------------


def shows_receives_benefits(scope, job_seeker) -> bool:
    """Whether a partner reads `receives_benefits` on the person's record: only under a
    consent in force covering benefits (a referral alone does not say it back)."""
    return JobSeeker.objects.filter(scope.caseload(shared="benefits"), pk=job_seeker.pk).exists()


# When what a partner may know changed -----------------------------------------------------


def consent_changed(scope: PartnerScope, outer: str, *, via: str = "job_seeker_id"):
    """The last change (recorded, changed, withdrawn) of `scope`'s partner's consents
    about a person: a subquery matching the consent's `via` (the person's id by default;
    `job_seeker__placements__id` for a job) to the outer row's `outer`. The lists' sync
    order takes it into account, so a row newly shared comes after the partner's cursor."""
    return Subquery(
        SharingConsent.objects.filter(partner_id=scope.partner_id, **{via: OuterRef(outer)})
        .order_by("-updated_at")
        .values("updated_at")[:1]
    )


# Events -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PartnerTopic:
    """A topic a partner may receive: the grant its key needs, what a consent must cover
    (crm.access.PartnerScope.caseload(shared=...)), and its allow-listed payload."""

    name: str
    grant: str
    cover: str | None
    data: Callable[[OutboxEvent], dict]
    #: The internal payload version (crm.events.declare_topic) `data` reads.
    internal_version: int = 1


def job_seeker_of(event: OutboxEvent) -> int | None:
    """Whose data the event is about (None: the placement no longer exists)."""
    if "job_seeker_id" in event.payload:
        return event.payload.get("job_seeker_id")
    # accommodation.status_changed names the placement only (the events feed annotates it).
    if getattr(event, "placement_job_seeker_id", None) is not None:
        return event.placement_job_seeker_id
    return (
        Placement.objects.filter(pk=event.payload.get("placement_id")).values_list("job_seeker_id", flat=True).first()
    )


# The builders read the declared fields of the internal payload (crm.events.declare_topic);
# a field missing reads null rather than fail the feed.


def _placement(event: OutboxEvent, **facts) -> dict:
    return {
        "placement_id": event.payload.get("placement_id"),
        "job_seeker_id": event.payload.get("job_seeker_id"),
        **facts,
    }


def _offer_accepted(event):
    return _placement(
        event,
        status="offer_accepted",
        offer_date=event.payload.get("offer_date"),
        expected_start_date=event.payload.get("expected_start_date"),
    )


def _started(event):
    return _placement(event, status="active", start_date=event.payload.get("start_date"))


def _terms_changed(event):
    return _placement(event, effective_on=event.payload.get("effective_on"))


def _milestone(event):
    return _placement(
        event,
        milestone=event.payload.get("milestone"),
        due_date=event.payload.get("due_date"),
        still_working=bool(event.payload.get("still_working")),
    )


def _ended(event):
    return _placement(
        event,
        status="ended",
        end_date=event.payload.get("end_date"),
        end_kind=general_end_reason(event.payload.get("end_reason") or "") or "other",
    )


def _accommodation(event):
    return {
        "placement_id": event.payload.get("placement_id"),
        "job_seeker_id": job_seeker_of(event),
        "accommodation_id": event.payload.get("accommodation_id"),
        "from_status": event.payload.get("from") or None,
        "to_status": event.payload.get("to"),
    }


def _benefits(event):
    return {
        "benefits_step_id": event.payload.get("benefits_step_id"),
        "job_seeker_id": event.payload.get("job_seeker_id"),
        "placement_id": event.payload.get("placement_id"),
        "from_status": event.payload.get("from") or None,
        "to_status": event.payload.get("to"),
    }


def _enrolled(event):
    return {
        "job_seeker_id": event.payload.get("job_seeker_id"),
        "job_search_since": event.payload.get("job_search_since"),
        "reentry": bool(event.payload.get("reentry")),
    }


PARTNER_TOPICS: dict[str, PartnerTopic] = {
    topic.name: topic
    for topic in [
        # Joining the job search is a status change: job progress, read with the job's grant.
        PartnerTopic("jobseeker.enrolled", PLACEMENTS_READ, "progress", _enrolled),
        PartnerTopic("placement.offer_accepted", PLACEMENTS_READ, "progress", _offer_accepted),
        PartnerTopic("placement.started", PLACEMENTS_READ, "progress", _started),
        PartnerTopic("placement.terms_changed", PLACEMENTS_READ, "progress", _terms_changed),
        PartnerTopic("placement.milestone_reached", PLACEMENTS_READ, "progress", _milestone),
        PartnerTopic("placement.ended", PLACEMENTS_READ, "progress", _ended),
        PartnerTopic("accommodation.status_changed", SUPPORT_READ, "support", _accommodation),
        PartnerTopic("benefits.step_changed", BENEFITS_READ, "benefits", _benefits),
    ]
}


def partner_payload(event: OutboxEvent) -> dict | None:
    """The allow-listed payload of `event` for partners, or None when the topic (or this
    internal version of it) is not shared with partners."""
    topic = PARTNER_TOPICS.get(event.topic)
    if topic is None or event.payload_version != topic.internal_version:
        return None
    return topic.data(event)


#: What staff never read of an internal payload (the app keeps notes to itself).
STAFF_HIDDEN = ("note", "comment")


def staff_payload(value):
    """The internal payload without notes (program admins read the rest as recorded)."""
    if isinstance(value, dict):
        return {
            key: staff_payload(item)
            for key, item in value.items()
            if not any(word in key.lower() for word in STAFF_HIDDEN)
        }
    if isinstance(value, list):
        return [staff_payload(item) for item in value]
    return value


# List filters ---------------------------------------------------------------------------

_RANGE_SUFFIXES = ("_after", "_before")


def partner_shown_fields(serializer_class) -> frozenset[str]:
    """The fields a partner reads with a value from `serializer_class`: its fields less
    those it nulls for partners (Meta.staff_only)."""
    meta = serializer_class.Meta
    return frozenset(meta.fields) - frozenset(getattr(meta, "staff_only", ()))


def _field_of(filter_name: str) -> str:
    for suffix in _RANGE_SUFFIXES:
        if filter_name.endswith(suffix):
            return filter_name[: -len(suffix)]
    return filter_name


def partner_filter_names(filter_names: Iterable[str], serializer_class) -> frozenset[str]:
    """The filters a partner may use: those on a field the partner serializer shows
    (a filter is named after its field, or the field plus `_after` / `_before`)."""
    shown = partner_shown_fields(serializer_class)
    return frozenset(name for name in filter_names if _field_of(name) in shown)


class PartnerFilterSet(django_filters.FilterSet):
    """A filterset whose filters a partner key uses only on fields its serializer shows
    (`partner_serializer`, set on the subclass). For a partner the others are validated
    (a malformed value is a 400, as the schema says, the same whatever the data) and
    then ignored: the list answers as if they were not sent. Staff use every filter, and
    the schema documents every one."""

    partner_serializer = None

    @property
    def is_partner(self) -> bool:
        return isinstance(getattr(self.request, "auth", None), PartnerScope)

    def filter_queryset(self, queryset):
        if not self.is_partner:
            return super().filter_queryset(queryset)
        allowed = partner_filter_names(self.filters, self.partner_serializer)
        for name, value in self.form.cleaned_data.items():
            if name in allowed:
                queryset = self.filters[name].filter(queryset, value)
        return queryset
