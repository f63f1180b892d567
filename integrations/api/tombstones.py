"""What an incremental sync must drop: records deleted, and records a partner lost
when a consent was withdrawn or expired (docs/api.md, "Tombstones").

Deletions are written when they happen (a pre_delete receiver, in the deleting
transaction, while the consents that tell which partners saw the person still exist):
one row for staff, one per partner that referred the person or held a consent about
them. Consent losses are computed from SharingConsent.withdrawn_at and valid_until,
against what the partner still sees now: a consent withdrawn while another covering
the same things is in force loses nothing."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Q
from django.db.models.signals import pre_delete
from django.utils import timezone

from crm import clock
from crm.access import PartnerScope
from crm.models import JobSeeker, SharingConsent

from .models import Tombstone

#: model label -> (resource type in the API, how to read the job seeker id or None)
TRACKED: dict[str, tuple[str, Callable | None]] = {
    "crm.JobSeeker": ("job_seeker", lambda row: row.pk),
    "placements.Placement": ("placement", lambda row: row.job_seeker_id),
    "placements.PlacementMilestone": ("placement_milestone", lambda row: _placement_job_seeker(row.placement_id)),
    "placements.SupportTask": ("support_task", lambda row: row.job_seeker_id),
    "placements.Accommodation": ("accommodation", lambda row: _placement_job_seeker(row.placement_id)),
    "placements.BenefitsStep": ("benefits_step", lambda row: row.job_seeker_id),
    "employers.Employer": ("employer", None),
    "employers.EmployerSite": ("employer_site", None),
    "employers.ContactPerson": ("contact_person", None),
    "employers.JobOpening": ("job_opening", None),
    "jobdev.EmployerContact": ("employer_contact", None),
}


def _placement_job_seeker(placement_id):
    from placements.models import Placement

    return Placement.objects.filter(pk=placement_id).values_list("job_seeker_id", flat=True).first()


def _organisation_id(row):
    organisation_id = getattr(row, "organisation_id", None)
    if organisation_id is None and hasattr(row, "placement"):
        organisation_id = row.placement.organisation_id
    if organisation_id is None and hasattr(row, "employer"):
        organisation_id = row.employer.organisation_id
    return organisation_id


def partners_who_saw(job_seeker_id: int) -> set[int]:
    """Partners that referred the person or hold (or held) a consent about them."""
    referred = JobSeeker.objects.filter(pk=job_seeker_id).values_list("referred_by_partner_id", flat=True).first()
    consented = SharingConsent.objects.filter(job_seeker_id=job_seeker_id).values_list("partner_id", flat=True)
    return {pk for pk in [referred, *consented] if pk is not None}


def record_deletion(sender, instance, **kwargs):
    label = sender._meta.label
    resource_type, job_seeker_of = TRACKED[label]
    organisation_id = _organisation_id(instance)
    if organisation_id is None or instance.pk is None:
        return
    job_seeker_id = job_seeker_of(instance) if job_seeker_of else None
    now = timezone.now()
    rows = [
        Tombstone(
            organisation_id=organisation_id,
            resource_type=resource_type,
            object_id=instance.pk,
            job_seeker_id=job_seeker_id,
            happened_at=now,
        )
    ]
    if job_seeker_id is not None:
        rows += [
            Tombstone(
                organisation_id=organisation_id,
                resource_type=resource_type,
                object_id=instance.pk,
                job_seeker_id=job_seeker_id,
                partner_id=partner_id,
                happened_at=now,
            )
            for partner_id in sorted(partners_who_saw(job_seeker_id))
        ]
    Tombstone.objects.bulk_create(rows)


def connect() -> None:
    from django.apps import apps

    for label in TRACKED:
        model = apps.get_model(label)
        pre_delete.connect(record_deletion, sender=model, dispatch_uid=f"api-tombstone-{label}")


# Listing ----------------------------------------------------------------------------


@dataclass
class Entry:
    resource_type: str
    object_id: int
    job_seeker_id: int | None
    reason: str
    happened_at: datetime.datetime
    #: What the partner no longer sees of the person ("job_seeker": the person's own
    #: record; "progress", "support", "benefits": the rows that consent covered).
    lost: list[str] = field(default_factory=list)


def _expiry_instant(valid_until: datetime.date, tz) -> datetime.datetime:
    """A consent valid until a day ends at the next midnight in the program's zone."""
    return clock.wall_instant(valid_until + datetime.timedelta(days=1), datetime.time(), tz)


