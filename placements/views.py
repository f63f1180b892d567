import datetime

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from crm.access import OutOfScope
from crm.audit import audit_entries
from crm.clock import program_today
from crm.forms import errors_in_words, submit
from crm.http import safe_next
from crm.selectors import job_seekers_editable, job_seekers_visible
from placements import services
from placements.forms import (
    AccommodationForm,
    AccommodationStatusForm,
    BenefitsCounsellorForm,
    BenefitsStatusForm,
    EndForm,
    FollowAlongForm,
    JobEndReportForm,
    OfferAcceptForm,
    StartForm,
    StepDownForm,
    TaskCompleteForm,
    TaskScheduleForm,
    TermsForm,
)
from placements.models import Placement
from placements.selectors import (
    PlacementFilter,
    accommodations_visible,
    benefits_steps_visible,
    my_tasks,
    overdue_follow_along_by_specialist,
    placement_for_detail,
    placement_timeline,
    placements_editable,
    placements_of_job_seeker,
    placements_visible,
    support_tasks_editable,
    support_tasks_visible,
)

PAGE_SIZE = 25


def placement_list(request):
    placement_filter = PlacementFilter(request.GET or None, queryset=placements_visible(request.scope))
    page = Paginator(placement_filter.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "placements/placement_list.html", {"filter": placement_filter, "page": page})


def job_seeker_placements(request, job_seeker_pk):
    """The placements section of a job seeker's page (loaded in place)."""
    scope = request.scope
    job_seeker = scope.get(job_seekers_visible(scope), pk=job_seeker_pk)
    history = None
    if scope.sees_audit_history:
        history = audit_entries(
            Placement.history.filter(job_seeker_id=job_seeker.pk).order_by("-history_date"),
            str(Placement._meta.verbose_name).capitalize(),
        )
    template = (
        "placements/_job_seeker_placements.html" if request.htmx else "placements/job_seeker_placements_page.html"
    )
    context = {
        "job_seeker": job_seeker,
        "placements": placements_of_job_seeker(scope, job_seeker.pk),
        "history": history,
        "can_edit": scope.may_edit_job_seeker(job_seeker.pk),
    }
    return render(request, template, context)


def placement_create(request, job_seeker_pk):
    """Record a job offer the job seeker accepted."""
    scope = request.scope
    job_seeker = scope.get(job_seekers_editable(scope), pk=job_seeker_pk)
    form = OfferAcceptForm(request.POST if request.method == "POST" else None, scope=scope)
    if request.method == "POST":
        placement = submit(
            form,
            lambda: services.placement_offer_accept(
                scope=scope,
                job_seeker_id=job_seeker.pk,
                employer_id=form.cleaned_data["employer"].pk,
                offer=form.offer_fields(),
            ),
        )
        if placement:
            messages.success(request, _("Offer recorded: the steps before the start are being planned."))
            return redirect("placement_detail", pk=placement.pk)
    return render(request, "placements/placement_form.html", {"form": form, "job_seeker": job_seeker})


def _detail_context(request, placement, **bound_forms):
    plan = getattr(placement, "follow_along_plan", None)
    steps = placement.benefits_steps.all()
    partners = BenefitsCounsellorForm.partners_offered(request.scope) if steps else []
    context = {
        "placement": placement,
        "can_edit": placements_editable(request.scope).filter(pk=placement.pk).exists(),
        "plan": plan,
        "timeline": placement_timeline(placement),
        "open_tasks": [
            (task, TaskCompleteForm(task=task))
            for task in sorted(placement.support_tasks.all(), key=lambda task: (task.due_date, task.pk))
            if task.status == "open"
        ],
        "accommodations": [
            (a, AccommodationStatusForm(prefix=f"acc{a.pk}", initial={"status": a.next_status}))
            for a in placement.accommodations.all()
        ],
        "benefits_steps": [
            (
                b,
                BenefitsStatusForm(prefix=f"ben{b.pk}", initial={"status": b.next_status}),
                BenefitsCounsellorForm(
                    prefix=f"benc{b.pk}", partners=partners, initial={"counsellor": b.counsellor_id}
                ),
            )
            for b in steps
        ],
        "start_form": StartForm(initial={"start_date": _start_date_offered(request.scope, placement)}),
        "terms_form": TermsForm(
            initial={"hours_per_week": placement.hours_per_week, "hourly_pay": placement.hourly_pay}
        ),
        "end_form": EndForm(initial={"end_date": timezone.localdate()}),
        "plan_form": FollowAlongForm(initial={"frequency": plan.frequency if plan else ""}),
        "step_down_form": StepDownForm(),
        "accommodation_form": AccommodationForm(),
        "report_form": JobEndReportForm(instance=getattr(placement, "job_end_report", None)),
    }
    context.update(bound_forms)
    return context


