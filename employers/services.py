"""Writes on employers, their sites, contact persons and job openings.

Each service is one transaction, takes the access scope and explicit fields (checked
against the TypedDicts below), fetches and locks its rows through the scope
(OutOfScope: 404) and validates the rules on the model (ValidationError)."""

import datetime
from decimal import Decimal
from typing import TypedDict

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from crm import locations
from crm.access import AccessScope, OutOfScope
from crm.dates import check_sane_dates
from crm.models import Industry, JobType, LocationPrecision
from crm.services import allowed
from employers.models import ContactPerson, Employer, EmployerSite, JobOpening
from employers.selectors import contact_persons_visible, employer_sites_visible, employers_visible, job_openings_visible


class EmployerFields(TypedDict, total=False):
    name: str
    industry: Industry | None
    nace_code: str
    size: str
    website: str
    description: str


class EmployerSiteFields(TypedDict, total=False):
    name: str
    address: str
    postcode: str
    town: str
    latitude: Decimal | None
    longitude: Decimal | None


class ContactPersonFields(TypedDict, total=False):
    name: str
    role: str
    site: EmployerSite | None
    has_hiring_authority: bool
    preferred_channel: str
    phone: str
    email: str


class JobOpeningFields(TypedDict, total=False):
    title: str
    job_type: JobType | None
    site: EmployerSite | None
    hours_per_week: int | None
    shifts: list[str]
    hourly_pay: Decimal | None
    status: str
    source: str
    learned_on: datetime.date
    note: str


STAGE_ORDER = [stage.value for stage in Employer.RelationshipStage]


def _save(instance, fields: dict):
    for name, value in fields.items():
        setattr(instance, name, value)
    instance.full_clean()
    instance.save()
    return instance


def _touch(employer: Employer) -> None:
    # Sites and contact persons are part of the employer's record: a change to them is
    # a change of the employer for whoever syncs employers by `updated_at` (the API).
    employer.save(update_fields=["updated_at"])


def employer_lock(scope: AccessScope, employer_id: int) -> Employer:
    """The scope's employer, locked until the end of the caller's transaction, last in
    the lock order (docs/events.md). FOR NO KEY UPDATE: its writers change no key, so a
    transaction that inserts a row pointing at the employer (a contact logged, a
    placement offered) does not wait for it when its foreign key is checked (a key
    share lock, at commit). Raises OutOfScope."""
    return scope.get(
        employers_visible(scope).select_related(None).select_for_update(of=("self",), no_key=True), pk=employer_id
    )


@transaction.atomic
def employer_create(
    *,
    scope: AccessScope,
    details: EmployerFields,
    relationship_stage: str | None = None,
    site: EmployerSiteFields | None = None,
    contact_person: ContactPersonFields | None = None,
) -> Employer:
    """A new employer of the scope's program, optionally with its first site and a
    contact person (met at that site). Raises OutOfScope, ValidationError."""
    if not scope.in_program:
        raise OutOfScope
    employer = _save(Employer(organisation=scope.organisation, created_by=scope.user), allowed(details, EmployerFields))
    if relationship_stage:
        employer_relationship_set(scope=scope, employer_id=employer.pk, stage=relationship_stage, forward_only=False)
        employer.refresh_from_db(fields=["relationship_stage"])
    saved_site = _save_site(EmployerSite(employer=employer), allowed(site, EmployerSiteFields)) if site else None
    if contact_person:
        _save(ContactPerson(employer=employer, site=saved_site), allowed(contact_person, ContactPersonFields))
    return employer


@transaction.atomic
def employer_update(
    *, scope: AccessScope, employer_id: int, details: EmployerFields, relationship_stage: str | None = None
) -> Employer:
    """Change an employer. A relationship stage chosen by hand may go back (a contact
    person left, the relationship starts over). Raises OutOfScope, ValidationError."""
    employer = _save(employer_lock(scope, employer_id), allowed(details, EmployerFields))
    if relationship_stage is not None:
        employer_relationship_set(scope=scope, employer_id=employer.pk, stage=relationship_stage, forward_only=False)
        employer.refresh_from_db(fields=["relationship_stage"])
    return employer


