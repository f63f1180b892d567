"""Writes on the core domain. Each function is one transaction and checks access."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from crm import events
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
    job_seeker.job_search_since = job_seeker.enrolment_date
    job_seeker.full_clean()
    job_seeker.save()
    JobSeekerStatusChange.objects.create(
        job_seeker=job_seeker, from_status="", to_status=job_seeker.status, changed_by=actor
    )
    _save_profile_and_preference(job_seeker, profile, preference)
    if job_seeker.enrolment_date:
        _emit_enrolled(job_seeker, actor=actor, reentry=False)
    return job_seeker


def _emit_enrolled(job_seeker: JobSeeker, *, actor, reentry: bool, dedup_key: str | None = None) -> None:
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
        actor=actor,
    )


def _set_status(job_seeker: JobSeeker, status: str, *, actor, note: str = "") -> JobSeeker:
    job_seeker = JobSeeker.objects.select_for_update().get(pk=job_seeker.pk)
    if status != job_seeker.status:
        JobSeekerStatusChange.objects.create(
            job_seeker=job_seeker,
            from_status=job_seeker.status,
            to_status=status,
            changed_by=actor if getattr(actor, "pk", None) else None,
            note=note,
        )
        job_seeker.status = status
        job_seeker.save(update_fields=["status", "updated_at"])
    return job_seeker


@transaction.atomic
def job_seeker_set_working(*, job_seeker: JobSeeker, actor, note: str = "") -> JobSeeker:
    """Called by placement services when a job starts (access already checked there)."""
    return _set_status(job_seeker, JobSeeker.Status.WORKING, actor=actor, note=note)


@transaction.atomic
def job_seeker_reenter_job_search(
    *, job_seeker: JobSeeker, on, actor=None, note: str = "", dedup_key: str
) -> JobSeeker:
    """Back in job search after a job end: the rapid-job-search clock restarts at `on`.

    Called by the job-end handler (a system action, hence no access check)."""
    job_seeker = _set_status(job_seeker, JobSeeker.Status.JOB_SEARCH, actor=actor, note=note)
    job_seeker.job_search_since = on
    job_seeker.first_employer_contact_on = None  # a new job search: the clock restarts
    job_seeker.save(update_fields=["job_search_since", "first_employer_contact_on", "updated_at"])
    _emit_enrolled(job_seeker, actor=actor, reentry=True, dedup_key=dedup_key)
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
    # The stored value, not the instance's: a bound ModelForm has already changed the instance.
    stored_enrolment = (
        JobSeeker.objects.select_for_update().filter(pk=job_seeker.pk).values_list("enrolment_date", flat=True).get()
    )
    newly_enrolled = stored_enrolment is None and fields.get("enrolment_date") is not None
    _set_fields(job_seeker, fields)
    if newly_enrolled and job_seeker.job_search_since is None:
        job_seeker.job_search_since = job_seeker.enrolment_date
    job_seeker.full_clean()
    job_seeker.save()
    _save_profile_and_preference(job_seeker, profile, preference)
    if newly_enrolled:
        _emit_enrolled(job_seeker, actor=actor, reentry=False)
    return job_seeker


@transaction.atomic
def job_seeker_change_status(*, actor: User, job_seeker: JobSeeker, status: str, note: str = "") -> JobSeeker:
    if not user_may_edit_job_seeker(actor, job_seeker):
        raise PermissionDenied
    if status not in JobSeeker.Status.values:
        raise ValidationError({"status": _("Unknown status.")})
    return _set_status(job_seeker, status, actor=actor, note=note)
