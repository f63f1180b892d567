"""The demo's names, places, employers, job titles and free texts, read from the
UTF-8 JSON files in demo/data/. Code decides what happens and when; these files say
who and with which words, so they can be edited (or translated) without touching it."""

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parent / "data"


def _read(name: str) -> Any:
    with (DATA_DIR / f"{name}.json").open(encoding="utf-8") as file:
        return json.load(file)


@dataclass(frozen=True)
class Catalogue:
    program: dict  # the organisation, its teams and staff
    places: dict  # towns (postcode, coordinates, streets, weight as a home town), places wanted
    people: dict  # first and last names, contact persons' roles
    employers: list  # name, NACE section, size, postcode, description, jobs (title, job type code)
    job_seekers: dict  # career-profile archetypes, strengths, interests, notes
    job_development: dict  # what employer contacts record: results, needs, next steps, reasons
    support: dict  # follow-along, adjustments, benefits steps, job-end reports
    fidelity_reviews: dict  # the program's fidelity reviews: reviewers, notes, the reviewers' scores


@cache
def catalogue() -> Catalogue:
    return Catalogue(
        program=_read("program"),
        places=_read("places"),
        people=_read("people"),
        employers=_read("employers"),
        job_seekers=_read("job_seekers"),
        job_development=_read("job_development"),
        support=_read("support"),
        fidelity_reviews=_read("fidelity_reviews"),
    )
