"""Writes on the employer contact log (IPS systematic job development).

Each service is one transaction, takes the access scope and explicit keyword
arguments (ids, not instances), locks its contact through the scope (OutOfScope: 404)
and validates the rules on the model (EmployerContact.clean) and here
(ValidationError). A held contact emits `employer_contact.held`, whose handlers move
the employer relationship forward and stop the rapid-job-search clock."""

import datetime
from collections.abc import Iterable
from typing import TypedDict

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crm import clock, events
from crm.access import AccessScope, OutOfScope
from crm.dates import check_sane_dates
from crm.models import JobSeeker, JobType
from crm.services import STATE_CONFLICT, allowed
from employers.selectors import contact_persons_visible, employer_sites_visible, employers_visible
from jobdev.models import EmployerContact
from jobdev.selectors import employer_contacts_editable, suggested_nature

DISCLOSURE_NOT_DISCUSSED = "disclosure_not_discussed"

# A contact is recorded as held once it has begun; a few minutes' grace for clocks.
HELD_GRACE = datetime.timedelta(minutes=5)
LOGGED_LENGTH = datetime.timedelta(minutes=15)


class ContactOutcomeFields(TypedDict, total=False):
    """What was learned at a held contact (the job development log's columns)."""

    nature: str
    contact_person_id: int | None
    met_hiring_authority: bool | None
    learned_hiring_needs: str
    learned_job_types: Iterable[JobType | int]
    learned_hiring_process: str
    best_time_to_apply: str
    result: str
    next_step: str
    next_step_on: datetime.date | None


def _site(scope: AccessScope, employer_id: int, site_id: int | None):
    if site_id is None:
        return None
    site = employer_sites_visible(scope).filter(pk=site_id, employer_id=employer_id).first()
    if site is None:
        raise ValidationError({"site": _("This site belongs to another employer.")})
    return site


def _contact_person(scope: AccessScope, employer_id: int, contact_person_id: int | None):
    if contact_person_id is None:
        return None
    person = contact_persons_visible(scope).filter(pk=contact_person_id, employer_id=employer_id).first()
    if person is None:
        raise ValidationError({"contact_person": _("This person works for another employer.")})
    return person


def _on_behalf_of(scope: AccessScope, job_seeker_ids: Iterable[int], purpose: str) -> list[int]:
    ids = sorted(set(job_seeker_ids or ()))
    if len(scope.job_seekers(edit=True).filter(pk__in=ids).values("pk")) != len(ids):
        raise ValidationError({"job_seekers": _("Contacts are made on behalf of job seekers of your own caseload.")})
    if purpose == EmployerContact.Purpose.ON_BEHALF and not ids:
        raise ValidationError({"job_seekers": _("Name the job seekers this contact is for.")})
    return ids


def _check_disclosure_discussed(job_seeker_ids: list[int]) -> None:
    undecided = JobSeeker.objects.filter(pk__in=job_seeker_ids, disclosure_preference=JobSeeker.Disclosure.UNDECIDED)
    names = sorted(person.full_name for person in undecided)
    if names:
        raise ValidationError(
            {
                "job_seekers": ValidationError(
                    _(
                        "Disclosure has not been discussed yet with %(names)s. Talk it over before contacting "
                        "employers on their behalf, or confirm that you go ahead."
                    )
                    % {"names": ", ".join(names)},
                    code=DISCLOSURE_NOT_DISCUSSED,
                )
            }
        )


def _emit_held(contact: EmployerContact, scope: AccessScope) -> None:
    events.emit(
        topic="employer_contact.held",
        organisation_id=contact.organisation_id,
        aggregate_type="employer_contact",
        aggregate_id=contact.pk,
        payload={
            "employer_contact_id": contact.pk,
            "employer_id": contact.employer_id,
            "mode": contact.mode,
            "purpose": contact.purpose,
            "job_seeker_ids": sorted(contact.job_seekers.values_list("pk", flat=True)),
            "held_at": contact.starts_at.isoformat(),
        },
        actor=scope.actor,
        dedup_key=f"employer_contact:{contact.pk}:held",
    )


