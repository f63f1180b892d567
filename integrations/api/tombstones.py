"""What an incremental sync must drop: records deleted, and records a partner lost
when a consent was withdrawn or expired (docs/api.md, "Tombstones").

Deletions are written when they happen (a pre_delete receiver, in the deleting
transaction, while the person and their consents still exist): one row for staff,
carrying the person's specialist at that moment (staff read the deletions of the
caseloads they read: `_staff_rule`), and one per partner that saw the deleted record
then: `PartnerScope(partner).caseload(shared=AREAS[resource type])` included the
person (referred by it or a consent in force for the person's own record; a consent
in force covering progress, support or benefits for the rows about them). What a
cascade needs about a person, a placement or a program is read once per deletion
(`_Memo`, kept on the deletion's origin), not once per row. Consent losses are
computed from SharingConsent.withdrawn_at and valid_until, against what the partner
still sees now: a consent withdrawn while another covering the same things is in
force loses nothing.

Entries are read in the order (happened_at, resource_type, object_id), one entry per
key, and paged by a signed cursor naming the last key read (`encode_cursor`)."""

from __future__ import annotations

import contextlib
import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core import signing
from django.db.models import Q
from django.db.models.signals import post_delete, pre_delete
from django.utils import timezone
from django.utils.translation import gettext as _

from crm import clock
from crm.access import PartnerScope
from crm.models import JobSeeker, Organisation, Partner, SharingConsent

from .models import Tombstone
from .pagination import CURSOR_SALT
from .problems import BadRequest

#: model label -> (resource type in the API, how to read the job seeker id or None)
TRACKED: dict[str, tuple[str, Callable | None]] = {
    "crm.JobSeeker": ("job_seeker", lambda row, memo: row.pk),
    "placements.Placement": ("placement", lambda row, memo: row.job_seeker_id),
    "placements.PlacementMilestone": ("placement_milestone", lambda row, memo: memo.placement(row.placement_id)[0]),
    "placements.SupportTask": ("support_task", lambda row, memo: row.job_seeker_id),
    "placements.Accommodation": ("accommodation", lambda row, memo: memo.placement(row.placement_id)[0]),
    "placements.BenefitsStep": ("benefits_step", lambda row, memo: row.job_seeker_id),
    "employers.Employer": ("employer", None),
    "employers.EmployerSite": ("employer_site", None),
    "employers.ContactPerson": ("contact_person", None),
    "employers.JobOpening": ("job_opening", None),
    "jobdev.EmployerContact": ("employer_contact", None),
}

#: resource type -> what a partner's consent must cover for it to see such a row
#: (PartnerScope.caseload's `shared`; None: the person's own record).
AREAS: dict[str, str | None] = {
    "job_seeker": None,
    "placement": "progress",
    "placement_milestone": "progress",
    "support_task": "support",
    "accommodation": "support",
    "benefits_step": "benefits",
}


