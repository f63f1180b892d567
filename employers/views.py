from django.contrib import messages
from django.core.exceptions import BadRequest
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from crm.forms import parse_id, submit
from employers import services
from employers.forms import (
    ContactPersonForm,
    EmployerForm,
    EmployerSiteForm,
    JobOpeningForm,
    OptionalContactPersonForm,
    OptionalEmployerSiteForm,
)
from employers.part_options import PARTS, empty_label, parts_of
from employers.selectors import (
    EmployerFilter,
    contact_persons_visible,
    employer_for_detail,
    employer_list_page,
    employer_sites_visible,
    employers_for_list,
    employers_visible,
    job_openings_visible,
)

PAGE_SIZE = 25


def employer_list(request):
    employer_filter = EmployerFilter(request.GET or None, queryset=employers_for_list(request.scope))
    page = employer_list_page(employer_filter.qs, request.GET.get("page"), PAGE_SIZE)
    # The filter's htmx requests want the rows; a boosted request (a form that redirects
    # here, as the import's confirmation does) wants the whole page.
    rows_only = request.htmx and not request.htmx.boosted
    template = "employers/_employer_rows.html" if rows_only else "employers/employer_list.html"
    return render(request, template, {"filter": employer_filter, "page": page})


def employer_detail(request, pk):
    return render(request, "employers/employer_detail.html", {"employer": employer_for_detail(request.scope, pk)})


def employer_create(request):
    data = request.POST if request.method == "POST" else None
    forms = (EmployerForm(data), OptionalEmployerSiteForm(data), OptionalContactPersonForm(data))
    if request.method == "POST":
        employer_form, site_form, contact_form = forms
        employer = submit(
            forms,
            lambda: services.employer_create(
                scope=request.scope,
                details=employer_form.details(),
                relationship_stage=employer_form.cleaned_data["relationship_stage"],
                site=site_form.cleaned_data if site_form.has_changed() else None,
                contact_person=contact_form.cleaned_data if contact_form.has_changed() else None,
            ),
        )
        if employer:
            messages.success(request, _("Employer %(name)s added.") % {"name": employer.name})
            return redirect("employer_detail", pk=employer.pk)
    return render(request, "employers/employer_form.html", {"forms": forms, "employer": None})


def employer_edit(request, pk):
    employer = request.scope.get(employers_visible(request.scope), pk=pk)
    form = EmployerForm(request.POST if request.method == "POST" else None, instance=employer)
    if request.method == "POST":
        saved = submit(
            form,
            lambda: services.employer_update(
                scope=request.scope,
                employer_id=employer.pk,
                details=form.details(),
                relationship_stage=form.cleaned_data["relationship_stage"],
            ),
        )
        if saved:
            messages.success(request, _("Changes saved."))
            return redirect("employer_detail", pk=employer.pk)
    return render(request, "employers/employer_form.html", {"forms": (form,), "employer": employer})


def _part_form(request, employer, *, form, save, success, title):
    if request.method == "POST" and submit(form, save):
        messages.success(request, success)
        return redirect("employer_detail", pk=employer.pk)
    return render(request, "employers/part_form.html", {"form": form, "employer": employer, "title": title})


def employer_site_form(request, pk, site_pk=None):
    scope = request.scope
    employer = scope.get(employers_visible(scope), pk=pk)
    site = scope.get(employer_sites_visible(scope).filter(employer=employer), pk=site_pk) if site_pk else None
    form = EmployerSiteForm(request.POST if request.method == "POST" else None, instance=site)
    return _part_form(
        request,
        employer,
        form=form,
        save=lambda: services.employer_site_save(
            scope=scope, employer_id=employer.pk, site_id=getattr(site, "pk", None), details=form.cleaned_data
        ),
        success=_("Site saved."),
        title=_("Edit site") if site else _("Add a site"),
    )


def contact_person_form(request, pk, contact_pk=None):
    scope = request.scope
    employer = scope.get(employers_visible(scope), pk=pk)
    person = scope.get(contact_persons_visible(scope).filter(employer=employer), pk=contact_pk) if contact_pk else None
    form = ContactPersonForm(request.POST if request.method == "POST" else None, instance=person, employer=employer)
    return _part_form(
        request,
        employer,
        form=form,
        save=lambda: services.contact_person_save(
            scope=scope,
            employer_id=employer.pk,
            contact_person_id=getattr(person, "pk", None),
            details=form.cleaned_data,
        ),
        success=_("Contact person saved."),
        title=_("Edit contact person") if person else _("Add a contact person"),
    )


def job_opening_form(request, pk, opening_pk=None):
    scope = request.scope
    employer = scope.get(employers_visible(scope), pk=pk)
    opening = scope.get(job_openings_visible(scope).filter(employer=employer), pk=opening_pk) if opening_pk else None
    form = JobOpeningForm(
        request.POST if request.method == "POST" else None,
        instance=opening,
        employer=employer,
        initial={"learned_on": timezone.localdate(), "source": "employer_contact"},
    )
    return _part_form(
        request,
        employer,
        form=form,
        save=lambda: services.job_opening_save(
            scope=scope, employer_id=employer.pk, opening_id=getattr(opening, "pk", None), details=form.cleaned_data
        ),
        success=_("Job opening saved."),
        title=_("Edit job opening") if opening else _("Record a job opening"),
    )


@require_GET
def employer_part_options(request, part):
    """The <option>s of a form's Site or Contact person list (`part`: "site" or
    "contact_person") for the employer `?employer=` (employers.part_options), loaded
    by htmx when the form's employer changes; `?<part>=` keeps that row selected if it
    is the employer's. No employer: the list asks for one. An id that is no id: 400;
    an employer the scope does not see: 404."""
    if part not in PARTS:
        raise Http404
    raw = request.GET.get("employer", "").strip()
    employer_id = None
    if raw:
        employer_id = parse_id(raw)
        if employer_id is None:
            raise BadRequest("employer is not an id")
        employer_id = request.scope.get(employers_visible(request.scope), pk=employer_id).pk
    selected = parse_id(request.GET.get(part, ""))
    rows = parts_of(request.scope, part, employer_id)
    options = format_html('<option value="">{}</option>', empty_label(employer_id)) + format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        ((row.pk, " selected" if row.pk == selected else "", str(row)) for row in rows),
    )
    return HttpResponse(options)