def _lock(scope: AccessScope, contact_id: int) -> EmployerContact:
    return scope.get_for_update(employer_contacts_editable(scope), pk=contact_id)


@transaction.atomic
def employer_contact_plan(
    *,
    scope: AccessScope,
    employer_id: int,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    mode: str = EmployerContact.Mode.IN_PERSON,
    purpose: str = EmployerContact.Purpose.ON_BEHALF,
    job_seeker_ids: Iterable[int] = (),
    site_id: int | None = None,
    contact_person_id: int | None = None,
    nature: str | None = None,
    next_step: str = "",
    confirmed: bool = False,
    disclosure_confirmed: bool = False,
) -> EmployerContact:
    """Plan a contact with one of the program's employers, for the acting specialist,
    on behalf of job seekers of their own caseload (or relationship-building).

    Fidelity item "disclosure": the specialist discusses disclosure with the person
    before contacting employers on their behalf. A contact on behalf of someone whose
    preference is still "not yet discussed" is refused (code "disclosure_not_discussed",
    naming them) unless `disclosure_confirmed` says the specialist goes ahead anyway.

    `starts_at` and `ends_at` are aware datetimes, the end strictly after the start and
    at most 12 hours later. `nature` (first, second, ongoing meeting) defaults to the
    suggestion from the program's earlier held contacts with the employer.
    Raises OutOfScope (no specialist behind the scope), ValidationError (among
    others: an employer, site, person or job seeker the scope may not use)."""
    if scope.user is None:
        raise OutOfScope
    check_sane_dates(starts_at=starts_at, ends_at=ends_at)
    starts_at, ends_at = clock.checked_span(starts_at, ends_at)  # the rule for clock changes
    employer = employers_visible(scope).filter(pk=employer_id).first()
    if employer is None:
        raise ValidationError({"employer": _("Choose one of your program's employers.")})
    ids = _on_behalf_of(scope, job_seeker_ids, purpose)
    if not disclosure_confirmed:
        _check_disclosure_discussed(ids)
    contact = EmployerContact(
        organisation=scope.organisation,
        specialist=scope.user,
        employer=employer,
        site=_site(scope, employer.pk, site_id),
        contact_person=_contact_person(scope, employer.pk, contact_person_id),
        starts_at=starts_at,
        ends_at=ends_at,
        mode=mode,
        purpose=purpose,
        nature=nature or suggested_nature(employer.pk),
        next_step=next_step,
        confirmed=confirmed,
    )
    contact.full_clean()
    contact.save()
    contact.job_seekers.set(ids)
    return contact


@transaction.atomic
def employer_contact_reschedule(
    *,
    scope: AccessScope,
    contact_id: int,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    site_id: int | None = None,
    contact_person_id: int | None = None,
    confirmed: bool | None = None,
) -> EmployerContact:
    """Move a planned contact, or change its place, person or confirmation: the values
    given replace the contact's (`site_id` or `contact_person_id` None: none), as the
    reschedule form sends them all; `confirmed` None keeps it. Calendars see a new
    SEQUENCE when the time, place or confirmation changes (RFC 5545 3.8.7.4).
    Raises OutOfScope, ValidationError."""
    contact = _lock(scope, contact_id)
    if contact.status != EmployerContact.Status.PLANNED:
        raise ValidationError(_("Only a planned contact can be rescheduled."), code=STATE_CONFLICT)
    check_sane_dates(starts_at=starts_at, ends_at=ends_at)
    starts_at, ends_at = clock.checked_span(starts_at, ends_at)  # the rule for clock changes
    site = _site(scope, contact.employer_id, site_id)
    confirmed = contact.confirmed if confirmed is None else confirmed
    changed = (contact.starts_at, contact.ends_at, contact.site_id, contact.confirmed) != (
        starts_at,
        ends_at,
        site_id,
        confirmed,
    )
    contact.starts_at, contact.ends_at, contact.site = starts_at, ends_at, site
    contact.contact_person = _contact_person(scope, contact.employer_id, contact_person_id)
    contact.confirmed = confirmed
    if changed:
        contact.sequence += 1
    contact.full_clean()
    contact.save()
    return contact


