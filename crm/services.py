"""Writes on the core domain: job seekers, their career profile and job preferences.

Each service is one transaction, takes the access scope (crm.access) and explicit
keyword arguments, fetches and locks its own rows through the scope (out of scope:
OutOfScope, answered 404), validates every rule itself (ValidationError, keyed by
field where there is one), and emits its domain event in the same transaction.

Lock order, for every service and handler that touches these rows (docs/events.md):
job seeker, then placement, then its follow-along plan, then tasks, adjustments and
benefits steps. Taking them in one order is what keeps two workers from deadlocking.
"""

import datetime
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any, TypedDict

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crm import clock, events, locations
from crm.access import AccessScope, OutOfScope
from crm.dates import check_sane_dates
from crm.models import (
    CareerProfile,
    Industry,
    JobPreference,
    JobSeeker,
    JobSeekerStatusChange,
    JobType,
    LocationPrecision,
    Partner,
    SharingConsent,
    User,
)


class JobSeekerFields(TypedDict, total=False):
    """What a person says about themselves and how they came to the program."""

    first_name: str
    last_name: str
    email: str
    phone: str
    address: str
    postcode: str
    town: str
    latitude: Decimal | None
    longitude: Decimal | None
    referral_date: datetime.date
    enrolment_date: datetime.date | None
    referral_source: str
    receives_benefits: str
    disclosure_preference: str
    in_education: bool


class CareerProfileFields(TypedDict, total=False):
    work_goal: str
    work_history: str
    education: str
    interests: str
    strengths: str
    skills: str
    coping_strategies: str
    networking_contacts: str


class JobPreferenceFields(TypedDict, total=False):
    """IPS principle 4: the job the person wants. Many-to-many values are iterables of
    JobType / Industry (or their ids)."""

    job_types: Iterable[JobType | int]
    industries: Iterable[Industry | int]
    avoid_job_types: Iterable[JobType | int]
    avoid_industries: Iterable[Industry | int]
    min_hours_per_week: int | None
    max_hours_per_week: int | None
    days: list[str]
    shifts: list[str]
    places: str
    max_travel_minutes: int | None
    max_distance_km: int | None
    min_hourly_pay: Decimal | None
    things_to_avoid: str


#: The code of a ValidationError that refuses a well-formed request because of the
#: record's current state (a job already started, a task already closed): the API
#: answers it 409 Conflict (RFC 9110 §15.5.10) rather than 400.
STATE_CONFLICT = "state_conflict"

# Placement statuses of a job under way (placements.models.Placement.Status; crm reads
# them through the reverse relation and imports nothing above it).
JOBS_UNDER_WAY = ("offer_accepted", "active")

PREFERENCE_M2M = ("job_types", "industries", "avoid_job_types", "avoid_industries")


def allowed(fields: Mapping[str, Any] | None, spec: type) -> dict[str, Any]:
    """`fields` checked against the TypedDict `spec`: an unknown name is a programming
    error (ValueError), never silently written."""
    fields = dict(fields or {})
    unknown = set(fields) - set(spec.__annotations__)
    if unknown:
        raise ValueError(f"{spec.__name__} has no field(s) {', '.join(sorted(unknown))}")
    return fields


def _ids(values) -> set[int]:
    return {getattr(value, "pk", value) for value in values or ()}


# Reading and locking through the scope ---------------------------------------------


def job_seeker_lock(scope: AccessScope, job_seeker_id: int, *, edit: bool = True) -> JobSeeker:
    """The job seeker, locked for the rest of the transaction (the first lock of the
    lock order), or OutOfScope."""
    return scope.get_for_update(scope.job_seekers(edit=edit).select_related(None), pk=job_seeker_id)


def _assignable(scope: AccessScope, specialist_id: int | None) -> User:
    specialist = scope.assignable_specialists().filter(pk=specialist_id).first() if specialist_id else None
    if specialist is None:
        raise ValidationError({"specialist": _("You cannot assign job seekers to this person.")})
    return specialist


# Career profile and job preferences --------------------------------------------------


