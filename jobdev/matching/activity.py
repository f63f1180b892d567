"""The industry rule by NACE code: an employer with a NACE code (division "45", group
"45.2" or class "45.20") is matched on that finer code; one without falls back to its
NACE section (`Employer.industry`), as before NACE codes were recorded.

For one person (docs/matching.md, "Industry and activity"): an employer scores the
industry points when

- its NACE code overlaps a NACE code of a wanted job type (`JobType.nace_codes`): the
  garage's "45.20" is within the mechanic's "45.2";
- or it has no NACE code and its section is a wanted industry;
- or it has a NACE code, its section is a wanted industry, and no wanted job type has a
  code in that section (the person wants the section as a whole).

So a mechanic who wants section G gets garages (45.20), not bookshops (47.61), while
employers of section G without a code still count by their section."""

import functools
import operator

from django.db.models import Q

from crm.models import JobType
from crm.taxonomies import nace_codes_match, nace_section
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
    the queried model to the employer, e.g. "employer__"). None: nothing to match."""
    nace_code, industry_id = f"{path}nace_code", f"{path}industry_id__in"
    parts = []
    by_code = nace_match(wishes.nace_codes, nace_code)
    if by_code is not None:
        parts.append(by_code)
    if wishes.industry_ids:
        whole_sections = wishes.section_industry_ids
        if whole_sections == wishes.industry_ids:
            parts.append(Q(**{industry_id: wishes.industry_ids}))
        else:
            parts.append(Q(**{nace_code: "", industry_id: wishes.industry_ids}))
            if whole_sections:
                parts.append(Q(**{industry_id: whole_sections}) & ~Q(**{nace_code: ""}))
    return functools.reduce(operator.or_, parts) if parts else None


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