def _start_date_offered(scope, placement) -> datetime.date:
    """The start form's date: the expected start once it has come, else today (a start
    is recorded on the day it happens: placements.services.placement_start)."""
    today = program_today(scope.organisation)
    expected = placement.expected_start_date
    return expected if expected is not None and expected <= today else today


def placement_detail(request, pk):
    placement = placement_for_detail(request.scope, pk)
    return render(request, "placements/placement_detail.html", _detail_context(request, placement))


def _on_placement_page(request, placement, *, form, context_name: str, save, success: str):
    """A posted action of the placement page: saved through its service (crm.forms.submit),
    or shown again on the page with the errors next to the form, nothing changed. Out of
    scope, the service raises OutOfScope: 404."""
    if submit(form, save):
        messages.success(request, success)
        return redirect("placement_detail", pk=placement.pk)
    return render(
        request, "placements/placement_detail.html", _detail_context(request, placement, **{context_name: form})
    )


@require_POST
def placement_start(request, pk):
    placement = placement_for_detail(request.scope, pk, edit=True)
    form = StartForm(request.POST)
    return _on_placement_page(
        request,
        placement,
        form=form,
        context_name="start_form",
        save=lambda: services.placement_start(
            scope=request.scope, placement_id=placement.pk, start_date=form.cleaned_data["start_date"]
        ),
        success=_("Job start recorded: follow-along is planned."),
    )


@require_POST
def placement_terms(request, pk):
    placement = placement_for_detail(request.scope, pk, edit=True)
    form = TermsForm(request.POST)
    return _on_placement_page(
        request,
        placement,
        form=form,
        context_name="terms_form",
        save=lambda: services.placement_change_terms(
            scope=request.scope,
            placement_id=placement.pk,
            hours_per_week=form.cleaned_data["hours_per_week"],
            hourly_pay=form.cleaned_data["hourly_pay"],
            effective_on=form.cleaned_data["effective_on"],
        ),
        success=_("New hours or pay recorded."),
    )


@require_POST
def placement_end(request, pk):
    placement = placement_for_detail(request.scope, pk, edit=True)
    form = EndForm(request.POST)
    return _on_placement_page(
        request,
        placement,
        form=form,
        context_name="end_form",
        save=lambda: services.placement_end(
            scope=request.scope,
            placement_id=placement.pk,
            end_date=form.cleaned_data["end_date"],
            end_reason=form.cleaned_data["end_reason"],
        ),
        success=_("Job end recorded: a face-to-face contact and the job-end report are planned."),
    )


@require_POST
def placement_follow_along(request, pk):
    """The follow-along section's forms: a change of plan, or (the step-down form's
    fields posted) the record that the agreed step-down took place."""
    placement = placement_for_detail(request.scope, pk, edit=True)
    if f"{StepDownForm.prefix}-on" in request.POST:
        return _step_down(request, placement)
    form = FollowAlongForm(request.POST)
    return _on_placement_page(
        request,
        placement,
        form=form,
        context_name="plan_form",
        save=lambda: services.follow_along_plan_change(
            scope=request.scope, placement_id=placement.pk, **form.cleaned_data
        ),
        success=_("Follow-along plan updated."),
    )


def _step_down(request, placement):
    """The planned step-down the worker agreed to took place: follow-along ends and the
    person leaves the active caseload (placements.services.follow_along_step_down_complete)."""
    form = StepDownForm(request.POST)
    return _on_placement_page(
        request,
        placement,
        form=form,
        context_name="step_down_form",
        save=lambda: services.follow_along_step_down_complete(
            scope=request.scope, placement_id=placement.pk, on=form.cleaned_data["on"]
        ),
        success=_(
            "Step-down recorded: follow-along has ended and %(name)s leaves the active caseload "
            "(closed, still working)."
        )
        % {"name": placement.job_seeker.full_name},
    )


@require_POST
def accommodation_create(request, pk):
    placement = placement_for_detail(request.scope, pk, edit=True)
    form = AccommodationForm(request.POST)
    return _on_placement_page(
        request,
        placement,
        form=form,
        context_name="accommodation_form",
        save=lambda: services.accommodation_add(
            scope=request.scope,
            placement_id=placement.pk,
            description=form.cleaned_data["description"],
            consents=form.cleaned_data["consents"],
        ),
        success=_("Workplace adjustment recorded."),
    )


