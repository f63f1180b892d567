import datetime

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from crm.access import OutOfScope
from crm.forms import parse_id, submit
from crm.selectors import sorted_by_label
from employers.selectors import employers_visible
from jobdev import nudges, services
from jobdev.forms import CancelForm, LogForm, OutcomeForm, PlanForm, RescheduleForm
from jobdev.models import EmployerContact
from jobdev.planning import iso_week_monday, plan_week
from jobdev.selectors import (
    employer_contact_for_detail,
    employer_contacts_editable,
    employer_contacts_visible,
    week_contacts,
    with_visible_job_seekers,
)

CONTACT_HISTORY_LIMIT = 100
WEEK = datetime.timedelta(days=7)


def my_week(request):
    if not request.scope.in_program:
        raise OutOfScope
    today = timezone.localdate()
    monday, understood = iso_week_monday(request.GET.get("week"), today)
    if not understood:
        messages.error(request, _("That week was not understood: showing this week."))
    contacts = week_contacts(request.scope, monday=monday)
    days = plan_week(contacts, monday)
    in_person_on_behalf = sum(
        1
        for contact in contacts
        if contact.is_face_to_face_on_behalf
        and contact.status in (EmployerContact.Status.PLANNED, EmployerContact.Status.HELD)
    )
    context = {
        "days": days,
        "monday": monday,
        "sunday": monday + datetime.timedelta(days=6),
        "iso_week": monday.isocalendar(),
        "previous_week": _iso(monday - datetime.timedelta(days=7)),
        "next_week": _iso(monday + datetime.timedelta(days=7)),
        "this_week": _iso(today - datetime.timedelta(days=today.weekday())),
        "today": today,
        "in_person_on_behalf": in_person_on_behalf,
        "target": request.scope.organisation.weekly_in_person_employer_contacts,
        # The weekly-pace nudge (fidelity item "job development, frequency"), on this week only.
        "pace_note": nudges.pace_nudge_for(request.scope, today=today) if monday <= today < monday + WEEK else None,
    }
    return render(request, "jobdev/my_week.html", context)


def _iso(day: datetime.date) -> str:
    year, week, _weekday = day.isocalendar()
    return f"{year}-W{week:02d}"


def contact_plan(request):
    scope = request.scope
    initial = {}
    employer_id = parse_id(request.GET.get("employer"))
    if employer_id and employers_visible(scope).filter(pk=employer_id).exists():
        initial["employer"] = employer_id
    job_seeker_id = parse_id(request.GET.get("job_seeker"))
    if job_seeker_id and scope.may_edit_job_seeker(job_seeker_id):
        initial["job_seekers"] = [job_seeker_id]
        initial["purpose"] = EmployerContact.Purpose.ON_BEHALF
    form = PlanForm(request.POST if request.method == "POST" else None, initial=initial, scope=scope)
    if request.method == "POST":
        data = form.cleaned_data if form.is_valid() else {}
        contact = submit(
            form,
            lambda: services.employer_contact_plan(
                scope=scope,
                employer_id=data["employer"].pk,
                site_id=getattr(data["site"], "pk", None),
                contact_person_id=getattr(data["contact_person"], "pk", None),
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                mode=data["mode"],
                purpose=data["purpose"],
                job_seeker_ids=[job_seeker.pk for job_seeker in data["job_seekers"]],
                nature=data["nature"] or None,
                next_step=data["next_step"],
                confirmed=data["confirmed"],
                disclosure_confirmed=data["disclosure_confirmed"],
            ),
        )
        if contact:
            messages.success(request, _("Visit planned."))
            return redirect(_week_url(contact))
        form.ask_disclosure_confirmation()
        form.offer_suggestion()
    return render(request, "jobdev/contact_form.html", {"form": form, "title": _("Plan an employer visit")})


def _week_url(contact: EmployerContact) -> str:
    return f"{reverse('my_week')}?week={_iso(timezone.localtime(contact.starts_at).date())}"


def contact_log(request):
    form = LogForm(request.POST if request.method == "POST" else None, scope=request.scope)
    if request.method == "POST":
        data = form.cleaned_data if form.is_valid() else {}
        contact = submit(
            form,
            lambda: services.employer_contact_log(
                scope=request.scope,
                employer_id=data["employer"].pk,
                occurred_at=data["occurred_at"],
                mode=data["mode"],
                purpose=data["purpose"],
                job_seeker_ids=[job_seeker.pk for job_seeker in data["job_seekers"]],
                contact_person_id=getattr(data["contact_person"], "pk", None),
                outcome={name: data[name] for name in ("result", "next_step", "next_step_on")},
            ),
        )
        if contact:
            messages.success(request, _("Employer contact logged."))
            return redirect("employer_detail", pk=contact.employer_id)
    return render(request, "jobdev/contact_form.html", {"form": form, "title": _("Log an employer contact")})


