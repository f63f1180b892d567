from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from crm import services
from crm.audit import audit_history_for_job_seeker
from crm.forms import CareerProfileForm, JobPreferenceForm, JobSeekerForm, StatusChangeForm, add_service_errors
from crm.models import CareerProfile, JobPreference, JobSeeker
from crm.selectors import (
    JobSeekerFilter,
    job_seeker_for_detail,
    job_seekers_editable_by,
    job_seekers_visible_to,
    user_may_edit_job_seeker,
)

PAGE_SIZE = 25


def home(request):
    return redirect("job_seeker_list")


def _get_or_404(queryset_or_callable, *args):
    try:
        return queryset_or_callable(*args)
    except JobSeeker.DoesNotExist as exc:
        raise Http404 from exc


def job_seeker_list(request):
    job_seeker_filter = JobSeekerFilter(
        request.GET or None, queryset=job_seekers_visible_to(request.user), user=request.user
    )
    page = Paginator(job_seeker_filter.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    template = "crm/_job_seeker_rows.html" if request.htmx else "crm/job_seeker_list.html"
    return render(request, template, {"filter": job_seeker_filter, "page": page})


def job_seeker_detail(request, pk):
    job_seeker = _get_or_404(job_seeker_for_detail, request.user, pk)
    can_edit = user_may_edit_job_seeker(request.user, job_seeker)
    context = {
        "job_seeker": job_seeker,
        "profile": getattr(job_seeker, "career_profile", None),
        "preference": getattr(job_seeker, "job_preference", None),
        "can_edit": can_edit,
        "status_form": StatusChangeForm(initial={"status": job_seeker.status}) if can_edit else None,
        "audit_history": audit_history_for_job_seeker(request.user, job_seeker),
    }
    return render(request, "crm/job_seeker_detail.html", context)


def _job_seeker_forms(request, *, instance=None):
    data = request.POST if request.method == "POST" else None
    profile = getattr(instance, "career_profile", None) if instance else None
    preference = getattr(instance, "job_preference", None) if instance else None
    return (
        JobSeekerForm(data, instance=instance, user=request.user),
        CareerProfileForm(data, instance=profile or CareerProfile()),
        JobPreferenceForm(data, instance=preference or JobPreference()),
    )


def _save_job_seeker(request, forms, save):
    job_seeker_form, profile_form, preference_form = forms
    if not all([form.is_valid() for form in forms]):
        return None
    try:
        return save(
            fields=job_seeker_form.cleaned_data,
            profile=profile_form.cleaned_data,
            preference=preference_form.cleaned_data,
        )
    except ValidationError as error:
        add_service_errors(job_seeker_form, error)
        return None


def job_seeker_create(request):
    forms = _job_seeker_forms(request)
    if request.method == "POST":
        job_seeker = _save_job_seeker(
            request, forms, lambda **data: services.job_seeker_create(actor=request.user, **data)
        )
        if job_seeker:
            messages.success(request, _("Job seeker %(name)s added.") % {"name": job_seeker.full_name})
            return redirect("job_seeker_detail", pk=job_seeker.pk)
    return render(request, "crm/job_seeker_form.html", {"forms": forms, "job_seeker": None})


def job_seeker_edit(request, pk):
    try:
        job_seeker = job_seekers_editable_by(request.user).select_related("career_profile", "job_preference").get(pk=pk)
    except JobSeeker.DoesNotExist as exc:
        raise Http404 from exc
    forms = _job_seeker_forms(request, instance=job_seeker)
    if request.method == "POST":
        saved = _save_job_seeker(
            request,
            forms,
            lambda **data: services.job_seeker_update(actor=request.user, job_seeker=job_seeker, **data),
        )
        if saved:
            messages.success(request, _("Changes saved."))
            return redirect("job_seeker_detail", pk=job_seeker.pk)
    return render(request, "crm/job_seeker_form.html", {"forms": forms, "job_seeker": job_seeker})


@require_POST
def job_seeker_status(request, pk):
    try:
        job_seeker = job_seekers_editable_by(request.user).get(pk=pk)
    except JobSeeker.DoesNotExist as exc:
        raise Http404 from exc
    form = StatusChangeForm(request.POST)
    if form.is_valid():
        services.job_seeker_change_status(
            actor=request.user,
            job_seeker=job_seeker,
            status=form.cleaned_data["status"],
            note=form.cleaned_data["note"],
        )
        messages.success(request, _("Status updated."))
    else:
        messages.error(
            request,
            _("The status was not changed: %(errors)s")
            % {"errors": "; ".join(str(e) for errors in form.errors.values() for e in errors)},
        )
    return redirect("job_seeker_detail", pk=job_seeker.pk)