def _check_preference(preference: Mapping[str, Any], stored: JobPreference | None) -> None:
    def current(name):
        if name in preference:
            return _ids(preference[name])
        return set(getattr(stored, name).values_list("pk", flat=True)) if stored and stored.pk else set()

    errors = {}
    if current("job_types") & current("avoid_job_types"):
        errors["avoid_job_types"] = _("A job type cannot be both wanted and avoided.")
    if current("industries") & current("avoid_industries"):
        errors["avoid_industries"] = _("An industry cannot be both wanted and avoided.")
    if errors:
        raise ValidationError(errors)


def _save_profile(job_seeker: JobSeeker, profile: Mapping[str, Any]) -> None:
    career_profile, _created = CareerProfile.objects.get_or_create(job_seeker=job_seeker)
    for name, value in profile.items():
        setattr(career_profile, name, value)
    career_profile.full_clean()
    career_profile.save()


def _save_preference(job_seeker: JobSeeker, preference: Mapping[str, Any]) -> None:
    job_preference = JobPreference.objects.filter(job_seeker=job_seeker).first()
    _check_preference(preference, job_preference)
    job_preference = job_preference or JobPreference(job_seeker=job_seeker)
    for name, value in preference.items():
        if name not in PREFERENCE_M2M:
            setattr(job_preference, name, value)
    job_preference.full_clean()
    job_preference.save()
    for name in PREFERENCE_M2M:
        if name in preference:
            getattr(job_preference, name).set(_ids(preference[name]))


# Job seekers ----------------------------------------------------------------------


def _status_change(job_seeker: JobSeeker, status: str, *, scope: AccessScope, note: str = "") -> bool:
    """Record a status change on a locked job seeker. Returns whether it changed."""
    if status == job_seeker.status:
        return False
    JobSeekerStatusChange.objects.create(
        job_seeker=job_seeker, from_status=job_seeker.status, to_status=status, changed_by=scope.actor, note=note[:500]
    )
    job_seeker.status = status
    return True


def _emit_enrolled(job_seeker: JobSeeker, *, scope: AccessScope, reentry: bool, dedup_key: str | None = None):
    events.emit(
        topic="jobseeker.enrolled",
        organisation_id=job_seeker.organisation_id,
        aggregate_type="jobseeker",
        aggregate_id=job_seeker.pk,
        payload={
            "job_seeker_id": job_seeker.pk,
            "job_search_since": job_seeker.job_search_since.isoformat() if job_seeker.job_search_since else None,
            "reentry": reentry,
        },
        dedup_key=dedup_key or (None if reentry else f"jobseeker:{job_seeker.pk}:enrolled"),
        actor=scope.actor,
    )


def _check_not_ahead(scope: AccessScope, details: Mapping[str, Any], *names: str) -> None:
    # A referral or an enrolment is a fact: dated in the future it would start the
    # rapid-job-search clock (fidelity item 15) and the caseload before it happened.
    today = clock.program_today(scope.organisation)
    errors = {
        name: _("This date cannot be in the future.")
        for name in names
        if isinstance(details.get(name), datetime.date) and details[name] > today
    }
    if errors:
        raise ValidationError(errors)


def _date_disclosure_talk(job_seeker: JobSeeker, *, scope: AccessScope) -> None:
    # Fidelity item "disclosure": was disclosure discussed before the first employer
    # contact on the person's behalf? The first preference recorded dates the talk.
    if (
        job_seeker.disclosure_preference != JobSeeker.Disclosure.UNDECIDED
        and job_seeker.disclosure_discussed_on is None
    ):
        job_seeker.disclosure_discussed_on = clock.program_today(scope.organisation)


def _restart_job_search(job_seeker: JobSeeker, *, on: datetime.date) -> None:
    # The rapid-job-search clock (fidelity item "rapid job search") restarts at each
    # return to job search: the first employer contact is counted from here.
    job_seeker.job_search_since = on
    job_seeker.first_employer_contact_on = None


