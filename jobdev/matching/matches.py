"""The matches for a page: for a job seeker, employers and open openings; for an
employer or an opening, the job seekers of the visible caseload. A fixed number of
queries whatever the number of rows: the rankings, then the rule points and batched
details for the top N."""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef
from django.utils import timezone

from crm.access import AccessScope
from crm.models import JobSeeker
from employers.models import Employer, JobOpening
from jobdev.matching.explanation import EmployerMatch, JobSeekerMatch, OpeningMatch, _explain
from jobdev.matching.facts import EmployerFacts, _employer_facts, _summary_annotations, employer_facts
from jobdev.matching.query import TOP, rank_employers, rank_job_seekers, rank_openings, top_ids, without_jit
from jobdev.matching.scoring import _employer_rules, _opening_rules, _with_job_seeker_rules
from jobdev.matching.wishes import Wishes, _preference_sets, _wishes, wishes_for
from jobdev.models import EmployerContact
from jobdev.selectors import employer_contacts_visible

OnBehalfOf = EmployerContact.job_seekers.through


@dataclass
class JobSeekerMatches:
    wishes: Wishes
    employers: list
    openings: list
    can_plan: bool


def job_seeker_for_matching(scope: AccessScope, pk: int) -> JobSeeker:
    """A job seeker visible to the scope, with the preference and whether the scope may plan
    visits on their behalf (`can_plan`), in one query; or OutOfScope (404)."""
    return scope.get(
        scope.job_seekers()
        .select_related("job_preference")
        .annotate(can_plan=Exists(scope.job_seekers(edit=True).filter(pk=OuterRef("pk")))),
        pk=pk,
    )


def matches_for_job_seeker(
    scope: AccessScope, job_seeker: JobSeeker, *, limit: int = TOP, now=None
) -> JobSeekerMatches:
    """Employers and open openings for `job_seeker` (visible to the scope), best first.

    A fixed number of queries whatever the number of employers: two rankings, then, for
    the top `limit` of each, the rule points and batched details."""
    now = now or timezone.now()
    wishes = wishes_for(job_seeker)
    with without_jit():
        employer_ids = top_ids(rank_employers(scope, wishes, now=now), limit)
        opening_ids = top_ids(rank_openings(scope, wishes, now=now), limit)

    employers = (
        Employer.objects.filter(pk__in=employer_ids)
        .select_related("industry")
        .annotate(**_employer_rules(wishes, now=now), **_summary_annotations())
        if employer_ids
        else []
    )
    employers = sorted(employers, key=lambda employer: employer_ids.index(employer.pk))
    openings = (
        JobOpening.objects.filter(pk__in=opening_ids)
        .select_related("employer__industry", "job_type", "site")
        .annotate(**_opening_rules(wishes, now=now))
        if opening_ids
        else []
    )
    openings = sorted(openings, key=lambda opening: opening_ids.index(opening.pk))

    interesting_types = wishes.job_type_ids | wishes.avoid_job_type_ids
    facts = _employer_facts(
        list({e.pk: e for e in [*employers, *(o.employer for o in openings)]}.values()),
        job_type_ids=interesting_types,
        with_summaries=False,  # read with the employers' rule points, just above
    )
    for employer in employers:
        facts[employer.pk].summarise(employer.any_job_type_known, employer.last_held_at, employer.last_opening_on)
    last_contacts = _last_contacts_for(scope, job_seeker, facts.keys())

    employer_matches = []
    for employer in employers:
        match = EmployerMatch(employer=employer, last_contact=last_contacts.get(employer.pk))
        _explain(match, employer, wishes, facts[employer.pk], now=now)
        employer_matches.append(match)
    opening_matches = []
    for opening in openings:
        match = OpeningMatch(opening=opening, last_contact=last_contacts.get(opening.employer_id))
        _explain(match, opening, wishes, facts[opening.employer_id], opening, now=now)
        opening_matches.append(match)
    can_plan = getattr(job_seeker, "can_plan", None)
    if can_plan is None:
        can_plan = scope.job_seekers(edit=True).filter(pk=job_seeker.pk).exists()
    return JobSeekerMatches(wishes, employer_matches, opening_matches, can_plan)


def _last_contacts_for(scope, job_seeker: JobSeeker, employer_ids) -> dict[int, EmployerContact]:
    """The last contact (not cancelled) made on the person's behalf with each employer."""
    contacts = (
        employer_contacts_visible(scope)
        .filter(job_seekers=job_seeker, employer_id__in=list(employer_ids), purpose=EmployerContact.Purpose.ON_BEHALF)
        .exclude(status=EmployerContact.Status.CANCELLED)
        .order_by("-starts_at", "-pk")
    )
    last = {}
    for contact in contacts:
        last.setdefault(contact.employer_id, contact)
    return last


@dataclass
class CaseloadMatches:
    facts: EmployerFacts
    job_seekers: list


def matches_for_employer(
    scope: AccessScope, employer: Employer, opening: JobOpening | None = None, *, limit: int = TOP, now=None
) -> CaseloadMatches:
    """Job seekers of the scope's visible caseload for `employer` (or one of its openings),
    best first, with what we know of the employer."""
    now = now or timezone.now()
    facts = employer_facts(employer)
    with without_jit():
        ids = top_ids(rank_job_seekers(scope, facts, opening, now=now), limit)
    if not ids:
        return CaseloadMatches(facts, [])
    job_seekers = _with_job_seeker_rules(
        JobSeeker.objects.filter(pk__in=ids).select_related("job_preference", "specialist"),
        facts,
        opening,
        now=now,
        select=True,
    )
    job_seekers = sorted(job_seekers, key=lambda job_seeker: ids.index(job_seeker.pk))
    preference_ids = [js.job_preference.pk for js in job_seekers if getattr(js, "job_preference", None) is not None]
    sets = _preference_sets(preference_ids)
    editable = set(scope.job_seekers(edit=True).filter(pk__in=ids).values_list("pk", flat=True))
    last_contacts = {}
    links = (
        OnBehalfOf.objects.filter(jobseeker_id__in=ids, employercontact__employer=employer)
        .filter(scope.program_shared("employercontact__organisation"))
        .exclude(employercontact__status=EmployerContact.Status.CANCELLED)
        .select_related("employercontact")
        .order_by("-employercontact__starts_at", "-employercontact_id")
    )
    for link in links:
        last_contacts.setdefault(link.jobseeker_id, link.employercontact)
    if opening is not None:
        opening.employer = employer
    matches = []
    for job_seeker in job_seekers:
        preference = getattr(job_seeker, "job_preference", None)
        wishes = _wishes(job_seeker, preference, sets[preference.pk] if preference is not None else None)
        match = JobSeekerMatch(
            job_seeker=job_seeker, can_plan=job_seeker.pk in editable, last_contact=last_contacts.get(job_seeker.pk)
        )
        _explain(match, job_seeker, wishes, facts, opening, now=now)
        matches.append(match)
    return CaseloadMatches(facts, matches)
