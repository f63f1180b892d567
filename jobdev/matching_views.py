"""Matching pages: for a job seeker, employers and openings ranked by fit; for an
employer or an opening, the job seekers of the visible caseload. The ranking rules live
in the jobdev.matching package."""

from django.shortcuts import render

from crm.selectors import label_sort_key
from employers.selectors import employers_visible, job_openings_visible
from jobdev import matching
from jobdev.planning import TRAVEL_SPEED_KMH


def matching_for_job_seeker(request, pk):
    job_seeker = matching.job_seeker_for_matching(request.scope, pk)
    matches = matching.matches_for_job_seeker(request.scope, job_seeker)
    context = {
        "job_seeker": job_seeker,
        "matches": matches,
        "wishes": matches.wishes,
        "top": matching.TOP,
        "speed": TRAVEL_SPEED_KMH,
    }
    return render(request, "jobdev/matching_job_seeker.html", context)


def matching_for_employer(request, pk):
    employer = request.scope.get(employers_visible(request.scope), pk=pk)
    matches = matching.matches_for_employer(request.scope, employer)
    job_types = sorted(matches.facts.job_types.values(), key=lambda known: label_sort_key(known.job_type.label))
    context = {"employer": employer, "matches": matches, "job_types": job_types, "top": matching.TOP}
    return render(request, "jobdev/matching_employer.html", context)


def matching_for_opening(request, pk):
    opening = request.scope.get(
        job_openings_visible(request.scope).select_related("employer__industry", "job_type", "site"), pk=pk
    )
    employer = opening.employer
    context = {
        "opening": opening,
        "employer": employer,
        "matches": matching.matches_for_employer(request.scope, employer, opening),
        "shifts": matching.shift_labels(opening.shifts),
        "top": matching.TOP,
    }
    return render(request, "jobdev/matching_opening.html", context)
