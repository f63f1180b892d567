"""Matching pages: for a job seeker, employers and openings ranked by fit; for an
employer or an opening, the job seekers of the visible caseload. The ranking rules live
in the jobdev.matching package."""

from django.http import Http404
from django.shortcuts import render

from crm.models import JobSeeker
from employers.models import Employer, JobOpening
from employers.selectors import employers_visible_to
from jobdev import matching


def matching_for_job_seeker(request, pk):
    try:
        job_seeker = matching.job_seeker_for_matching(request.user, pk)
    except JobSeeker.DoesNotExist as exc:
        raise Http404 from exc
    matches = matching.matches_for_job_seeker(request.user, job_seeker)
    context = {"job_seeker": job_seeker, "matches": matches, "wishes": matches.wishes, "top": matching.TOP}
    return render(request, "jobdev/matching_job_seeker.html", context)


def matching_for_employer(request, pk):
    try:
        employer = employers_visible_to(request.user).get(pk=pk)
    except Employer.DoesNotExist as exc:
        raise Http404 from exc
    matches = matching.matches_for_employer(request.user, employer)
    job_types = sorted(matches.facts.job_types.values(), key=lambda known: str(known.job_type.label))
    context = {"employer": employer, "matches": matches, "job_types": job_types, "top": matching.TOP}
    return render(request, "jobdev/matching_employer.html", context)


def matching_for_opening(request, pk):
    try:
        opening = JobOpening.objects.select_related("employer__industry", "job_type", "site").get(
            employer__in=employers_visible_to(request.user), pk=pk
        )
    except JobOpening.DoesNotExist as exc:
        raise Http404 from exc
    employer = opening.employer
    context = {
        "opening": opening,
        "employer": employer,
        "matches": matching.matches_for_employer(request.user, employer, opening),
        "shifts": matching.shift_labels(opening.shifts),
        "top": matching.TOP,
    }
    return render(request, "jobdev/matching_opening.html", context)
