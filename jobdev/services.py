"""Writes on employer contacts. Held contacts emit `employer_contact.held`."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from crm import events
from crm.models import JobSeeker, User
from crm.selectors import job_seekers_editable_by
from employers.models import ContactPerson, Employer, EmployerSite
from employers.selectors import employers_visible_to
from jobdev.models import EmployerContact
from jobdev.selectors import employer_contacts_editable_by

OUTCOME_FIELDS = (
    "met_hiring_authority",
    "learned_hiring_needs",
    "learned_hiring_process",
    "best_time_to_apply",
    "result",
    "next_step",
    "next_step_on",
)


def suggested_nature(employer: Employer) -> str:
    """First, second or ongoing, from the program's earlier held contacts with the employer."""
    held = EmployerContact.objects.filter(employer=employer, status=EmployerContact.Status.HELD).count()
    return [EmployerContact.Nature.FIRST, EmployerContact.Nature.SECOND, EmployerContact.Nature.ONGOING][min(held, 2)]


def _check_parts(actor: User, employer: Employer, site, contact_person, job_seekers, purpose) -> None:
    if not employers_visible_to(actor).filter(pk=employer.pk).exists():
        raise ValidationError({"employer": _("Choose one of your program's employers.")})
    if site is not None and site.employer_id != employer.pk:
        raise ValidationError({"site": _("This site belongs to another employer.")})
    if contact_person is not None and contact_person.employer_id != employer.pk:
        raise ValidationError({"contact_person": _("This person works for another employer.")})
    job_seekers = list(job_seekers or [])
    allowed = set(
        job_seekers_editable_by(actor).filter(pk__in=[j.pk for j in job_seekers]).values_list("pk", flat=True)
    )
    if any(job_seeker.pk not in allowed for job_seeker in job_seekers):
        raise ValidationError({"job_seekers": _("Contacts are made on behalf of job seekers of your own caseload.")})
    if purpose == EmployerContact.Purpose.ON_BEHALF and not job_seekers:
        raise ValidationError({"job_seekers": _("Name the job seekers this contact is for.")})


def _check_times(starts_at: datetime.datetime, ends_at: datetime.datetime) -> None:
    if ends_at < starts_at:
        raise ValidationError({"ends_at": _("The end cannot be before the start.")})
    if ends_at - starts_at > datetime.timedelta(hours=12):
        raise ValidationError({"ends_at": _("A contact lasts at most 12 hours.")})


def _emit_held(contact: EmployerContact, actor) -> None:
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
        actor=actor,
        dedup_key=f"employer_contact:{contact.pk}:held",
    )


@transaction.atomic
def employer_contact_plan(
    *,
    actor: User,
    employer: Employer,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    mode: str = EmployerContact.Mode.IN_PERSON,
    purpose: str = EmployerContact.Purpose.ON_BEHALF,
    job_seekers: list[JobSeeker] | None = None,
    site: EmployerSite | None = None,
    contact_person: ContactPerson | None = None,
    nature: str | None = None,
    next_step: str = "",
    confirmed: bool = False,
) -> EmployerContact:
    if actor.organisation_id is None:
        raise PermissionDenied
    _check_parts(actor, employer, site, contact_person, job_seekers, purpose)
    _check_times(starts_at, ends_at)
    contact = EmployerContact(
        organisation_id=actor.organisation_id,
        specialist=actor,
        employer=employer,
        site=site,
        contact_person=contact_person,
        starts_at=starts_at,
        ends_at=ends_at,
        mode=mode,
        purpose=purpose,
        nature=nature or suggested_nature(employer),
        next_step=next_step,
        confirmed=confirmed,
    )
    contact.full_clean()
    contact.save()
    contact.job_seekers.set(job_seekers or [])
    return contact


def _locked(actor: User, contact: EmployerContact) -> EmployerContact:
    try:
        return employer_contacts_editable_by(actor).select_for_update(of=("self",)).get(pk=contact.pk)
    except EmployerContact.DoesNotExist as exc:
        raise PermissionDenied from exc


