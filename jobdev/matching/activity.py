"""The industry rule by NACE code: an employer with a NACE code (division "45", group
"45.2" or class "45.20") is matched on that finer code; one without falls back to its
NACE section (`Employer.industry`), as before NACE codes were recorded. A code refines
the section, it never earns the points on its own: a coded and an uncoded employer of
the same activity score the same.

For one person (docs/matching.md, "Industry and activity"), an employer scores the
industry points only when its section is a wanted industry, and

- it has no NACE code;
- or its NACE code fits a NACE code of a wanted job type: the garage's "45.20" is
  within the mechanic's "45.2";
- or no wanted job type has a code in that section (the person wants the section as
  a whole).

So a mechanic who wants section G gets garages (45.20), not bookshops (47.61), while
employers of section G without a code still count by their section. For a person who
wants no industries, there are no industry points: a cook gets the same score at a
restaurant coded 56.10 as at one without a code. There the codes only choose the
candidates (`activity_signal`): an employer whose code fits a wanted job type, or,
without a code, whose section is where a wanted job type is found."""

import functools
import operator

from django.db.models import Q, TextField
from django.db.models.functions import Cast

from crm.models import Industry, JobType
from crm.taxonomies import NACE_DIVISIONS, nace_codes_match, nace_section
from jobdev.matching.wishes import Wishes


def _prefixes(code: str) -> list[str]:
    """The coarser codes containing `code`: "45.20" -> ["45", "45.2"]."""
    if len(code) <= 2:
        return []
    return [code[:2]] + ([code[:4]] if len(code) == 5 else [])


def nace_match(codes, field: str = "nace_code") -> Q | None:
    """The employer's NACE code overlaps one of `codes`: within it ("45.20" for "45.2") or
    containing it ("45" for "45.2"). Plain prefix comparisons that SQLite and PostgreSQL
    both run; the fixed format of the codes makes a prefix exact."""
    parts = []
    for code in sorted(codes):
        parts.append(Q(**{f"{field}__startswith": code}))
        prefixes = _prefixes(code)
        if prefixes:
            parts.append(Q(**{f"{field}__in": prefixes}))
    return functools.reduce(operator.or_, parts) if parts else None


def industry_condition(wishes: Wishes, path: str = "") -> Q | None:
    """The industry rule for one person, as a condition on Employer (`path`: the way from
    the queried model to the employer, e.g. "employer__"). None: nothing to match.

    The points need a wanted industry: the employer's section must be one, and where a
    wanted job type has a code in that section, a coded employer's code must fit one.
    A code never earns them on its own."""
    if not wishes.industry_ids:
        return None
    nace_code, industry_id = f"{path}nace_code", f"{path}industry_id__in"
    whole_sections = wishes.section_industry_ids
    narrowed = wishes.industry_ids - whole_sections
    parts = []
    if whole_sections:
        parts.append(Q(**{industry_id: whole_sections}))
    if narrowed:
        parts.append(Q(**{industry_id: narrowed, nace_code: ""}))
        by_code = nace_match(wishes.nace_codes, nace_code)
        if by_code is not None:
            parts.append(Q(**{industry_id: narrowed}) & by_code)
    return functools.reduce(operator.or_, parts)


def activity_signal(wishes: Wishes, path: str = "") -> Q | None:
    """For a person who wants no industries: the employers whose activity is where a
    wanted job type is found, to choose the candidates (no points). By the NACE code
    where the employer has one (a coded employer whose code does not fit gets nothing
    from its section), else by the section. None: not applicable."""
    if wishes.industry_ids or not wishes.narrowed_sections:
        return None
    sections = Industry.objects.filter(code__in=sorted(wishes.narrowed_sections)).values("pk")
    return nace_match(wishes.nace_codes, f"{path}nace_code") | Q(
        **{f"{path}nace_code": "", f"{path}industry_id__in": sections}
    )


def job_types_in_section_sql(section: str | None):
    """The ids of the job types with a NACE code in `section`, as a subquery (no query
    of its own): a code starts right after the quote opening it in the JSON text of
    `JobType.nace_codes`, on SQLite and PostgreSQL alike. None: not a section."""
    if section not in NACE_DIVISIONS:
        return None
    first, last = NACE_DIVISIONS[section]
    text = Cast("nace_codes", TextField())
    divisions = functools.reduce(
        operator.or_, (Q(nace_text__contains=f'"{division:02d}') for division in range(first, last + 1))
    )
    return JobType.objects.alias(nace_text=text).filter(divisions).values("pk")


def job_type_ids_by_nace(nace_code: str, section: str | None) -> tuple[list[int], list[int]]:
    """For an employer's NACE code: the ids of the job types found in that activity, and
    of those with a code in its section (one query on the job type taxonomy)."""
    fitting, in_section = [], []
    for pk, codes in JobType.objects.order_by("pk").values_list("pk", "nace_codes"):
        codes = codes or []
        if any(nace_codes_match(nace_code, code) for code in codes):
            fitting.append(pk)
        if section is not None and any(nace_section(code) == section for code in codes):
            in_section.append(pk)
    return fitting, in_section