@transaction.atomic
def employer_relationship_set(*, scope: AccessScope, employer_id: int, stage: str, forward_only: bool = True) -> bool:
    """The one writer of `Employer.relationship_stage` (not contacted, introduced,
    relationship, has hired from us). Events move it forward only (a held contact, a
    job start); a person editing the employer may set any stage. Returns whether it
    changed. Raises OutOfScope, ValidationError (unknown stage)."""
    if stage not in STAGE_ORDER:
        raise ValidationError({"relationship_stage": _("Choose a relationship stage from the list.")})
    employer = employer_lock(scope, employer_id)
    if employer.relationship_stage == stage:
        return False
    if forward_only and STAGE_ORDER.index(stage) < STAGE_ORDER.index(employer.relationship_stage):
        return False
    employer.relationship_stage = stage
    employer.save(update_fields=["relationship_stage", "updated_at"])
    return True


@transaction.atomic
def employer_site_save(
    *, scope: AccessScope, employer_id: int, details: EmployerSiteFields, site_id: int | None = None
) -> EmployerSite:
    """Add a site to an employer, or change one of its sites. Raises OutOfScope, ValidationError."""
    # Lock order: the employer, then the site (as the background job, crm.locations).
    employer = employer_lock(scope, employer_id)
    site = (
        scope.get_for_update(employer_sites_visible(scope).filter(employer=employer), pk=site_id)
        if site_id
        else EmployerSite(employer=employer)
    )
    site = _save_site(site, allowed(details, EmployerSiteFields))
    _touch(employer)
    return site


# Where a site is ------------------------------------------------------------------------


def _save_site(site: EmployerSite, fields: dict) -> EmployerSite:
    """Save a site's fields; its point follows its address (crm.locations): coordinates
    given are a pin set by hand, a changed address is located again after commit."""
    address_before = locations.address_text(site) if site.pk else ""
    point_before = locations.point_of(site) if site.pk else (None, None)
    for name, value in fields.items():
        setattr(site, name, value)
    locations.prepare(
        site,
        address_before=address_before,
        point_before=point_before,
        point_given="latitude" in fields or "longitude" in fields,
    )
    site.full_clean()
    site.save()
    locations.send_on_commit(site)
    return site


@transaction.atomic
def employer_site_set_location(
    *,
    scope: AccessScope,
    employer_id: int,
    site_id: int,
    latitude: Decimal | None,
    longitude: Decimal | None,
    precision: str = LocationPrecision.MANUAL,
) -> EmployerSite:
    """Set the point of a site for its current address: a pin set by hand on the map
    (precision "manual", kept until the address changes) or a point found elsewhere with
    its precision (the demo's). No coordinates: the pin is removed and the address
    located again. Raises OutOfScope, ValidationError."""
    if scope.user is None:  # staff only: a partner's key sets no pin
        raise OutOfScope
    # Lock order: the employer, then the site (as the background job, crm.locations).
    employer = employer_lock(scope, employer_id)
    site = scope.get_for_update(employer_sites_visible(scope).filter(employer=employer), pk=site_id)
    locations.pin(site, latitude=latitude, longitude=longitude, precision=precision)
    _touch(employer)
    return site


@transaction.atomic
def contact_person_save(
    *, scope: AccessScope, employer_id: int, details: ContactPersonFields, contact_person_id: int | None = None
) -> ContactPerson:
    """Add or change someone who works at the employer; their site must be one of the
    employer's. Raises OutOfScope, ValidationError."""
    employer = employer_lock(scope, employer_id)
    person = (
        scope.get_for_update(contact_persons_visible(scope).filter(employer=employer), pk=contact_person_id)
        if contact_person_id
        else ContactPerson(employer=employer)
    )
    person = _save(person, allowed(details, ContactPersonFields))
    _touch(employer)
    return person


@transaction.atomic
def job_opening_save(
    *, scope: AccessScope, employer_id: int, details: JobOpeningFields, opening_id: int | None = None
) -> JobOpening:
    """Record a vacancy learned of at an employer (from a visit, the job seeker or the
    network), or change one. Raises OutOfScope, ValidationError."""
    employer = employer_lock(scope, employer_id)
    opening = (
        scope.get_for_update(job_openings_visible(scope).filter(employer=employer), pk=opening_id)
        if opening_id
        else JobOpening(employer=employer, created_by=scope.user)
    )
    details = allowed(details, JobOpeningFields)
    check_sane_dates(learned_on=details.get("learned_on"))
    return _save(opening, details)
