"""Step 1, the ranking in the database. Candidates come from index-driven subqueries
(a site near home or in the same town; a wanted industry or job type with a site within
reach), less the hard exclusions; rows are scored by the rules of `scoring`, ordered by
score, name and id, and only the top N ids are read."""

import contextlib
import datetime
import functools
import operator

from django.db import connections, transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.db.models.sql import Query
from django.utils import timezone

from crm.access import AccessScope
from crm.models import JobPreference, JobSeeker
from employers.models import Employer, EmployerSite, JobOpening
from employers.selectors import employers_visible
from jobdev.matching.activity import activity_signal, industry_condition
from jobdev.matching.facts import EmployerFacts, LearnedJobType, _learned, _typed_openings
from jobdev.matching.geometry import _site_rules
from jobdev.matching.scoring import (
    _employer_rules,
    _job_seeker_place,
    _opening_rules,
    _score,
    _with_job_seeker_rules,
    job_seeker_activity_signal,
)
from jobdev.matching.wishes import Wishes
from jobdev.models import EmployerContact

TOP = 25


def _employer_ids(model_queryset: QuerySet, path: str = "employer_id") -> QuerySet:
    return model_queryset.order_by().values(path)


def _openings_of_types(job_type_ids, **filters) -> QuerySet:
    return _employer_ids(JobOpening.objects.filter(job_type_id__in=job_type_ids, **filters))


def _learned_types(job_type_ids) -> QuerySet:
    return _employer_ids(
        LearnedJobType.objects.filter(jobtype_id__in=job_type_ids, employercontact__status=EmployerContact.Status.HELD),
        "employercontact__employer_id",
    )


def _employer_candidates(wishes: Wishes) -> QuerySet | None:
    """The ids of the employers worth scoring, less the hard exclusions.

    Worth scoring: a site close to home (near, or in the same town), or a wanted industry
    or job type with a site within reach (or no site at all). Excluded: an industry to
    avoid, or only job types to avoid among those known.

    One `UNION ... EXCEPT ...` whose branches each have one selective predicate served by
    an index (site coordinates, town, postcode, industry, job type): the database
    estimates each well and walks the candidates, never all the employers."""
    signals = []  # (condition on Employer, the same on EmployerSite)
    industry = industry_condition(wishes)
    if industry is not None:
        signals.append((industry, industry_condition(wishes, "employer__")))
    activity = activity_signal(wishes)
    if activity is not None:
        signals.append((activity, activity_signal(wishes, "employer__")))
    if wishes.job_type_ids:
        for employer_ids in (_openings_of_types(wishes.job_type_ids), _learned_types(wishes.job_type_ids)):
            signals.append((Q(pk__in=employer_ids), Q(employer_id__in=employer_ids)))
    rules = _site_rules(wishes)
    branches = []
    if signals and rules.reach is None:
        branches += [Employer.objects.filter(condition).order_by().values("pk") for condition, _ in signals]
    elif signals:
        branches += [_employer_ids(EmployerSite.objects.filter(rules.reach, condition)) for _, condition in signals]
        # One branch per signal, as for the sites: an OR of IN-subqueries made
        # PostgreSQL read every employer and hash every site (0.7 s at 200,000).
        no_site = ~Exists(EmployerSite.objects.filter(employer=OuterRef("pk")))
        branches += [Employer.objects.filter(condition, no_site).order_by().values("pk") for condition, _ in signals]
    if rules.close is not None:
        branches.append(_employer_ids(EmployerSite.objects.filter(rules.close)))
    if not branches:
        return None
    candidates = branches[0].union(*branches[1:])
    excluded = _employer_exclusions(wishes)
    return candidates.difference(*excluded) if excluded else candidates