@transaction.atomic
def job_seeker_create(
    *,
    scope: AccessScope,
    specialist_id: int | None = None,
    details: JobSeekerFields,
    profile: CareerProfileFields | None = None,
    preference: JobPreferenceFields | None = None,
) -> JobSeeker:
    """A new job seeker on `specialist_id`'s caseload (default: the acting user's).

    Raises OutOfScope outside a program, ValidationError on any invalid field
    (including a specialist the scope may not assign to)."""
    if not scope.in_program:
        raise OutOfScope
    details = allowed(details, JobSeekerFields)
    profile = allowed(profile, CareerProfileFields)
    preference = allowed(preference, JobPreferenceFields)
    check_sane_dates(referral_date=details.get("referral_date"), enrolment_date=details.get("enrolment_date"))
    _check_not_ahead(scope, details, "referral_date", "enrolment_date")
    specialist = _assignable(scope, specialist_id or getattr(scope.user, "pk", None))
    job_seeker = JobSeeker(organisation=scope.organisation, specialist=specialist, **details)
    job_seeker.job_search_since = job_seeker.enrolment_date
    _date_disclosure_talk(job_seeker, scope=scope)
    locations.prepare(job_seeker, address_before="", point_before=(None, None), point_given=True)
    job_seeker.full_clean()
    job_seeker.save()
    locations.send_on_commit(job_seeker)
    JobSeekerStatusChange.objects.create(
        job_seeker=job_seeker, from_status="", to_status=job_seeker.status, changed_by=scope.actor
    )
    _save_profile(job_seeker, profile)
    _save_preference(job_seeker, preference)
    if job_seeker.enrolment_date:
        _emit_enrolled(job_seeker, scope=scope, reentry=False)
    return job_seeker


@transaction.atomic
def job_seeker_update(
    *,
    scope: AccessScope,
    job_seeker_id: int,
    details: JobSeekerFields | None = None,
    specialist_id: int | None = None,
    profile: CareerProfileFields | None = None,
    preference: JobPreferenceFields | None = None,
) -> JobSeeker:
    """Change what is known of a job seeker the scope may edit. The status changes only
    through job_seeker_change_status (and the placement lifecycle).

    A new `specialist_id` reassigns the person: `jobseeker.reassigned` is emitted and its
    handler hands the open support tasks to the new specialist. Enrolment set for the
    first time starts the rapid-job-search clock and emits `jobseeker.enrolled`.
    Raises OutOfScope, ValidationError."""
    details = allowed(details, JobSeekerFields)
    profile = allowed(profile, CareerProfileFields)
    preference = allowed(preference, JobPreferenceFields)
    job_seeker = job_seeker_lock(scope, job_seeker_id)
    check_sane_dates(referral_date=details.get("referral_date"), enrolment_date=details.get("enrolment_date"))
    _check_not_ahead(scope, details, "referral_date", "enrolment_date")
    previous_specialist_id = job_seeker.specialist_id
    if specialist_id is not None and specialist_id != previous_specialist_id:
        job_seeker.specialist = _assignable(scope, specialist_id)
    newly_enrolled = job_seeker.enrolment_date is None and details.get("enrolment_date") is not None
    address_before, point_before = locations.address_text(job_seeker), locations.point_of(job_seeker)
    for name, value in details.items():
        setattr(job_seeker, name, value)
    if newly_enrolled and job_seeker.job_search_since is None:
        job_seeker.job_search_since = job_seeker.enrolment_date
    _date_disclosure_talk(job_seeker, scope=scope)
    locations.prepare(
        job_seeker,
        address_before=address_before,
        point_before=point_before,
        point_given="latitude" in details or "longitude" in details,
    )
    job_seeker.full_clean()
    job_seeker.save()
    locations.send_on_commit(job_seeker)
    if profile:
        _save_profile(job_seeker, profile)
    if preference:
        _save_preference(job_seeker, preference)
    if newly_enrolled:
        _emit_enrolled(job_seeker, scope=scope, reentry=False)
    if job_seeker.specialist_id != previous_specialist_id:
        events.emit(
            topic="jobseeker.reassigned",
            organisation_id=job_seeker.organisation_id,
            aggregate_type="jobseeker",
            aggregate_id=job_seeker.pk,
            payload={
                "job_seeker_id": job_seeker.pk,
                "from_specialist_id": previous_specialist_id,
                "to_specialist_id": job_seeker.specialist_id,
            },
            actor=scope.actor,
        )
    return job_seeker


