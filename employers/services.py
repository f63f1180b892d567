"""Writes on employers, their sites and contact persons."""

from django.core.exceptions import PermissionDenied
from django.db import transaction

from crm.models import User
from employers.models import ContactPerson, Employer, EmployerSite, JobOpening
from employers.selectors import employers_visible_to


def _check_employer(actor: User, employer: Employer) -> None:
    if not employers_visible_to(actor).filter(pk=employer.pk).exists():
        raise PermissionDenied


def _save(instance, fields: dict):
    for name, value in fields.items():
        setattr(instance, name, value)
    instance.full_clean()
    instance.save()
    return instance


@transaction.atomic
def employer_create(
    *, actor: User, fields: dict, site: dict | None = None, contact_person: dict | None = None
) -> Employer:
    if actor.organisation_id is None:
        raise PermissionDenied
    employer = _save(Employer(organisation_id=actor.organisation_id, created_by=actor), fields)
    saved_site = _save(EmployerSite(employer=employer), site) if site else None
    if contact_person:
        _save(ContactPerson(employer=employer, site=saved_site), contact_person)
    return employer


@transaction.atomic
def employer_update(*, actor: User, employer: Employer, fields: dict) -> Employer:
    _check_employer(actor, employer)
    return _save(employer, fields)


@transaction.atomic
def employer_site_save(
    *, actor: User, employer: Employer, fields: dict, site: EmployerSite | None = None
) -> EmployerSite:
    _check_employer(actor, employer)
    if site is not None and site.employer_id != employer.pk:
        raise PermissionDenied
    return _save(site or EmployerSite(employer=employer), fields)


@transaction.atomic
def contact_person_save(
    *, actor: User, employer: Employer, fields: dict, contact_person: ContactPerson | None = None
) -> ContactPerson:
    _check_employer(actor, employer)
    if contact_person is not None and contact_person.employer_id != employer.pk:
        raise PermissionDenied
    chosen_site = fields.get("site")
    if chosen_site is not None and chosen_site.employer_id != employer.pk:
        raise PermissionDenied
    return _save(contact_person or ContactPerson(employer=employer), fields)


@transaction.atomic
def job_opening_save(*, actor: User, employer: Employer, fields: dict, opening: JobOpening | None = None) -> JobOpening:
    """Record a vacancy learned of at an employer (from a visit, the job seeker or the network)."""
    _check_employer(actor, employer)
    if opening is not None and opening.employer_id != employer.pk:
        raise PermissionDenied
    site = fields.get("site")
    if site is not None and site.employer_id != employer.pk:
        raise PermissionDenied
    return _save(opening or JobOpening(employer=employer, created_by=actor), fields)