def employer_candidates_among(wishes: Wishes, employer_ids: list[int]) -> QuerySet | None:
    """The ids of those of `employer_ids` that `rank_employers` would rank for `wishes`
    (before the access scope, which the caller applies), without building the scores:
    the candidate set with each UNION / EXCEPT branch restricted to `employer_ids`. The
    result is exactly the whole set intersected with them (an intersection distributes
    over union and difference), but each branch is an index probe on a few ids instead
    of the whole set. None when the wishes rank nothing."""
    candidates = _employer_candidates(wishes)
    if candidates is not None:
        _restrict_branches(candidates.query, employer_ids)
    return candidates


def _restrict_branches(ids: Query, employer_ids: list[int]) -> None:
    if ids.combinator:
        for part in ids.combined_queries:
            _restrict_branches(part, employer_ids)
    else:
        ids.add_q(Q(**{f"{ids.values_select[0]}__in": employer_ids}))


def _employer_exclusions(wishes: Wishes) -> list[QuerySet]:
    """Hard exclusions, as sets of employer ids: an industry to avoid; or known to hire
    only for job types to avoid (looked for among those hiring for one, a small set)."""
    excluded = []
    if wishes.avoid_industry_ids:
        excluded.append(Employer.objects.filter(industry_id__in=wishes.avoid_industry_ids).order_by().values("pk"))
    if wishes.avoid_job_type_ids:
        avoid = wishes.avoid_job_type_ids
        ref = OuterRef("pk")
        hires_other = Exists(_typed_openings(ref).exclude(job_type_id__in=avoid)) | Exists(
            _learned(ref).exclude(jobtype_id__in=avoid)
        )
        for hires_avoided in (_openings_of_types(avoid), _learned_types(avoid)):
            excluded.append(Employer.objects.filter(~Q(hires_other), pk__in=hires_avoided).order_by().values("pk"))
    return excluded


def rank_employers(scope: AccessScope, wishes: Wishes, *, now: datetime.datetime | None = None) -> QuerySet[Employer]:
    """Visible employers matching `wishes`, scored and ordered in the database (slice it)."""
    candidates = _employer_candidates(wishes)
    if candidates is None:
        return Employer.objects.none()
    employers = employers_visible(scope).filter(pk__in=candidates)
    rules = _employer_rules(wishes, now=now or timezone.now())
    return employers.alias(**rules).annotate(match_score=_score()).order_by("-match_score", "name", "pk")


def _opening_sites_in(q: Q) -> Q:
    """The opening's own site matches `q`, or, without a site, one of its employer's:
    uncorrelated sets, for the candidate pre-filter."""
    sites = EmployerSite.objects.filter(q).order_by()
    return Q(site_id__in=sites.values("pk")) | Q(site__isnull=True, employer_id__in=sites.values("employer_id"))


def rank_openings(scope: AccessScope, wishes: Wishes, *, now: datetime.datetime | None = None) -> QuerySet[JobOpening]:
    """Open job openings of visible employers matching `wishes`, scored and ordered in the
    database (slice it)."""
    signals = []
    if wishes.job_type_ids:
        signals.append(Q(job_type_id__in=wishes.job_type_ids))
    for condition in (industry_condition(wishes, "employer__"), activity_signal(wishes, "employer__")):
        if condition is not None:
            signals.append(condition)
    site_rules = _site_rules(wishes)
    parts = []
    if signals and site_rules.reach is not None:
        no_site = Q(site__isnull=True) & ~Exists(EmployerSite.objects.filter(employer=OuterRef("employer_id")))
        parts += [signal & (_opening_sites_in(site_rules.reach) | no_site) for signal in signals]
    else:
        parts += signals
    if site_rules.close is not None:
        parts.append(_opening_sites_in(site_rules.close))
    if not parts:
        return JobOpening.objects.none()
    # One UNION branch per signal, as for the employers: an OR of them over every open
    # opening made PostgreSQL join every opening to every employer (1.4 s at 200,000).
    open_openings = JobOpening.objects.filter(status=JobOpening.Status.OPEN).order_by()
    branches = [open_openings.filter(part).values("pk") for part in parts]
    openings = JobOpening.objects.filter(
        pk__in=branches[0].union(*branches[1:]),
        employer__in=employers_visible(scope).order_by(),
    )
    if wishes.avoid_job_type_ids:
        openings = openings.exclude(job_type_id__in=wishes.avoid_job_type_ids)
    if wishes.avoid_industry_ids:
        openings = openings.exclude(employer__industry_id__in=wishes.avoid_industry_ids)
    rules = _opening_rules(wishes, now=now or timezone.now())
    return (
        openings.alias(**rules).annotate(match_score=_score()).order_by("-match_score", "employer__name", "title", "pk")
    )