@require_POST
def accommodation_status(request, pk, accommodation_pk):
    scope = request.scope
    placement = placement_for_detail(scope, pk, edit=True)
    accommodation = scope.get(accommodations_visible(scope).filter(placement=placement), pk=accommodation_pk)
    form = AccommodationStatusForm(request.POST, prefix=f"acc{accommodation.pk}")
    return _on_placement_page(
        request,
        placement,
        form=form,
        context_name="accommodation_status_form",
        save=lambda: services.accommodation_change_status(
            scope=scope,
            accommodation_id=accommodation.pk,
            status=form.cleaned_data["status"] or None,
            note=form.cleaned_data["note"],
            consents=form.cleaned_data["consents"] or None,
        ),
        success=_("Workplace adjustment updated."),
    )


@require_POST
def benefits_status(request, pk, step_pk):
    scope = request.scope
    placement = placement_for_detail(scope, pk, edit=True)
    step = scope.get(benefits_steps_visible(scope).filter(placement=placement), pk=step_pk)
    form = BenefitsStatusForm(request.POST, prefix=f"ben{step.pk}")
    return _on_placement_page(
        request,
        placement,
        form=form,
        context_name="benefits_status_form",
        save=lambda: services.benefits_step_change_status(
            scope=scope, step_id=step.pk, status=form.cleaned_data["status"] or None, note=form.cleaned_data["note"]
        ),
        success=_("Benefits-counselling step updated."),
    )


@require_POST
def benefits_counsellor(request, pk, step_pk):
    scope = request.scope
    placement = placement_for_detail(scope, pk, edit=True)
    step = scope.get(benefits_steps_visible(scope).filter(placement=placement), pk=step_pk)
    form = BenefitsCounsellorForm(
        request.POST, prefix=f"benc{step.pk}", partners=BenefitsCounsellorForm.partners_offered(scope)
    )
    return _on_placement_page(
        request,
        placement,
        form=form,
        context_name="benefits_counsellor_form",
        save=lambda: services.benefits_step_assign(scope=scope, step_id=step.pk, counsellor_id=form.counsellor_id()),
        success=_("Benefits counsellor saved."),
    )


@require_POST
def job_end_report(request, pk):
    placement = placement_for_detail(request.scope, pk, edit=True)
    form = JobEndReportForm(request.POST)
    return _on_placement_page(
        request,
        placement,
        form=form,
        context_name="report_form",
        save=lambda: services.job_end_report_save(
            scope=request.scope, placement_id=placement.pk, report=form.cleaned_data
        ),
        success=_("Job-end report saved."),
    )


# Tasks ------------------------------------------------------------------------------


def task_list(request):
    groups = {
        name: [(task, TaskCompleteForm(task=task)) for task in tasks] for name, tasks in my_tasks(request.scope).items()
    }
    return render(request, "placements/my_tasks.html", {"groups": groups})


@require_POST
def task_complete(request, task_pk):
    scope = request.scope
    task = scope.get(support_tasks_editable(scope), pk=task_pk)
    form = TaskCompleteForm(request.POST, task=task)
    done = submit(form, lambda: services.support_task_complete(scope=scope, task_id=task.pk, **form.completion()))
    if request.htmx:
        if done:
            task = scope.get(support_tasks_visible(scope), pk=task.pk)
        # The row, swapped in place: done, it says so (and a status message is read out);
        # refused, the form again with its errors.
        context = {"task": task, "form": None if done else form, "just_done": bool(done)}
        return render(request, "placements/_task.html", context)
    if done and form.completes_step_down:
        messages.success(
            request,
            _("Hand-over done: follow-along has ended and %(name)s leaves the active caseload (closed, still working).")
            % {"name": task.job_seeker.full_name},
        )
    elif done:
        messages.success(request, _("Task completed."))
    else:
        messages.error(request, _("The task was not completed: %(errors)s") % {"errors": errors_in_words(form)})
    return redirect(safe_next(request, "task_list"))


@require_POST
def task_schedule(request, task_pk):
    scope = request.scope
    task = scope.get(support_tasks_editable(scope), pk=task_pk)
    form = TaskScheduleForm(request.POST, prefix=f"schedule{task.pk}")
    saved = submit(
        form,
        lambda: services.support_task_schedule(
            scope=scope,
            task_id=task.pk,
            due_date=form.cleaned_data["due_date"],
            due_time=form.cleaned_data["due_time"],
            duration_minutes=form.cleaned_data["duration_minutes"],
        ),
    )
    if saved:
        messages.success(request, _("Appointment saved."))
    else:
        messages.error(request, _("The appointment was not changed: %(errors)s") % {"errors": errors_in_words(form)})
    return redirect(safe_next(request, "task_list"))


def team_follow_along(request):
    if not request.scope.supervises:
        raise OutOfScope
    return render(
        request, "placements/team_follow_along.html", {"rows": overdue_follow_along_by_specialist(request.scope)}
    )
