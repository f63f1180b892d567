"""Reads on job development, through the access scope (crm.access).

Employer contacts are visible across the program, like employers, so nobody
approaches an employer unaware of a colleague's visit; the job seekers a contact was
made for are shown only to those who may see those job seekers. A contact is edited
by its specialist, their team leader or a program admin (`scope.staff_work`)."""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Exists, Min, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone

from crm.access import AccessScope, rows_rule
from crm.models import JobSeeker
from employers.selectors import employers_visible
from jobdev.models import EmployerContact, JobSearchNudge


@rows_rule(EmployerContact)
def employer_contacts_visible(scope: AccessScope) -> QuerySet[EmployerContact]:
    return EmployerContact.objects.filter(scope.program_shared("organisation")).select_related(
        "employer", "site", "contact_person", "specialist"
    )


def employer_contacts_editable(scope: AccessScope) -> QuerySet[EmployerContact]:
    return employer_contacts_visible(scope).filter(scope.staff_work("specialist"))


@rows_rule(JobSearchNudge)
def job_search_nudges_visible(scope: AccessScope) -> QuerySet[JobSearchNudge]:
    return JobSearchNudge.objects.filter(scope.caseload("job_seeker__", shared="nudges"))


def with_visible_job_seekers(contacts: QuerySet[EmployerContact], scope: AccessScope) -> QuerySet[EmployerContact]:
    """Prefetch each contact's job seekers, limited to those the scope may see
    (`visible_job_seekers`)."""
    return contacts.prefetch_related(
        Prefetch("job_seekers", queryset=scope.job_seekers(), to_attr="visible_job_seekers")
    )


def employer_contact_for_detail(scope: AccessScope, pk: int, *, edit: bool = False) -> EmployerContact:
    """A visible contact (one the scope may change, with `edit`), or OutOfScope (404)."""
    contacts = employer_contacts_editable(scope) if edit else employer_contacts_visible(scope)
    return scope.get(with_visible_job_seekers(contacts, scope), pk=pk)


def week_contacts(scope: AccessScope, *, monday: datetime.date, specialist=None) -> list[EmployerContact]:
    """One specialist's contacts (default: the scope's user) starting in the ISO week of
    `monday`, in the current time zone."""
    tz = timezone.get_current_timezone()
    start = datetime.datetime.combine(monday, datetime.time.min, tzinfo=tz)
    end = start + datetime.timedelta(days=7)
    contacts = employer_contacts_visible(scope).filter(
        specialist=specialist or scope.user, starts_at__gte=start, starts_at__lt=end
    )
    return list(with_visible_job_seekers(contacts, scope).order_by("starts_at", "id"))


@dataclass(frozen=True)
class NatureSuggestion:
    """What a new contact with an employer is likely to be, and what says so."""

    nature: str
    held_contacts: int


def _nature_after(held_contacts: int) -> str:
    # No held contact yet: a first meeting; one: the second; more: an ongoing relationship.
    natures = [EmployerContact.Nature.FIRST, EmployerContact.Nature.SECOND, EmployerContact.Nature.ONGOING]
    return natures[min(held_contacts, 2)]


def suggested_nature(employer_id: int) -> str:
    """First, second or ongoing meeting, from the program's earlier held contacts with
    the employer (fidelity item "job development: quality"): what a contact planned
    without a nature is recorded as, whatever the interface."""
    return _nature_after(EmployerContact.objects.held().filter(employer_id=employer_id).count())


def nature_suggestion(scope: AccessScope, employer_id: int) -> NatureSuggestion | None:
    """The same suggestion for a form, with the number of held contacts it comes from
    (one query); None for an employer the scope does not see."""
    held = (
        employers_visible(scope)
        .filter(pk=employer_id)
        .annotate(held=Count("contacts", filter=Q(contacts__status=EmployerContact.Status.HELD)))
        .values_list("held", flat=True)
        .first()
    )
    return None if held is None else NatureSuggestion(_nature_after(held), held)


def face_to_face_contacts_for(job_seeker_ref) -> QuerySet[EmployerContact]:
    """Held face-to-face employer contacts on behalf of the job seeker `job_seeker_ref`
    (a pk or an OuterRef): what stops the rapid-job-search clock."""
    return EmployerContact.objects.held().face_to_face_on_behalf().filter(job_seekers=job_seeker_ref)


def with_rapid_search_clock(
    job_seekers: QuerySet[JobSeeker], *, since: str = "job_search_since"
) -> QuerySet[JobSeeker]:
    """Annotate `first_face_to_face_at`: the first face-to-face employer contact made for
    the person on or after the local date in the field `since` (None: none yet).

    `since` is "job_search_since" (the operational clock: enrolment, or re-entry after a
    job end) or "enrolment_date" (fidelity item 15 "rapid search for competitive job":
    from program entry, whatever happened after). Compile it in the program's time zone
    (`timezone.override`): the contact's date is compared as a local date."""
    first = (
        _face_to_face_since(since).order_by().values("job_seekers").annotate(first=Min("starts_at")).values("first")[:1]
    )
    return job_seekers.annotate(first_face_to_face_at=Subquery(first))


def without_first_face_to_face_contact(
    job_seekers: QuerySet[JobSeeker], *, since: str = "job_search_since"
) -> QuerySet[JobSeeker]:
    """Those of `job_seekers` with no face-to-face employer contact on or after the local
    date in the field `since`: the people `with_rapid_search_clock` leaves at None, as a
    NOT EXISTS. PostgreSQL can then stop at anyone's first contact, or anti-join, instead
    of computing everyone's first one (national scale, 13,000 people in job search: 5.1 s
    to 1.3 s). Compile it in the program's time zone (`timezone.override`)."""
    return job_seekers.filter(~Exists(_face_to_face_since(since)))


def _face_to_face_since(since: str) -> QuerySet[EmployerContact]:
    return face_to_face_contacts_for(OuterRef("pk")).filter(starts_at__date__gte=OuterRef(since))


def contacts_without_recent_activity(job_seekers: QuerySet[JobSeeker], *, since: datetime.datetime):
    recent = EmployerContact.objects.held().filter(job_seekers=OuterRef("pk"), starts_at__gte=since)
    return job_seekers.filter(~Exists(recent))