def top_ids(ranked: QuerySet, limit: int = TOP) -> list[int]:
    """The ids of the first `limit` rows of a ranking, in order."""
    return list(ranked.values_list("pk", flat=True)[:limit])


@contextlib.contextmanager
def without_jit(using: str = "default"):
    """On PostgreSQL, rank without JIT compilation: the planner's cost estimate for the
    scoring expressions passes `jit_above_cost`, and compiling them took seconds where the
    query runs in milliseconds (docs/matching.md). SET LOCAL lasts until the end of the
    outermost transaction (no savepoint: one statement more, and JIT stays off for the
    rest of a request's transaction, which only helps)."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic(using=using, savepoint=False):
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")
        yield


def _job_seeker_exclusions(facts: EmployerFacts, opening) -> tuple[Q | None, dict]:
    """Hard exclusions, and the aliases they need."""
    person = OuterRef("pk")
    parts, aliases = [], {}
    if facts.employer.industry_id is not None:
        avoids_industry = JobPreference.avoid_industries.through.objects.filter(
            jobpreference__job_seeker=person, industry_id=facts.employer.industry_id
        )
        parts.append(Q(Exists(avoids_industry)))
    avoids = JobPreference.avoid_job_types.through.objects.filter(jobpreference__job_seeker=person)
    if opening is not None:
        if opening.job_type_id is not None:
            parts.append(Q(Exists(avoids.filter(jobtype_id=opening.job_type_id))))
    elif facts.job_types:
        # Excluded when every job type the employer is known to hire for is avoided.
        avoided = (
            avoids.filter(jobtype_id__in=list(facts.job_types))
            .order_by()
            .values("jobpreference_id")
            .annotate(count=Count("pk"))
            .values("count")[:1]
        )
        aliases["avoided_known_types"] = Coalesce(Subquery(avoided), Value(0))
        parts.append(Q(avoided_known_types=len(facts.job_types)))
    return (functools.reduce(operator.or_, parts) if parts else None), aliases


def rank_job_seekers(
    scope: AccessScope, facts: EmployerFacts, opening: JobOpening | None = None, *, now=None
) -> QuerySet[JobSeeker]:
    """Job seekers in job search of the scope's visible caseload, scored for the employer (or
    the opening) and ordered in the database (slice it). Candidates as on the employer
    side: close to home (near, or same town), or a wanted job type or industry within
    reach (or no address to compare)."""
    now = now or timezone.now()
    job_seekers = scope.job_seekers().filter(status=JobSeeker.Status.JOB_SEARCH)
    exclusions, aliases = _job_seeker_exclusions(facts, opening)
    job_seekers = job_seekers.alias(**aliases)
    if exclusions is not None:
        job_seekers = job_seekers.exclude(exclusions)
    job_seekers = _with_job_seeker_rules(job_seekers, facts, opening, now=now, select=False)
    _points, close, within_reach = _job_seeker_place(facts, opening)
    signal = Q(job_type_points__gt=0) | Q(industry_points__gt=0)
    activity = job_seeker_activity_signal(facts)
    if activity is not None:
        signal |= activity
    if facts.sites or (opening is not None and opening.site_id is not None):
        no_address = Q(latitude__isnull=True, town="") & ~Q(postcode_area__regex=r"^..$")
        signal &= within_reach | no_address
    return (
        job_seekers.filter(close | signal)
        .annotate(match_score=_score())
        .order_by("-match_score", "last_name", "first_name", "pk")
    )