@transaction.atomic
def job_seeker_change_status(*, scope: AccessScope, job_seeker_id: int, status: str, note: str = "") -> JobSeeker:
    """A status set by hand. Back to job search restarts the rapid-job-search clock
    today, exactly as after a job end. Raises OutOfScope, ValidationError."""
    if status not in JobSeeker.Status.values:
        raise ValidationError({"status": _("Unknown status.")})
    job_seeker = job_seeker_lock(scope, job_seeker_id)
    # A person with a job under way (offer accepted or working) is not closed by hand:
    # ending the job is what ends follow-along (placements' statuses, read here).
    if status == JobSeeker.Status.CLOSED and job_seeker.placements.filter(status__in=JOBS_UNDER_WAY).exists():
        raise ValidationError({"status": _("End the current job first: its follow-along is still running.")})
    if status == JobSeeker.Status.JOB_SEARCH and job_seeker.status != JobSeeker.Status.JOB_SEARCH:
        today = clock.program_today(scope.organisation)
        return _reenter_job_search(job_seeker, scope=scope, on=today, note=note, dedup_key=None)
    if _status_change(job_seeker, status, scope=scope, note=note):
        job_seeker.save(update_fields=["status", "updated_at"])
    return job_seeker


@transaction.atomic
def job_seeker_step_down(*, scope: AccessScope, job_seeker_id: int, note: str = "") -> JobSeeker:
    """Follow-along stepped down with the worker's agreement (placements calls this
    inside its transaction): the person, still working, leaves the active caseload
    (closed). Fidelity item "time-unlimited follow-along supports". Idempotent. Raises
    OutOfScope."""
    job_seeker = job_seeker_lock(scope, job_seeker_id)
    if _status_change(job_seeker, JobSeeker.Status.CLOSED, scope=scope, note=note):
        job_seeker.save(update_fields=["status", "updated_at"])
    return job_seeker


@transaction.atomic
def job_seeker_set_working(*, scope: AccessScope, job_seeker_id: int, note: str = "") -> JobSeeker:
    """The person started a job (called by placement_start inside its transaction)."""
    job_seeker = job_seeker_lock(scope, job_seeker_id)
    if _status_change(job_seeker, JobSeeker.Status.WORKING, scope=scope, note=note):
        job_seeker.save(update_fields=["status", "updated_at"])
    return job_seeker


def _reenter_job_search(
    job_seeker: JobSeeker, *, scope: AccessScope, on: datetime.date, note: str, dedup_key: str | None
) -> JobSeeker:
    _status_change(job_seeker, JobSeeker.Status.JOB_SEARCH, scope=scope, note=note)
    _restart_job_search(job_seeker, on=on)
    job_seeker.save(update_fields=["status", "job_search_since", "first_employer_contact_on", "updated_at"])
    _emit_enrolled(job_seeker, scope=scope, reentry=True, dedup_key=dedup_key)
    return job_seeker


@transaction.atomic
def job_seeker_reenter_job_search(
    *, scope: AccessScope, job_seeker_id: int, on: datetime.date, note: str = "", dedup_key: str | None = None
) -> JobSeeker:
    """Back in job search (after a job end, or set by hand): status job search, the
    rapid-job-search clock restarts at `on`, `jobseeker.enrolled` (reentry) is emitted,
    once per `dedup_key`. Raises OutOfScope."""
    job_seeker = job_seeker_lock(scope, job_seeker_id)
    return _reenter_job_search(job_seeker, scope=scope, on=on, note=note, dedup_key=dedup_key)


@transaction.atomic
def job_seeker_record_first_employer_contact(*, scope: AccessScope, job_seeker_id: int, on: datetime.date) -> JobSeeker:
    """The rapid-job-search clock stops at the first face-to-face employer contact of
    the current job search (fidelity item "rapid job search"): `on`, a local date, is
    kept if it is the earliest since `job_search_since`; a contact before the current
    job search began changes nothing. Raises OutOfScope."""
    job_seeker = job_seeker_lock(scope, job_seeker_id)
    if job_seeker.job_search_since is None or on < job_seeker.job_search_since:
        return job_seeker
    if job_seeker.first_employer_contact_on is None or on < job_seeker.first_employer_contact_on:
        job_seeker.first_employer_contact_on = on
        job_seeker.save(update_fields=["first_employer_contact_on", "updated_at"])
    return job_seeker