def _detail(request, contact, status=200, **forms):
    can_edit = employer_contacts_editable(request.scope).filter(pk=contact.pk).exists()
    local_start = timezone.localtime(contact.starts_at)
    context = {
        "contact": contact,
        "can_edit": can_edit and contact.status == EmployerContact.Status.PLANNED,
        "reschedule_form": RescheduleForm(
            contact=contact,
            initial={
                "day": local_start.date(),
                "start_time": local_start.time(),
                "end_time": timezone.localtime(contact.ends_at).time(),
                "site": contact.site_id,
                "contact_person": contact.contact_person_id,
                "confirmed": contact.confirmed,
            },
        ),
        "cancel_form": CancelForm(),
        "outcome_form": OutcomeForm(contact=contact),
        "learned_job_types": sorted_by_label(contact.learned_job_types.all()),
        "week_url": _week_url(contact),
    }
    context.update(forms)
    return render(request, "jobdev/contact_detail.html", context, status=status)


def contact_detail(request, pk):
    return _detail(request, employer_contact_for_detail(request.scope, pk))


def _post(request, contact, form, action, success):
    """Run `action(data)` for a valid form; show the detail page again with the errors."""
    if submit(form, lambda: action(form.cleaned_data)):
        messages.success(request, success)
        return redirect("contact_detail", pk=contact.pk)
    return _detail(request, contact, **{f"{form.prefix}_form": form})


@require_POST
def contact_reschedule(request, pk):
    contact = employer_contact_for_detail(request.scope, pk, edit=True)
    return _post(
        request,
        contact,
        RescheduleForm(request.POST, contact=contact),
        lambda data: services.employer_contact_reschedule(
            scope=request.scope,
            contact_id=contact.pk,
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            site_id=getattr(data["site"], "pk", None),
            contact_person_id=getattr(data["contact_person"], "pk", None),
            confirmed=data["confirmed"],
        ),
        _("Visit rescheduled."),
    )


@require_POST
def contact_cancel(request, pk):
    contact = employer_contact_for_detail(request.scope, pk, edit=True)
    return _post(
        request,
        contact,
        CancelForm(request.POST),
        lambda data: services.employer_contact_cancel(
            scope=request.scope, contact_id=contact.pk, reason=data["reason"]
        ),
        _("Visit cancelled."),
    )


@require_POST
def contact_outcome(request, pk):
    contact = employer_contact_for_detail(request.scope, pk, edit=True)
    form = OutcomeForm(request.POST, contact=contact)
    return _post(
        request,
        contact,
        form,
        lambda data: services.employer_contact_hold(
            scope=request.scope,
            contact_id=contact.pk,
            outcome=form.outcome(),
            no_show=data["happened"] == OutcomeForm.NO_SHOW,
        ),
        _("Outcome recorded."),
    )


def employer_contacts_section(request, employer_pk):
    """The job-development part of an employer's page: contact history, hiring needs
    learned so far and the next step due (loaded in place)."""
    employer = request.scope.get(employers_visible(request.scope), pk=employer_pk)
    contacts = list(
        with_visible_job_seekers(employer_contacts_visible(request.scope).filter(employer=employer), request.scope)
        .prefetch_related("learned_job_types")
        .order_by("-starts_at", "-id")[:CONTACT_HISTORY_LIMIT]
    )
    held = [contact for contact in contacts if contact.status == EmployerContact.Status.HELD]
    today = timezone.localdate()
    next_steps = sorted(
        (c for c in contacts if c.next_step and c.next_step_on and c.next_step_on >= today - datetime.timedelta(30)),
        key=lambda contact: contact.next_step_on,
    )
    learned_job_types = sorted_by_label({job_type for contact in held for job_type in contact.learned_job_types.all()})
    context = {
        "employer": employer,
        "contacts": contacts,
        "needs": [c for c in held if c.learned_hiring_needs or c.learned_hiring_process or c.best_time_to_apply],
        "learned_job_types": learned_job_types,
        "next_step": next_steps[0] if next_steps else None,
        "today": today,
    }
    template = "jobdev/_employer_contacts.html" if request.htmx else "jobdev/employer_contacts_page.html"
    return render(request, template, context)
