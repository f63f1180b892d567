"""A job seeker's consents to share with partner organisations: the "Sharing with
partners" section of their page (loaded in place), recording a consent, withdrawing
one. Everyone who sees the person reads the list; those who may edit the person record
and withdraw (crm.services.sharing_consent_record / sharing_consent_withdraw)."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from crm import clock, services
from crm.access import rows
from crm.forms import SharingConsentForm, submit
from crm.models import JobSeeker, SharingConsent
from crm.selectors import job_seekers_editable, job_seekers_visible


def _covers(consent: SharingConsent) -> list[str]:
    """What a consent covers, in words."""
    words = {
        "progress": _("job search and jobs"),
        "support": _("follow-along support"),
        "benefits": _("benefits counselling"),
    }
    return [words[cover] for cover in SharingConsent.COVERS if getattr(consent, f"shares_{cover}")]


def _state(consent: SharingConsent, today) -> str:
    if consent.withdrawn_at is not None:
        return "withdrawn"
    if consent.consented_on > today:
        return "not_yet"
    if consent.valid_until is not None and consent.valid_until < today:
        return "expired"
    return "in_force"


def _context(request, job_seeker: JobSeeker, form: SharingConsentForm | None = None) -> dict:
    scope = request.scope
    can_edit = scope.may_edit_job_seeker(job_seeker.pk)
    today = clock.program_today(scope.organisation)
    consents = (
        rows(scope, SharingConsent)
        .filter(job_seeker_id=job_seeker.pk)
        .select_related("partner", "recorded_by", "withdrawn_by")
    )
    if can_edit and form is None:
        form = SharingConsentForm(scope=scope, initial={"consented_on": today})
    return {
        "job_seeker": job_seeker,
        "referred_by": job_seeker.referred_by_partner,
        "consents": [
            {"consent": consent, "covers": _covers(consent), "state": _state(consent, today)} for consent in consents
        ],
        "can_edit": can_edit,
        "consent_form": form if can_edit else None,
    }


@require_http_methods(["GET", "HEAD", "POST"])
def sharing(request, pk):
    """GET: the section (in place, or as a page of its own without htmx). POST: record
    a consent; refused, the page shows the form again with the reasons, nothing saved."""
    scope = request.scope
    if request.method == "POST":
        job_seeker = scope.get(job_seekers_editable(scope).select_related("referred_by_partner"), pk=pk)
        form = SharingConsentForm(request.POST, scope=scope)
        recorded = submit(
            form,
            lambda: services.sharing_consent_record(
                scope=scope,
                job_seeker_id=job_seeker.pk,
                partner_id=form.cleaned_data["partner"].pk,
                consent=form.consent(),
            ),
        )
        if recorded:
            messages.success(
                request, _("Consent to share with %(partner)s recorded.") % {"partner": recorded.partner.name}
            )
            return redirect(reverse("job_seeker_detail", args=[job_seeker.pk]) + "#sharing")
        return render(request, "crm/consent/sharing_page.html", _context(request, job_seeker, form))
    job_seeker = scope.get(job_seekers_visible(scope).select_related("referred_by_partner"), pk=pk)
    template = "crm/consent/_sharing.html" if request.htmx else "crm/consent/sharing_page.html"
    return render(request, template, _context(request, job_seeker))


def _editable_consent(request, pk: int, consent_pk: int) -> SharingConsent:
    scope = request.scope
    job_seeker = scope.get(job_seekers_editable(scope), pk=pk)
    return scope.get(
        rows(scope, SharingConsent).filter(job_seeker_id=job_seeker.pk).select_related("partner", "job_seeker"),
        pk=consent_pk,
    )


@require_http_methods(["GET", "HEAD", "POST"])
def sharing_withdraw(request, pk, consent_pk):
    """GET: asks to confirm; POST: withdraws (twice changes nothing)."""
    consent = _editable_consent(request, pk, consent_pk)
    if request.method != "POST":
        return render(
            request,
            "crm/consent/withdraw_confirm.html",
            {"consent": consent, "job_seeker": consent.job_seeker, "covers": _covers(consent)},
        )
    already = consent.withdrawn_at is not None
    services.sharing_consent_withdraw(scope=request.scope, consent_id=consent.pk)
    if already:
        messages.info(request, _("This consent was already withdrawn."))
    else:
        messages.success(
            request,
            _("Consent withdrawn: %(partner)s no longer sees what it covered.") % {"partner": consent.partner.name},
        )
    return redirect(reverse("job_seeker_detail", args=[pk]) + "#sharing")
