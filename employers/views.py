from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.forms import add_service_errors
from employers import services
from employers.forms import (
    ContactPersonForm,
    EmployerForm,
    EmployerSiteForm,
    JobOpeningForm,
    OptionalContactPersonForm,
    OptionalEmployerSiteForm,
)
from employers.selectors import (
    EmployerFilter,
    contact_person_for_edit,
    employer_for_detail,
    employer_site_for_edit,
    employers_for_list,
    employers_visible_to,
    job_opening_for_edit,
)

PAGE_SIZE = 25


def _visible_employer(user, pk):
    try:
        return employers_visible_to(user).get(pk=pk)
    except ObjectDoesNotExist as exc:
        raise Http404 from exc


def employer_list(request):
    employer_filter = EmployerFilter(request.GET or None, queryset=employers_for_list(request.user))
    page = Paginator(employer_filter.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    template = "employers/_employer_rows.html" if request.htmx else "employers/employer_list.html"
    return render(request, template, {"filter": employer_filter, "page": page})


def employer_detail(request, pk):
    try:
        employer = employer_for_detail(request.user, pk)
    except ObjectDoesNotExist as exc:
        raise Http404 from exc
    return render(request, "employers/employer_detail.html", {"employer": employer})


def employer_create(request):
    data = request.POST if request.method == "POST" else None
    forms = (EmployerForm(data), OptionalEmployerSiteForm(data), OptionalContactPersonForm(data))
    if request.method == "POST" and all([form.is_valid() for form in forms]):
        employer_form, site_form, contact_form = forms
        try:
            employer = services.employer_create(
                actor=request.user,
                fields=employer_form.cleaned_data,
                site=site_form.cleaned_data if site_form.has_changed() else None,
                contact_person=contact_form.cleaned_data if contact_form.has_changed() else None,
            )
        except ValidationError as error:
            add_service_errors(employer_form, error)
        else:
            messages.success(request, _("Employer %(name)s added.") % {"name": employer.name})
            return redirect("employer_detail", pk=employer.pk)
    return render(request, "employers/employer_form.html", {"forms": forms, "employer": None})


def employer_edit(request, pk):
    employer = _visible_employer(request.user, pk)
    form = EmployerForm(request.POST if request.method == "POST" else None, instance=employer)
    if request.method == "POST" and form.is_valid():
        try:
            services.employer_update(actor=request.user, employer=employer, fields=form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("employer_detail", pk=employer.pk)
    return render(request, "employers/employer_form.html", {"forms": (form,), "employer": employer})


def employer_site_form(request, pk, site_pk=None):
    employer = _visible_employer(request.user, pk)
    try:
        site = employer_site_for_edit(request.user, employer, site_pk) if site_pk else None
    except ObjectDoesNotExist as exc:
        raise Http404 from exc
    form = EmployerSiteForm(request.POST if request.method == "POST" else None, instance=site)
    if request.method == "POST" and form.is_valid():
        try:
            services.employer_site_save(actor=request.user, employer=employer, site=site, fields=form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Site saved."))
            return redirect("employer_detail", pk=employer.pk)
    title = _("Edit site") if site else _("Add a site")
    return render(request, "employers/part_form.html", {"form": form, "employer": employer, "title": title})


def contact_person_form(request, pk, contact_pk=None):
    employer = _visible_employer(request.user, pk)
    try:
        contact = contact_person_for_edit(request.user, employer, contact_pk) if contact_pk else None
    except ObjectDoesNotExist as exc:
        raise Http404 from exc
    form = ContactPersonForm(request.POST if request.method == "POST" else None, instance=contact, employer=employer)
    if request.method == "POST" and form.is_valid():
        try:
            services.contact_person_save(
                actor=request.user, employer=employer, contact_person=contact, fields=form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Contact person saved."))
            return redirect("employer_detail", pk=employer.pk)
    title = _("Edit contact person") if contact else _("Add a contact person")
    return render(request, "employers/part_form.html", {"form": form, "employer": employer, "title": title})


def job_opening_form(request, pk, opening_pk=None):
    employer = _visible_employer(request.user, pk)
    try:
        opening = job_opening_for_edit(request.user, employer, opening_pk) if opening_pk else None
    except ObjectDoesNotExist as exc:
        raise Http404 from exc
    form = JobOpeningForm(
        request.POST if request.method == "POST" else None,
        instance=opening,
        employer=employer,
        initial={"learned_on": timezone.localdate(), "source": "employer_contact"},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.job_opening_save(actor=request.user, employer=employer, opening=opening, fields=form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Job opening saved."))
            return redirect("employer_detail", pk=employer.pk)
    title = _("Edit job opening") if opening else _("Record a job opening")
    return render(request, "employers/part_form.html", {"form": form, "employer": employer, "title": title})