# Where the person lives -------------------------------------------------------------


@transaction.atomic
def job_seeker_set_location(
    *,
    scope: AccessScope,
    job_seeker_id: int,
    latitude: Decimal | None,
    longitude: Decimal | None,
    precision: str = LocationPrecision.MANUAL,
) -> JobSeeker:
    """Set the point of the person's home for their current address: a pin set by hand
    on the map (precision "manual", kept until the address changes), or a point found
    elsewhere with its precision (the demo's). No coordinates: the pin is removed and
    the address located again. Raises OutOfScope (a person the scope may not edit),
    ValidationError (half a point, coordinates off the map, an unknown precision)."""
    if scope.user is None:  # staff only: a partner's key sets no pin
        raise OutOfScope
    job_seeker = job_seeker_lock(scope, job_seeker_id)
    locations.pin(job_seeker, latitude=latitude, longitude=longitude, precision=precision)
    return job_seeker


# Partners: referrals and consent to share -------------------------------------------


class ReferralFields(TypedDict, total=False):
    """What a referring partner may say about a person (integrations.api): contact
    details and the referral, never health details or the career profile."""

    first_name: str
    last_name: str
    email: str
    phone: str
    address: str
    postcode: str
    town: str
    referral_date: datetime.date
    receives_benefits: str


def _referral_source(partner: Partner) -> str:
    if partner.kind == Partner.Kind.MENTAL_HEALTH_TEAM:
        return JobSeeker.ReferralSource.MENTAL_HEALTH_TEAM
    return JobSeeker.ReferralSource.OTHER


@transaction.atomic
def job_seeker_refer(*, scope: AccessScope, details: ReferralFields) -> JobSeeker:
    """A partner refers a person to the program (IPS principle 2: nobody is screened
    out, so every referral is taken). The person joins the caseload of the staff member
    the partner's referrals go to (`Partner.referrals_to`), in job search, not yet
    enrolled; `referral_date` defaults to today in the program's zone. The partner sees
    this record from then on (`JobSeeker.referred_by_partner`).

    Raises OutOfScope for a scope that is not an active partner's, ValidationError on an
    invalid field or when the program has named nobody to receive the partner's
    referrals."""
    partner = getattr(scope, "partner", None)
    if partner is None or not partner.is_active:
        raise OutOfScope
    details = allowed(details, ReferralFields)
    details.setdefault("referral_date", clock.program_today(scope.organisation))
    check_sane_dates(referral_date=details.get("referral_date"))
    specialist = (
        User.objects.filter(pk=partner.referrals_to_id, organisation_id=scope.organisation_id, is_active=True).first()
        if partner.referrals_to_id
        else None
    )
    if specialist is None:
        raise ValidationError(
            _("The program has not named who receives your referrals yet. Please contact the program.")
        )
    job_seeker = JobSeeker(
        organisation=scope.organisation,
        specialist=specialist,
        referred_by_partner=partner,
        referral_source=_referral_source(partner),
        **details,
    )
    job_seeker.full_clean()
    job_seeker.save()
    JobSeekerStatusChange.objects.create(
        job_seeker=job_seeker,
        from_status="",
        to_status=job_seeker.status,
        changed_by=None,
        note=_("Referred by %(partner)s") % {"partner": partner.name},
    )
    locations.send_on_commit(job_seeker)
    return job_seeker


class SharingConsentFields(TypedDict, total=False):
    shares_progress: bool
    shares_support: bool
    shares_benefits: bool
    consented_by: str
    consented_on: datetime.date
    valid_until: datetime.date | None


