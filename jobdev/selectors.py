"""Reads on job development, with the access rules.

Employer contacts are visible across the program, like employers, so nobody
approaches an employer unaware of a colleague's visit; the job seekers a contact was
made for are shown only to those who may see those job seekers. A specialist edits
their own contacts, a team leader the team's, a program admin the program's."""

import datetime

from django.db.models import Exists, Min, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone

from crm.models import JobSeeker
from crm.selectors import job_seekers_visible_to, outside_any_program
from jobdev.models import EmployerContact


def employer_contacts_visible_to(user) -> QuerySet[EmployerContact]:
    if outside_any_program(user):
        return EmployerContact.objects.none()
    return EmployerContact.objects.filter(organisation_id=user.organisation_id).select_related(
        "employer", "site", "contact_person", "specialist"
    )


def employer_contacts_editable_by(user) -> QuerySet[EmployerContact]:
    contacts = employer_contacts_visible_to(user)
    if user.is_authenticated and user.is_program_admin:
        return contacts
    if user.is_authenticated and user.is_team_leader:
        return contacts.filter(Q(specialist=user) | Q(specialist__team__leader=user))
    return contacts.filter(specialist=user)


def with_visible_job_seekers(contacts: QuerySet[EmployerContact], user) -> QuerySet[EmployerContact]:
    """Prefetch each contact's job seekers, limited to those `user` may see."""
    return contacts.prefetch_related(
        Prefetch("job_seekers", queryset=job_seekers_visible_to(user), to_attr="visible_job_seekers")
    )


def week_contacts(user, *, monday: datetime.date, specialist=None) -> list[EmployerContact]:
    tz = timezone.get_current_timezone()
    start = datetime.datetime.combine(monday, datetime.time.min, tzinfo=tz)
    end = start + datetime.timedelta(days=7)
    contacts = employer_contacts_visible_to(user).filter(
        specialist=specialist or user, starts_at__gte=start, starts_at__lt=end
    )
    return list(with_visible_job_seekers(contacts, user).order_by("starts_at", "id"))


def face_to_face_contacts_for(job_seeker_ref) -> QuerySet[EmployerContact]:
    """Held face-to-face employer contacts on behalf of the job seeker `job_seeker_ref`
    (a pk or an OuterRef), since their job search began: the rapid-job-search clock."""
    return EmployerContact.objects.filter(
        job_seekers=job_seeker_ref,
        status=EmployerContact.Status.HELD,
        mode__in=EmployerContact.FACE_TO_FACE_MODES,
        purpose=EmployerContact.Purpose.ON_BEHALF,
    )


def with_rapid_search_clock(job_seekers: QuerySet[JobSeeker]) -> QuerySet[JobSeeker]:
    """Annotate `first_face_to_face_on`: the first face-to-face employer contact made for
    the person since `job_search_since` (None: none yet)."""
    first = (
        face_to_face_contacts_for(OuterRef("pk"))
        .filter(starts_at__date__gte=OuterRef("job_search_since"))
        .order_by()
        .values("job_seekers")
        .annotate(first=Min("starts_at"))
        .values("first")[:1]
    )
    return job_seekers.annotate(first_face_to_face_at=Subquery(first))


def contacts_without_recent_activity(job_seekers: QuerySet[JobSeeker], *, since: datetime.datetime):
    recent = EmployerContact.objects.filter(
        job_seekers=OuterRef("pk"), status=EmployerContact.Status.HELD, starts_at__gte=since
    )
    return job_seekers.filter(~Exists(recent))