@transaction.atomic
def employer_contact_reschedule(
    *,
    actor: User,
    contact: EmployerContact,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    site: EmployerSite | None = None,
    contact_person: ContactPerson | None = None,
    confirmed: bool | None = None,
) -> EmployerContact:
    contact = _locked(actor, contact)
    if contact.status != EmployerContact.Status.PLANNED:
        raise ValidationError(_("Only a planned contact can be rescheduled."))
    _check_parts(actor, contact.employer, site, contact_person, list(contact.job_seekers.all()), contact.purpose)
    _check_times(starts_at, ends_at)
    confirmed = contact.confirmed if confirmed is None else confirmed
    # Time, place and confirmation (TENTATIVE or CONFIRMED) are what calendars show.
    changed = (contact.starts_at, contact.ends_at, contact.site_id, contact.confirmed) != (
        starts_at,
        ends_at,
        getattr(site, "pk", None),
        confirmed,
    )
    contact.starts_at, contact.ends_at, contact.site, contact.contact_person = starts_at, ends_at, site, contact_person
    contact.confirmed = confirmed
    if changed:
        contact.sequence += 1
    contact.save()
    return contact


@transaction.atomic
def employer_contact_cancel(*, actor: User, contact: EmployerContact, reason: str) -> EmployerContact:
    contact = _locked(actor, contact)
    if contact.status != EmployerContact.Status.PLANNED:
        raise ValidationError(_("Only a planned contact can be cancelled."))
    if not reason.strip():
        raise ValidationError({"cancel_reason": _("Say why the visit is cancelled.")})
    contact.status = EmployerContact.Status.CANCELLED
    contact.cancel_reason = reason.strip()
    contact.sequence += 1
    contact.save()
    return contact


def _apply_outcome(contact: EmployerContact, outcome: dict) -> None:
    for name in OUTCOME_FIELDS:
        if name in outcome:
            setattr(contact, name, outcome[name])
    if "nature" in outcome and outcome["nature"]:
        contact.nature = outcome["nature"]


@transaction.atomic
def employer_contact_hold(
    *, actor: User, contact: EmployerContact, outcome: dict, no_show: bool = False
) -> EmployerContact:
    """Turn a planned contact into a held one (or a no-show) with its outcome."""
    contact = _locked(actor, contact)
    if contact.status != EmployerContact.Status.PLANNED:
        raise ValidationError(_("Only a planned contact can be marked as held."))
    contact_person = outcome.get("contact_person")
    if contact_person is not None and contact_person.employer_id != contact.employer_id:
        raise ValidationError({"contact_person": _("This person works for another employer.")})
    if contact_person is not None:
        contact.contact_person = contact_person
    _apply_outcome(contact, outcome)
    contact.status = EmployerContact.Status.NO_SHOW if no_show else EmployerContact.Status.HELD
    contact.sequence += 1
    contact.full_clean()
    contact.save()
    if "learned_job_types" in outcome:
        contact.learned_job_types.set(outcome["learned_job_types"])
    if not no_show:
        _emit_held(contact, actor)
    return contact


@transaction.atomic
def employer_contact_log(
    *,
    actor: User,
    employer: Employer,
    occurred_at: datetime.datetime,
    mode: str,
    purpose: str,
    job_seekers: list[JobSeeker] | None = None,
    contact_person: ContactPerson | None = None,
    outcome: dict | None = None,
) -> EmployerContact:
    """Log a contact that already happened (a quick phone call or email, or a visit
    that was not planned here)."""
    if occurred_at > datetime.datetime.now(tz=occurred_at.tzinfo) + datetime.timedelta(minutes=5):
        raise ValidationError({"occurred_at": _("A contact is logged once it has happened.")})
    contact = employer_contact_plan(
        actor=actor,
        employer=employer,
        starts_at=occurred_at,
        ends_at=occurred_at + datetime.timedelta(minutes=15),
        mode=mode,
        purpose=purpose,
        job_seekers=job_seekers,
        contact_person=contact_person,
    )
    return employer_contact_hold(
        actor=actor, contact=contact, outcome={**(outcome or {}), "contact_person": contact_person}
    )