@transaction.atomic
def sharing_consent_record(
    *, scope: AccessScope, job_seeker_id: int, partner_id: int, consent: SharingConsentFields
) -> SharingConsent:
    """Record that the job seeker agreed to share what `consent` covers with a partner
    of the program, as given by `consented_by` on `consented_on`, until `valid_until`
    (None: until withdrawn). Staff who may edit the person record it.

    Raises OutOfScope (the person), ValidationError (a partner of another program or an
    inactive one, nothing covered, a date given in the future, dates outside the policy
    or in the wrong order)."""
    job_seeker = job_seeker_lock(scope, job_seeker_id)
    consent = allowed(consent, SharingConsentFields)
    check_sane_dates(consented_on=consent.get("consented_on"), valid_until=consent.get("valid_until"))
    if consent.get("consented_on") and consent["consented_on"] > clock.program_today(scope.organisation):
        # A consent is a fact already given; a future date would also start sharing on a
        # day no record changes, unseen by partners' incremental syncs.
        raise ValidationError({"consented_on": _("Consent is recorded once given: this date is in the future.")})
    partner = scope.partners().filter(pk=partner_id, is_active=True).first()
    if partner is None:
        raise ValidationError({"partner": _("Choose a partner organisation of this program.")})
    record = SharingConsent(
        organisation_id=job_seeker.organisation_id,
        job_seeker=job_seeker,
        partner=partner,
        recorded_by=scope.user,
        **consent,
    )
    record.full_clean(exclude=["organisation", "recorded_by"])
    record.save()
    return record


@transaction.atomic
def sharing_consent_withdraw(*, scope: AccessScope, consent_id: int) -> SharingConsent:
    """The person withdrew this consent: the partner stops seeing what it covered at its
    next request, and its next incremental sync lists what it lost. Withdrawing twice
    changes nothing. Raises OutOfScope."""
    job_seeker_id = scope.get(
        SharingConsent.objects.filter(scope.caseload("job_seeker__", edit=True)).values_list(
            "job_seeker_id", flat=True
        ),
        pk=consent_id,
    )
    job_seeker_lock(scope, job_seeker_id)
    record = SharingConsent.objects.select_for_update().get(pk=consent_id)
    if record.withdrawn_at is None:
        record.withdrawn_at = timezone.now()
        record.withdrawn_by = scope.user
        record.save(update_fields=["withdrawn_at", "withdrawn_by", "updated_at"])
    return record


# Partner organisations (program admins) -----------------------------------------------


class PartnerFields(TypedDict, total=False):
    name: str
    kind: str
    referrals_to_id: int | None
    is_active: bool


def _require_partner_manager(scope: AccessScope) -> None:
    if not scope.manages_partners:
        raise OutOfScope


def _save_partner(scope: AccessScope, partner: Partner, details: Mapping[str, Any]) -> Partner:
    details = allowed(details, PartnerFields)
    if "referrals_to_id" in details:
        referrals_to_id = details.pop("referrals_to_id")
        if referrals_to_id is not None and not scope.assignable_specialists().filter(pk=referrals_to_id).exists():
            raise ValidationError({"referrals_to": _("Choose a specialist or team leader of this program.")})
        partner.referrals_to_id = referrals_to_id
    for name, value in details.items():
        setattr(partner, name, value)
    if "name" in details:
        partner.name = (partner.name or "").strip()
    partner.full_clean(exclude=["organisation", "referrals_to"], validate_unique=False)
    taken = Partner.objects.filter(organisation_id=scope.organisation_id, name__iexact=partner.name)
    if taken.exclude(pk=partner.pk).exists():
        raise ValidationError({"name": _("The program already has a partner organisation of this name.")})
    partner.save()
    return partner


@transaction.atomic
def partner_create(*, scope: AccessScope, details: PartnerFields) -> Partner:
    """A new partner organisation of the program (program admins). Raises OutOfScope for
    anyone else, ValidationError on a name already used in the program, an unknown kind,
    or a `referrals_to` the program admin may not assign job seekers to."""
    _require_partner_manager(scope)
    return _save_partner(scope, Partner(organisation_id=scope.organisation_id), details)


@transaction.atomic
def partner_update(*, scope: AccessScope, partner_id: int, details: PartnerFields) -> Partner:
    """Change a partner organisation of the program (program admins); a partner made
    inactive refers nobody more and is offered for no new consent or benefits step.
    Raises OutOfScope, ValidationError."""
    _require_partner_manager(scope)
    partner = scope.get_for_update(scope.partners(), pk=partner_id)
    return _save_partner(scope, partner, details)
