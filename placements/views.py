from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render

from crm.audit import audit_entries
from crm.models import JobSeeker
from crm.selectors import job_seekers_visible_to
from placements.models import Placement
from placements.selectors import PlacementFilter, placements_visible_to

PAGE_SIZE = 25


def placement_list(request):
    placement_filter = PlacementFilter(request.GET or None, queryset=placements_visible_to(request.user))
    page = Paginator(placement_filter.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "placements/placement_list.html", {"filter": placement_filter, "page": page})


def job_seeker_placements(request, job_seeker_pk):
    """The placements section of a job seeker's page (loaded in place)."""
    try:
        job_seeker = job_seekers_visible_to(request.user).get(pk=job_seeker_pk)
    except JobSeeker.DoesNotExist as exc:
        raise Http404 from exc
    placements = list(placements_visible_to(request.user).filter(job_seeker=job_seeker))
    history = None
    if request.user.sees_audit_history:
        history = audit_entries(
            Placement.history.filter(job_seeker_id=job_seeker.pk).order_by("-history_date"),
            str(Placement._meta.verbose_name).capitalize(),
        )
    template = (
        "placements/_job_seeker_placements.html" if request.htmx else "placements/job_seeker_placements_page.html"
    )
    return render(request, template, {"job_seeker": job_seeker, "placements": placements, "history": history})
