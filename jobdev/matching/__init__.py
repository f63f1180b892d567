"""Matching (IPS principles 4 and 7): employers and open job openings ranked by fit with
a job seeker's preferences, and the job seekers of a caseload ranked for an employer or
an opening. Rules, points and the reasoning are in docs/matching.md.

Two steps, so the work does not grow with the number of employers:

1. Rank in the database (`query`). Candidates come from index-driven subqueries (a site
   near home or in the same town; a wanted industry or job type with a site within
   reach), less the hard exclusions; each rule (`scoring`) is a CASE expression
   evaluated for the candidates only; rows are ordered by score, name and id, and only
   the top N ids are read.
2. Explain the top N only (`explanation`). The same rule expressions are annotated on
   those N rows, so an explanation can never disagree with the score; a bounded number
   of batched queries bring the details (`facts`: sites, openings, job types learned;
   contacts on the person's behalf).

Distances are straight lines (`geometry`): an equirectangular approximation in plain
arithmetic (no trigonometric SQL functions), so the same queries run on SQLite and
PostgreSQL, with a bounding box on the site coordinates that an index can serve.

The package:
- `wishes`: what the person wants (preferences and home as plain values);
- `geometry`: distances in SQL and in Python, the site conditions seen from home;
- `facts`: what we know of an employer;
- `scoring`: the points and the rules that give them;
- `query`: the ranking in the database (the access rules are applied here);
- `explanation`: the reasons, concerns and unknowns shown to users;
- `matches`: the entry points used by the pages.
"""

from jobdev.matching.explanation import EmployerMatch, JobSeekerMatch, Match, OpeningMatch, shift_labels
from jobdev.matching.facts import EmployerFacts, KnownJobType, employer_facts
from jobdev.matching.geometry import distance_km, reach_km
from jobdev.matching.matches import (
    CaseloadMatches,
    JobSeekerMatches,
    job_seeker_for_matching,
    matches_for_employer,
    matches_for_job_seeker,
)
from jobdev.matching.query import TOP, rank_employers, rank_job_seekers, rank_openings, top_ids, without_jit
from jobdev.matching.scoring import FRESH_DAYS, RULES, Points
from jobdev.matching.wishes import DEFAULT_RADIUS_KM, Wishes, radius_km, wishes_for

__all__ = [
    "DEFAULT_RADIUS_KM",
    "FRESH_DAYS",
    "RULES",
    "TOP",
    "CaseloadMatches",
    "EmployerFacts",
    "EmployerMatch",
    "JobSeekerMatch",
    "JobSeekerMatches",
    "KnownJobType",
    "Match",
    "OpeningMatch",
    "Points",
    "Wishes",
    "distance_km",
    "employer_facts",
    "job_seeker_for_matching",
    "matches_for_employer",
    "matches_for_job_seeker",
    "rank_employers",
    "rank_job_seekers",
    "rank_openings",
    "radius_km",
    "reach_km",
    "shift_labels",
    "top_ids",
    "wishes_for",
    "without_jit",
]
