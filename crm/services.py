"""Writes on the core domain. Each function is one transaction and checks access."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from crm.models import CareerProfile, JobPreference, JobSeeker, JobSeekerStatusChange, User
from crm.selectors import specialists_assignable_by, user_may_edit_job_seeker

PREFERENCE_M2M = ("job_types", "industries", "avoid_job_types", "avoid_industries")


def _set_fields(instance, fields: dict) -> dict:
    """Assign plain fields; return the many-to-many ones for after the save."""
    m2m = {}
    for name, value in fields.items():
        if name in PREFERENCE_M2M:
            m2m[name] = value
        else:
            setattr(instance, name, value)
    return m2m


def _check_specialist(actor: User, specialist: User) -> None:
    if not specialists_assignable_by(actor).filter(pk=specialist.pk).exists():
        raise ValidationError({"specialist": _("You cannot assign job seekers to this person.")})


def _save_profile_and_preference(job_seeker, profile: dict, preference: dict) -> None:
    career_profile, _created = CareerProfile.objects.get_or_create(job_seeker=job_seeker)
    _set_fields(career_profile, profile)
    career_profile.full_clean()
    career_profile.save()
    job_preference, _created = JobPreference.objects.get_or_create(job_seeker=job_seeker)
    m2m = _set_fields(job_preference, preference)
    job_preference.full_clean()
    job_preference.save()
    for name, values in m2m.items():
        getattr(job_preference, name).set(values)


@transaction.atomic
def job_seeker_create(*, actor: User, fields: dict, profile: dict, preference: dict) -> JobSeeker:
    if actor.organisation_id is None:
        raise PermissionDenied
    fields = dict(fields)
    specialist = fields.pop("specialist", None) or actor
    _check_specialist(actor, specialist)
    job_seeker = JobSeeker(organisation_id=actor.organisation_id, specialist=specialist)
    _set_fields(job_seeker, fields)
    job_seeker.full_clean()
    job_seeker.save()
    JobSeekerStatusChange.objects.create(
        job_seeker=job_seeker, from_status="", to_status=job_seeker.status, changed_by=actor
    )
    _save_profile_and_preference(job_seeker, profile, preference)
    return job_seeker


@transaction.atomic
def job_seeker_update(
    *, actor: User, job_seeker: JobSeeker, fields: dict, profile: dict, preference: dict
) -> JobSeeker:
    if not user_may_edit_job_seeker(actor, job_seeker):
        raise PermissionDenied
    fields = dict(fields)
    fields.pop("status", None)  # status changes go through job_seeker_change_status
    specialist = fields.pop("specialist", None)
    if specialist is not None and specialist.pk != job_seeker.specialist_id:
        _check_specialist(actor, specialist)
        job_seeker.specialist = specialist
    _set_fields(job_seeker, fields)
    job_seeker.full_clean()
    job_seeker.save()
    _save_profile_and_preference(job_seeker, profile, preference)
    return job_seeker


@transaction.atomic
def job_seeker_change_status(*, actor: User, job_seeker: JobSeeker, status: str, note: str = "") -> JobSeeker:
    if not user_may_edit_job_seeker(actor, job_seeker):
        raise PermissionDenied
    if status not in JobSeeker.Status.values:
        raise ValidationError({"status": _("Unknown status.")})
    if status == job_seeker.status:
        return job_seeker
    job_seeker = JobSeeker.objects.select_for_update().get(pk=job_seeker.pk)
    JobSeekerStatusChange.objects.create(
        job_seeker=job_seeker, from_status=job_seeker.status, to_status=status, changed_by=actor, note=note
    )
    job_seeker.status = status
    job_seeker.save(update_fields=["status", "updated_at"])
    return job_seeker
