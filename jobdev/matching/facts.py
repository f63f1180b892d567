"""What we know of an employer (sites, open openings, the job types they hire for, the
last news), for the reverse ranking and the explanations: a few batched queries."""

import datetime
from dataclasses import dataclass, field

from django.db.models import DateField, DateTimeField, Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from crm.models import JobType
from employers.models import Employer, EmployerSite, JobOpening
from jobdev.models import EmployerContact

LearnedJobType = EmployerContact.learned_job_types.through


def _learned(employer_ref) -> QuerySet:
    return LearnedJobType.objects.filter(
        employercontact__employer_id=employer_ref, employercontact__status=EmployerContact.Status.HELD
    )


def _typed_openings(employer_ref) -> QuerySet:
    return JobOpening.objects.filter(employer_id=employer_ref, job_type__isnull=False)


@dataclass
class KnownJobType:
    job_type: JobType
    open: bool = False
    since: datetime.date | None = None  # when we last learned they hire for it


@dataclass
class EmployerFacts:
    employer: Employer
    sites: list = field(default_factory=list)
    open_openings: list = field(default_factory=list)
    job_types: dict = field(default_factory=dict)  # job type id -> KnownJobType
    any_job_type_known: bool = False
    last_held_at: datetime.datetime | None = None
    last_opening_on: datetime.date | None = None
    _nace_job_types: tuple | None = None

    def nace_job_types(self) -> tuple[list[int], list[int]]:
        """For an employer with a NACE code: the ids of the job types found in its
        activity, and of those with a code in its section (one query, read once)."""
        if self._nace_job_types is None:
            from jobdev.matching.activity import job_type_ids_by_nace

            employer = self.employer
            section = employer.industry.code if employer.industry_id is not None else None
            self._nace_job_types = job_type_ids_by_nace(employer.nace_code, section) if employer.nace_code else ([], [])
        return self._nace_job_types

    def summarise(self, any_job_type_known, last_held_at, last_opening_on) -> None:
        self.any_job_type_known = bool(any_job_type_known)
        self.last_held_at = last_held_at
        self.last_opening_on = last_opening_on

    def learn(self, job_type: JobType, on: datetime.date | None, *, is_open: bool = False) -> None:
        known = self.job_types.setdefault(job_type.pk, KnownJobType(job_type))
        known.open = known.open or is_open
        if on is not None and (known.since is None or on > known.since):
            known.since = on


def _summary_annotations() -> dict:
    ref = OuterRef("pk")
    return {
        "any_job_type_known": Exists(_typed_openings(ref)) | Exists(_learned(ref)),
        "last_held_at": Subquery(
            EmployerContact.objects.filter(employer=ref, status=EmployerContact.Status.HELD)
            .order_by("-starts_at")
            .values("starts_at")[:1],
            output_field=DateTimeField(),
        ),
        "last_opening_on": Subquery(
            JobOpening.objects.filter(employer=ref).order_by("-learned_on").values("learned_on")[:1],
            output_field=DateField(),
        ),
    }


def _employer_facts(
    employers: list[Employer], *, job_type_ids=None, with_summaries: bool = True
) -> dict[int, EmployerFacts]:
    """Sites, open openings, the job types they hire for (only `job_type_ids` when given)
    and the dates of the last news (unless the caller read `_summary_annotations` with
    its own query), for a few employers: four queries at most."""
    facts = {employer.pk: EmployerFacts(employer) for employer in employers}
    if not facts:
        return facts
    for site in EmployerSite.objects.filter(employer_id__in=facts):
        facts[site.employer_id].sites.append(site)
    openings = JobOpening.objects.filter(employer_id__in=facts).select_related("job_type", "site")
    if job_type_ids is not None:
        openings = openings.filter(Q(status=JobOpening.Status.OPEN) | Q(job_type_id__in=job_type_ids))
    for opening in openings.order_by("-learned_on", "-pk"):
        is_open = opening.status == JobOpening.Status.OPEN
        if is_open:
            facts[opening.employer_id].open_openings.append(opening)
        if opening.job_type is not None and (job_type_ids is None or opening.job_type_id in job_type_ids):
            facts[opening.employer_id].learn(opening.job_type, opening.learned_on, is_open=is_open)
    if job_type_ids is None or job_type_ids:
        learned = LearnedJobType.objects.filter(
            employercontact__employer_id__in=facts, employercontact__status=EmployerContact.Status.HELD
        ).select_related("jobtype", "employercontact")
        if job_type_ids is not None:
            learned = learned.filter(jobtype_id__in=job_type_ids)
        for row in learned:
            facts[row.employercontact.employer_id].learn(row.jobtype, timezone.localdate(row.employercontact.starts_at))
    if with_summaries:
        summaries = Employer.objects.filter(pk__in=facts).values_list("pk").annotate(**_summary_annotations())
        for pk, *values in summaries:
            facts[pk].summarise(*values)
    return facts


def employer_facts(employer: Employer) -> EmployerFacts:
    return _employer_facts([employer])[employer.pk]