@transaction.atomic
def employer_contact_cancel(*, scope: AccessScope, contact_id: int, reason: str) -> EmployerContact:
    """Cancel a planned contact, saying why. Raises OutOfScope, ValidationError."""
    contact = _lock(scope, contact_id)
    if contact.status != EmployerContact.Status.PLANNED:
        raise ValidationError(_("Only a planned contact can be cancelled."), code=STATE_CONFLICT)
    contact.status = EmployerContact.Status.CANCELLED
    contact.cancel_reason = reason.strip()
    contact.sequence += 1
    contact.full_clean()
    contact.save()
    return contact


@transaction.atomic
def employer_contact_hold(
    *, scope: AccessScope, contact_id: int, outcome: ContactOutcomeFields | None = None, no_show: bool = False
) -> EmployerContact:
    """Turn a planned contact into a held one (or a no-show) with what was learned.

    A contact is held once it has begun: one that starts more than 5 minutes from now
    is refused, so a future visit never counts in the fidelity figures nor stops the
    rapid-job-search clock. The visit's aim (`next_step` while planned) gives way to
    the outcome's next step, which needs a date. Raises OutOfScope, ValidationError."""
    outcome = allowed(outcome, ContactOutcomeFields)
    contact = _lock(scope, contact_id)
    if contact.status != EmployerContact.Status.PLANNED:
        raise ValidationError(_("Only a planned contact can be marked as held."), code=STATE_CONFLICT)
    check_sane_dates(next_step_on=outcome.get("next_step_on"))
    if contact.starts_at > timezone.now() + HELD_GRACE:
        raise ValidationError(_("This contact has not taken place yet: record its outcome once it has."))
    if "contact_person_id" in outcome and outcome["contact_person_id"] is not None:
        contact.contact_person = _contact_person(scope, contact.employer_id, outcome["contact_person_id"])
    # The aim of the visit gives way to the next step agreed (none if none is given).
    contact.next_step, contact.next_step_on = "", None
    for name, value in outcome.items():
        if name in ("contact_person_id", "learned_job_types") or (name == "nature" and not value):
            continue
        setattr(contact, name, value)
    contact.status = EmployerContact.Status.NO_SHOW if no_show else EmployerContact.Status.HELD
    contact.sequence += 1
    contact.full_clean()
    contact.save()
    if "learned_job_types" in outcome:
        contact.learned_job_types.set({getattr(t, "pk", t) for t in outcome["learned_job_types"] or ()})
    if not no_show:
        _emit_held(contact, scope)
    return contact


@transaction.atomic
def employer_contact_log(
    *,
    scope: AccessScope,
    employer_id: int,
    occurred_at: datetime.datetime,
    mode: str,
    purpose: str,
    job_seeker_ids: Iterable[int] = (),
    contact_person_id: int | None = None,
    outcome: ContactOutcomeFields | None = None,
) -> EmployerContact:
    """Log a contact that already happened (a quick phone call or email, or a visit
    that was not planned here), as 15 minutes from `occurred_at`. Raises OutOfScope,
    ValidationError (among others: `occurred_at` in the future)."""
    check_sane_dates(occurred_at=occurred_at, next_step_on=(outcome or {}).get("next_step_on"))
    occurred_at = clock.utc(clock.require_existing(occurred_at, field="occurred_at"))
    if occurred_at > timezone.now() + HELD_GRACE:
        raise ValidationError({"occurred_at": _("A contact is logged once it has happened.")})
    contact = employer_contact_plan(
        scope=scope,
        employer_id=employer_id,
        starts_at=occurred_at,
        ends_at=occurred_at + LOGGED_LENGTH,
        mode=mode,
        purpose=purpose,
        job_seeker_ids=job_seeker_ids,
        contact_person_id=contact_person_id,
        # It already happened: the record keeps the fact, and the disclosure item
        # counts it as a contact before the talk.
        disclosure_confirmed=True,
    )
    return employer_contact_hold(
        scope=scope, contact_id=contact.pk, outcome={**(outcome or {}), "contact_person_id": contact_person_id}
    )