def _consent_losses(scope: PartnerScope, since: datetime.datetime, now: datetime.datetime) -> list[Entry]:
    organisation = scope.organisation
    tz = clock.program_zone(organisation)
    today = clock.program_today(organisation)
    # The day before `since` in the program's zone (no earlier than the calendar allows).
    since_day = max(since, datetime.datetime(1, 1, 3, tzinfo=datetime.UTC)).astimezone(tz).date()
    since_day -= datetime.timedelta(days=1)
    ended = (
        SharingConsent.objects.filter(partner_id=scope.partner_id, organisation_id=scope.organisation_id)
        .filter(Q(withdrawn_at__gte=since, withdrawn_at__lt=now) | Q(valid_until__gte=since_day, valid_until__lt=today))
        .order_by("pk")
    )
    candidates = []
    for consent in ended:
        if consent.withdrawn_at is not None and since <= consent.withdrawn_at < now:
            expired_at = _expiry_instant(consent.valid_until, tz) if consent.valid_until else None
            if expired_at is not None and expired_at <= consent.withdrawn_at:
                candidates.append((consent, Tombstone.Reason.CONSENT_EXPIRED, expired_at))
            else:
                candidates.append((consent, Tombstone.Reason.CONSENT_WITHDRAWN, consent.withdrawn_at))
        elif consent.valid_until is not None:
            expired_at = _expiry_instant(consent.valid_until, tz)
            withdrawn_first = consent.withdrawn_at is not None and consent.withdrawn_at < expired_at
            if since <= expired_at < now and not withdrawn_first:
                candidates.append((consent, Tombstone.Reason.CONSENT_EXPIRED, expired_at))
    if not candidates:
        return []
    job_seeker_ids = {consent.job_seeker_id for consent, _reason, _at in candidates}
    referred = set(
        JobSeeker.objects.filter(
            pk__in=job_seeker_ids, referred_by_partner_id=scope.partner_id, organisation_id=scope.organisation_id
        ).values_list("pk", flat=True)
    )
    in_force: dict[int, set[str]] = {}
    for row in (
        SharingConsent.objects.in_force(on=today)
        .filter(partner_id=scope.partner_id, job_seeker_id__in=job_seeker_ids)
        .values("job_seeker_id", *[f"shares_{cover}" for cover in SharingConsent.COVERS])
    ):
        covers = in_force.setdefault(row["job_seeker_id"], {"job_seeker"})
        covers.update(cover for cover in SharingConsent.COVERS if row[f"shares_{cover}"])
    entries = []
    for consent, reason, at in candidates:
        seen_now = in_force.get(consent.job_seeker_id, set())
        if consent.job_seeker_id in referred:
            seen_now = seen_now | {"job_seeker"}
        had = {"job_seeker"} | {cover for cover in SharingConsent.COVERS if getattr(consent, f"shares_{cover}")}
        lost = sorted(had - seen_now)
        if lost:
            entries.append(Entry("job_seeker", consent.job_seeker_id, consent.job_seeker_id, reason, at, lost))
    return entries


def tombstones_since(
    scope, since: datetime.datetime, *, limit: int, until: datetime.datetime | None = None
) -> tuple[list[Entry], bool]:
    """What `scope` must drop from `since` (included) to `until` (excluded; default
    now), oldest first, at most `limit` (and whether more are there)."""
    now = until or timezone.now()
    stored = Tombstone.objects.filter(
        organisation_id=scope.organisation_id, happened_at__gte=since, happened_at__lt=now
    )
    if isinstance(scope, PartnerScope):
        stored = stored.filter(partner_id=scope.partner_id)
    else:
        stored = stored.filter(partner_id__isnull=True)
    entries = [
        Entry(row.resource_type, row.object_id, row.job_seeker_id, row.reason, row.happened_at)
        for row in stored.order_by("happened_at", "id")[: limit + 1]
    ]
    if isinstance(scope, PartnerScope):
        entries += _consent_losses(scope, since, now)
    entries.sort(key=lambda entry: (entry.happened_at, entry.resource_type, entry.object_id))
    return entries[:limit], len(entries) > limit


def sweep(days: int) -> int:
    deleted, _ = Tombstone.objects.filter(happened_at__lt=timezone.now() - datetime.timedelta(days=days)).delete()
    return deleted
