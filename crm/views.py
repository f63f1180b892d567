from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from crm import services
from crm.audit import audit_history_for_job_seeker
from crm.forms import CareerProfileForm, JobPreferenceForm, JobSeekerForm, StatusChangeForm, errors_in_words, submit
from crm.models import CareerProfile, JobPreference
from crm.selectors import JobSeekerFilter, job_seeker_for_detail, job_seekers_editable, job_seekers_visible

PAGE_SIZE = 25


#: Where each staff member lands (docs/job-development.md), by whose figures their
#: dashboard shows (crm.access: the scope is the one place that knows roles).
LANDING_PAGES = {"own": "my_week", "team": "team_dashboard", "program": "program_overview"}


def home(request):
    """The landing page after log-in: a specialist's week, a team leader's team
    dashboard, a program admin's program overview. A platform operator goes to the
    admin; an account outside any program gets a page saying so (never a loop)."""
    scope = request.scope
    if scope.is_operator and request.user.is_staff:
        return redirect("admin:index")
    if not scope.in_program:
        return render(request, "crm/no_program.html")
    return redirect(LANDING_PAGES.get(scope.dashboard_label, "job_seeker_list"))


def job_seeker_list(request):
    job_seeker_filter = JobSeekerFilter(
        request.GET or None, queryset=job_seekers_visible(request.scope), scope=request.scope
    )
    page = Paginator(job_seeker_filter.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    template = "crm/_job_seeker_rows.html" if request.htmx else "crm/job_seeker_list.html"
    return render(request, template, {"filter": job_seeker_filter, "page": page})


def job_seeker_detail(request, pk):
    scope = request.scope
    job_seeker = job_seeker_for_detail(scope, pk)
    can_edit = scope.may_edit_job_seeker(job_seeker.pk)
    context = {
        "job_seeker": job_seeker,
        "profile": getattr(job_seeker, "career_profile", None),
        "preference": getattr(job_seeker, "job_preference", None),
        "can_edit": can_edit,
        "status_form": StatusChangeForm(initial={"status": job_seeker.status}) if can_edit else None,
        "audit_history": audit_history_for_job_seeker(scope, job_seeker),
    }
    return render(request, "crm/job_seeker_detail.html", context)


def _job_seeker_forms(request, *, instance=None):
    data = request.POST if request.method == "POST" else None
    profile = getattr(instance, "career_profile", None) if instance else None
    preference = getattr(instance, "job_preference", None) if instance else None
    return (
        JobSeekerForm(data, instance=instance, scope=request.scope),
        CareerProfileForm(data, instance=profile or CareerProfile()),
        JobPreferenceForm(data, instance=preference or JobPreference()),
    )


def job_seeker_create(request):
    forms = _job_seeker_forms(request)
    if request.method == "POST":
        job_seeker_form, profile_form, preference_form = forms
        job_seeker = submit(
            forms,
            lambda: services.job_seeker_create(
                scope=request.scope,
                specialist_id=getattr(job_seeker_form.cleaned_data.get("specialist"), "pk", None),
                details=job_seeker_form.details(),
                profile=profile_form.cleaned_data,
                preference=preference_form.cleaned_data,
            ),
        )
        if job_seeker:
            messages.success(request, _("Job seeker %(name)s added.") % {"name": job_seeker.full_name})
            return redirect("job_seeker_detail", pk=job_seeker.pk)
    return render(request, "crm/job_seeker_form.html", {"forms": forms, "job_seeker": None})


def job_seeker_edit(request, pk):
    job_seeker = request.scope.get(
        job_seekers_editable(request.scope).select_related("career_profile", "job_preference"), pk=pk
    )
    forms = _job_seeker_forms(request, instance=job_seeker)
    if request.method == "POST":
        job_seeker_form, profile_form, preference_form = forms
        saved = submit(
            forms,
            lambda: services.job_seeker_update(
                scope=request.scope,
                job_seeker_id=job_seeker.pk,
                specialist_id=getattr(job_seeker_form.cleaned_data.get("specialist"), "pk", None),
                details=job_seeker_form.details(),
                profile=profile_form.cleaned_data,
                preference=preference_form.cleaned_data,
            ),
        )
        if saved:
            messages.success(request, _("Changes saved."))
            return redirect("job_seeker_detail", pk=job_seeker.pk)
    return render(request, "crm/job_seeker_form.html", {"forms": forms, "job_seeker": job_seeker})


@require_POST
def job_seeker_status(request, pk):
    job_seeker = request.scope.get(job_seekers_editable(request.scope), pk=pk)
    form = StatusChangeForm(request.POST)
    changed = submit(
        form,
        lambda: services.job_seeker_change_status(
            scope=request.scope,
            job_seeker_id=job_seeker.pk,
            status=form.cleaned_data["status"],
            note=form.cleaned_data["note"],
        ),
    )
    if changed:
        messages.success(request, _("Status updated."))
    else:
        messages.error(
            request,
            _("The status was not changed: %(errors)s") % {"errors": errors_in_words(form)},
        )
    return redirect("job_seeker_detail", pk=job_seeker.pk)
