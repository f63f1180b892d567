from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from crm.audit import audit_entries
from crm.forms import add_service_errors
from crm.models import JobSeeker
from crm.selectors import job_seekers_editable_by, job_seekers_visible_to
from placements import services
from placements.forms import (
    AccommodationForm,
    AccommodationStatusForm,
    BenefitsStatusForm,
    EndForm,
    FollowAlongForm,
    JobEndReportForm,
    OfferAcceptForm,
    StartForm,
    TaskCompleteForm,
    TaskScheduleForm,
    TermsForm,
)
from placements.models import Accommodation, BenefitsStep, Placement, SupportTask
from placements.selectors import (
    PlacementFilter,
    my_tasks,
    overdue_follow_along_by_specialist,
    placement_for_detail,
    placement_timeline,
    placements_editable_by,
    placements_visible_to,
    support_tasks_visible_to,
)

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
    can_edit = job_seekers_editable_by(request.user).filter(pk=job_seeker.pk).exists()
    template = (
        "placements/_job_seeker_placements.html" if request.htmx else "placements/job_seeker_placements_page.html"
    )
    return render(
        request,
        template,
        {"job_seeker": job_seeker, "placements": placements, "history": history, "can_edit": can_edit},
    )


def placement_create(request, job_seeker_pk):
    """Record a job offer the job seeker accepted."""
    try:
        job_seeker = job_seekers_editable_by(request.user).get(pk=job_seeker_pk)
    except JobSeeker.DoesNotExist as exc:
        raise Http404 from exc
    form = OfferAcceptForm(request.POST if request.method == "POST" else None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            placement = services.placement_offer_accept(
                actor=request.user, job_seeker=job_seeker, fields=form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Offer recorded: the steps before the start are being planned."))
            return redirect("placement_detail", pk=placement.pk)
    return render(request, "placements/placement_form.html", {"form": form, "job_seeker": job_seeker})


def _detail_context(request, placement, **bound_forms):
    can_edit = placements_editable_by(request.user).filter(pk=placement.pk).exists()
    plan = getattr(placement, "follow_along_plan", None)
    context = {
        "placement": placement,
        "can_edit": can_edit,
        "plan": plan,
        "timeline": placement_timeline(placement),
        "open_tasks": [
            (task, TaskCompleteForm(prefix=f"task{task.pk}"))
            for task in sorted(placement.support_tasks.all(), key=lambda task: (task.due_date, task.pk))
            if task.status == "open"
        ],
        "accommodations": [
            (a, AccommodationStatusForm(prefix=f"acc{a.pk}", initial={"status": _next(Accommodation.ORDER, a.status)}))
            for a in placement.accommodations.all()
        ],
        "benefits_steps": [
            (b, BenefitsStatusForm(prefix=f"ben{b.pk}", initial={"status": _next(BenefitsStep.ORDER, b.status)}))
            for b in placement.benefits_steps.all()
        ],
        "start_form": StartForm(initial={"start_date": placement.expected_start_date or timezone.localdate()}),
        "terms_form": TermsForm(
            initial={"hours_per_week": placement.hours_per_week, "hourly_pay": placement.hourly_pay}
        ),
        "end_form": EndForm(initial={"end_date": timezone.localdate()}),
        "plan_form": FollowAlongForm(initial={"frequency": plan.frequency if plan else ""}),
        "accommodation_form": AccommodationForm(),
        "report_form": JobEndReportForm(instance=getattr(placement, "job_end_report", None)),
    }
    context.update(bound_forms)
    return context


def _next(order: list[str], status: str) -> str:
    """The step after `status`, offered as the form's default."""
    return order[order.index(status) + 1] if status in order[:-1] else status


def _placement(request, pk):
    try:
        return placement_for_detail(request.user, pk)
    except Placement.DoesNotExist as exc:
        raise Http404 from exc


def placement_detail(request, pk):
    placement = _placement(request, pk)
    return render(request, "placements/placement_detail.html", _detail_context(request, placement))


def _act(request, pk, form_class, context_name, action, success_message):
    """Validate a posted action form and run its service; errors are shown next to
    the form on the placement page, and nothing changes."""
    placement = _placement(request, pk)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            action(placement, form.cleaned_data)
        except PermissionDenied as exc:
            raise Http404 from exc
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, success_message)
            return redirect("placement_detail", pk=placement.pk)
    context = _detail_context(request, placement, **{context_name: form})
    return render(request, "placements/placement_detail.html", context, status=200)


@require_POST
def placement_start(request, pk):
    return _act(
        request,
        pk,
        StartForm,
        "start_form",
        lambda placement, data: services.placement_start(
            actor=request.user, placement=placement, start_date=data["start_date"]
        ),
        _("Job start recorded: follow-along is planned."),
    )


@require_POST
def placement_terms(request, pk):
    return _act(
        request,
        pk,
        TermsForm,
        "terms_form",
        lambda placement, data: services.placement_change_terms(
            actor=request.user,
            placement=placement,
            hours_per_week=data["hours_per_week"],
            hourly_pay=data["hourly_pay"],
            effective_on=data["effective_on"],
        ),
        _("New hours or pay recorded."),
    )


@require_POST
def placement_end(request, pk):
    return _act(
        request,
        pk,
        EndForm,
        "end_form",
        lambda placement, data: services.placement_end(
            actor=request.user, placement=placement, end_date=data["end_date"], end_reason=data["end_reason"]
        ),
        _("Job end recorded: a face-to-face contact and the job-end report are planned."),
    )


@require_POST
def placement_follow_along(request, pk):
    return _act(
        request,
        pk,
        FollowAlongForm,
        "plan_form",
        lambda placement, data: services.follow_along_plan_change(actor=request.user, placement=placement, **data),
        _("Follow-along plan updated."),
    )


@require_POST
def accommodation_create(request, pk):
    return _act(
        request,
        pk,
        AccommodationForm,
        "accommodation_form",
        lambda placement, data: services.accommodation_add(
            actor=request.user, placement=placement, description=data["description"], consents=data["consents"]
        ),
        _("Workplace adjustment recorded."),
    )


@require_POST
def accommodation_status(request, pk, accommodation_pk):
    placement = _placement(request, pk)
    try:
        accommodation = placement.accommodations.get(pk=accommodation_pk)
    except Accommodation.DoesNotExist as exc:
        raise Http404 from exc

    def form_class(data):
        return AccommodationStatusForm(data, prefix=f"acc{accommodation.pk}")

    return _act(
        request,
        pk,
        form_class,
        "accommodation_status_form",
        lambda placement, data: services.accommodation_change_status(
            actor=request.user,
            accommodation=accommodation,
            status=data["status"],
            note=data["note"],
            consents=data["consents"] or None,
        ),
        _("Workplace adjustment updated."),
    )


@require_POST
def benefits_status(request, pk, step_pk):
    placement = _placement(request, pk)
    try:
        step = placement.benefits_steps.get(pk=step_pk)
    except BenefitsStep.DoesNotExist as exc:
        raise Http404 from exc

    def form_class(data):
        return BenefitsStatusForm(data, prefix=f"ben{step.pk}")

    return _act(
        request,
        pk,
        form_class,
        "benefits_status_form",
        lambda placement, data: services.benefits_step_change_status(
            actor=request.user, step=step, status=data["status"], note=data["note"]
        ),
        _("Benefits-counselling step updated."),
    )


@require_POST
def job_end_report(request, pk):
    placement = _placement(request, pk)

    def form_class(data):
        return JobEndReportForm(data, instance=getattr(placement, "job_end_report", None))

    return _act(
        request,
        pk,
        form_class,
        "report_form",
        lambda placement, data: services.job_end_report_save(actor=request.user, placement=placement, fields=data),
        _("Job-end report saved."),
    )


# Tasks ------------------------------------------------------------------------------


def task_list(request):
    groups = {
        name: [(task, TaskCompleteForm(prefix=f"task{task.pk}")) for task in tasks]
        for name, tasks in my_tasks(request.user).items()
    }
    return render(request, "placements/my_tasks.html", {"groups": groups})


@require_POST
def task_complete(request, task_pk):
    try:
        task = support_tasks_visible_to(request.user).get(pk=task_pk)
    except SupportTask.DoesNotExist as exc:
        raise Http404 from exc
    form = TaskCompleteForm(request.POST, prefix=f"task{task.pk}")
    if form.is_valid():
        try:
            task = services.support_task_complete(
                actor=request.user,
                task=task,
                completed_on=form.cleaned_data["completed_on"],
                mode=form.cleaned_data["completion_mode"],
                note=form.cleaned_data["completion_note"],
            )
        except PermissionDenied as exc:
            raise Http404 from exc
        except ValidationError as error:
            add_service_errors(form, error)
    if request.htmx:
        return render(request, "placements/_task.html", {"task": task, "form": form if form.errors else None})
    if form.errors:
        messages.error(request, _("The task was not completed: %(errors)s") % {"errors": form.errors.as_text()})
    else:
        messages.success(request, _("Task completed."))
    return redirect(request.POST.get("next") if _safe_next(request) else "task_list")


@require_POST
def task_schedule(request, task_pk):
    try:
        task = support_tasks_visible_to(request.user).get(pk=task_pk)
    except SupportTask.DoesNotExist as exc:
        raise Http404 from exc
    form = TaskScheduleForm(request.POST, prefix=f"schedule{task.pk}")
    if form.is_valid():
        try:
            services.support_task_schedule(
                actor=request.user,
                task=task,
                due_date=form.cleaned_data["due_date"],
                due_time=form.cleaned_data["due_time"],
                duration_minutes=form.cleaned_data["duration_minutes"],
            )
        except PermissionDenied as exc:
            raise Http404 from exc
        except ValidationError as error:
            add_service_errors(form, error)
    if form.errors:
        messages.error(request, _("The appointment was not changed: %(errors)s") % {"errors": form.errors.as_text()})
    else:
        messages.success(request, _("Appointment saved."))
    return redirect(request.POST.get("next") if _safe_next(request) else "task_list")


def _safe_next(request) -> bool:
    from django.utils.http import url_has_allowed_host_and_scheme

    target = request.POST.get("next", "")
    return bool(target) and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()})


def team_follow_along(request):
    if not (request.user.is_team_leader or request.user.is_program_admin):
        raise Http404
    return render(
        request, "placements/team_follow_along.html", {"rows": overdue_follow_along_by_specialist(request.user)}
    )