class _Memo:
    """What the deletion of one origin (a row, a queryset) reads about people,
    placements and programs, read once however many rows the cascade reaches. Kept on
    the origin object: it lives as long as that deletion, in its transaction."""

    def __init__(self):
        self.placements: dict[int, tuple[int | None, int | None]] = {}
        self.people: dict[int, tuple[int | None, dict[str | None, list[int]]]] = {}
        self.employers: dict[int, int | None] = {}
        self.todays: dict[int, datetime.date] = {}

    def placement(self, placement_id: int) -> tuple[int | None, int | None]:
        """(job seeker id, organisation id) of a placement."""
        if placement_id not in self.placements:
            from placements.models import Placement

            row = Placement.objects.filter(pk=placement_id).values_list("job_seeker_id", "organisation_id").first()
            self.placements[placement_id] = row or (None, None)
        return self.placements[placement_id]

    def employer(self, employer_id: int) -> int | None:
        if employer_id not in self.employers:
            from employers.models import Employer

            self.employers[employer_id] = (
                Employer.objects.filter(pk=employer_id).values_list("organisation_id", flat=True).first()
            )
        return self.employers[employer_id]

    def today(self, organisation_id: int) -> datetime.date:
        if organisation_id not in self.todays:
            self.todays[organisation_id] = clock.program_today(Organisation.objects.get(pk=organisation_id))
        return self.todays[organisation_id]

    def person(self, job_seeker_id: int) -> tuple[int | None, dict[str | None, list[int]]]:
        """(specialist id, area -> the partners whose scope includes the person for it),
        as PartnerScope.caseload decides it now (read in two queries)."""
        if job_seeker_id not in self.people:
            self.people[job_seeker_id] = self._person(job_seeker_id)
        return self.people[job_seeker_id]

    def _person(self, job_seeker_id: int):
        row = (
            JobSeeker.objects.filter(pk=job_seeker_id)
            .values_list("organisation_id", "specialist_id", "referred_by_partner_id")
            .first()
        )
        if row is None:
            return None, {}
        organisation_id, specialist_id, referred_by = row
        seen: dict[str | None, set[int]] = {None: set(), **{cover: set() for cover in SharingConsent.COVERS}}
        # PartnerScope.caseload: the partner's consents in force in its program (the
        # person's program: a partner sees no one elsewhere).
        for consent in (
            SharingConsent.objects.in_force(on=self.today(organisation_id))
            .filter(
                job_seeker_id=job_seeker_id,
                organisation_id=organisation_id,
                partner__organisation_id=organisation_id,
            )
            .values("partner_id", *[f"shares_{cover}" for cover in SharingConsent.COVERS])
        ):
            seen[None].add(consent["partner_id"])
            for cover in SharingConsent.COVERS:
                if consent[f"shares_{cover}"]:
                    seen[cover].add(consent["partner_id"])
        if referred_by is not None and Partner.objects.filter(pk=referred_by, organisation_id=organisation_id).exists():
            seen[None].add(referred_by)
        return specialist_id, {area: sorted(ids) for area, ids in seen.items()}


def _memo(origin) -> _Memo:
    memo = getattr(origin, "_api_tombstone_memo", None)
    if memo is None:
        memo = _Memo()
        with contextlib.suppress(AttributeError, TypeError):  # an origin taking no attribute: no sharing
            origin._api_tombstone_memo = memo
    return memo


def _organisation_id(row, memo: _Memo) -> int | None:
    organisation_id = getattr(row, "organisation_id", None)
    if organisation_id is None and hasattr(row, "placement_id"):
        organisation_id = memo.placement(row.placement_id)[1]
    if organisation_id is None and hasattr(row, "employer_id"):
        organisation_id = memo.employer(row.employer_id)
    return organisation_id


def partners_who_see(job_seeker_id: int, resource_type: str, *, memo: _Memo | None = None) -> list[int]:
    """The partners whose scope includes the person now for rows of `resource_type`
    (PartnerScope(partner).caseload(shared=AREAS[resource_type]))."""
    if resource_type not in AREAS:
        return []
    _specialist, seen = (memo or _Memo()).person(job_seeker_id)
    return list(seen.get(AREAS[resource_type], []))


def record_deletion(sender, instance, origin=None, **kwargs):
    if instance.pk is None:
        return
    memo = _memo(origin) if origin is not None else _Memo()
    resource_type, job_seeker_of = TRACKED[sender._meta.label]
    if sender._meta.label == "placements.Placement":
        memo.placements.setdefault(instance.pk, (instance.job_seeker_id, instance.organisation_id))
    organisation_id = _organisation_id(instance, memo)
    if organisation_id is None:
        return
    job_seeker_id = job_seeker_of(instance, memo) if job_seeker_of else None
    specialist_id, partner_ids = None, []
    if job_seeker_id is not None:
        specialist_id, seen = memo.person(job_seeker_id)
        partner_ids = seen.get(AREAS.get(resource_type), []) if resource_type in AREAS else []
    now = timezone.now()
    common = {
        "organisation_id": organisation_id,
        "resource_type": resource_type,
        "object_id": instance.pk,
        "job_seeker_id": job_seeker_id,
        "happened_at": now,
    }
    rows = [Tombstone(specialist_id=specialist_id, **common)]
    rows += [Tombstone(partner_id=partner_id, **common) for partner_id in partner_ids]
    Tombstone.objects.bulk_create(rows)


def forget_deletion(sender, instance, origin=None, **kwargs):
    """Every pre_delete of a deletion is sent before its first post_delete: the memo
    has served (a queryset deleted again later reads afresh)."""
    if origin is not None and getattr(origin, "_api_tombstone_memo", None) is not None:
        origin._api_tombstone_memo = None


def connect() -> None:
    from django.apps import apps

    for label in TRACKED:
        model = apps.get_model(label)
        pre_delete.connect(record_deletion, sender=model, dispatch_uid=f"api-tombstone-{label}")
        post_delete.connect(forget_deletion, sender=model, dispatch_uid=f"api-tombstone-done-{label}")


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


#: A position in the order of entries: (happened_at, resource_type, object_id).
Key = tuple[datetime.datetime, str, int]
TOMBSTONE_CURSOR_SALT = f"{CURSOR_SALT}.tombstones"


def encode_cursor(key: Key) -> str:
    """The position after `key`, signed as the lists' cursors are (another salt: a
    list's cursor is not a tombstones cursor)."""
    at, resource_type, object_id = key
    return signing.dumps([at.isoformat(), resource_type, object_id], salt=TOMBSTONE_CURSOR_SALT, compress=False)


def decode_cursor(cursor: str) -> Key:
    try:
        at, resource_type, object_id = signing.loads(cursor, salt=TOMBSTONE_CURSOR_SALT)
        instant = datetime.datetime.fromisoformat(at)
        if not isinstance(resource_type, str) or not isinstance(object_id, int) or timezone.is_naive(instant):
            raise ValueError
    except (signing.BadSignature, ValueError, TypeError, OverflowError):
        raise BadRequest(_("This cursor is not valid: use one returned by the API.")) from None
    return instant, resource_type, object_id


def _after(key: Key) -> Q:
    at, resource_type, object_id = key
    return (
        Q(happened_at__gt=at)
        | Q(happened_at=at, resource_type__gt=resource_type)
        | Q(happened_at=at, resource_type=resource_type, object_id__gt=object_id)
    )


def _staff_rule(scope) -> Q:
    """The deletions a staff member reads: all of the program for program-wide scopes;
    otherwise the program-shared records' (employers, their parts, the contact log)
    and those about a person whose specialist, when it was deleted, was one of the
    staff whose caseloads the scope reads (`scope.staff()`: the caseload rule's owners,
    team cover included). A person with no specialist then: program admins only."""
    if scope.is_program_wide:
        return Q()
    return Q(job_seeker_id__isnull=True) | Q(specialist_id__in=scope.staff().values("pk"))


def _merged(entries: list[Entry]) -> list[Entry]:
    """One entry per key (two consents about one person ending at one instant are one
    loss: what both took away)."""
    by_key: dict[Key, Entry] = {}
    for entry in entries:
        key = (entry.happened_at, entry.resource_type, entry.object_id)
        if key in by_key:
            kept = by_key[key]
            kept.lost = sorted(set(kept.lost) | set(entry.lost))
        else:
            by_key[key] = entry
    return [by_key[key] for key in sorted(by_key)]


def tombstones_page(
    scope,
    *,
    since: datetime.datetime | None = None,
    after: Key | None = None,
    limit: int,
    until: datetime.datetime | None = None,
) -> tuple[list[Entry], bool]:
    """What `scope` must drop from `since` (included) and after the position `after`
    (excluded) to `until` (excluded; default now), in key order, at most `limit` (and
    whether more are there)."""
    now = until or timezone.now()
    start = max(value for value in (since, after[0] if after else None) if value is not None)
    stored = Tombstone.objects.filter(
        organisation_id=scope.organisation_id, happened_at__gte=start, happened_at__lt=now
    )
    if after is not None:
        stored = stored.filter(_after(after))
    if isinstance(scope, PartnerScope):
        stored = stored.filter(partner_id=scope.partner_id)
    else:
        stored = stored.filter(partner_id__isnull=True).filter(_staff_rule(scope))
    entries = [
        Entry(row.resource_type, row.object_id, row.job_seeker_id, row.reason, row.happened_at)
        for row in stored.order_by("happened_at", "resource_type", "object_id")[: limit + 1]
    ]
    if isinstance(scope, PartnerScope):
        losses = _consent_losses(scope, start, now)
        if after is not None:
            losses = [entry for entry in losses if (entry.happened_at, entry.resource_type, entry.object_id) > after]
        entries += losses
    entries = _merged(entries)
    return entries[:limit], len(entries) > limit


def sweep(days: int) -> int:
    deleted, _ = Tombstone.objects.filter(happened_at__lt=timezone.now() - datetime.timedelta(days=days)).delete()
    return deleted
