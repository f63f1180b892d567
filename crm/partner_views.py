"""The program's partner organisations, for program admins: list, add, change.

Their API keys are managed on the partner's keys page (integrations.api.views), which
this page links to. Anyone but a program admin gets 404, as for every page not meant
for their role."""

from django.contrib import messages
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from crm import clock, services
from crm.access import OutOfScope
from crm.forms import PartnerForm, submit


def _require_partner_manager(request) -> None:
    if not request.scope.manages_partners:
        raise OutOfScope


def partner_list(request):
    _require_partner_manager(request)
    scope = request.scope
    today = clock.program_today(scope.organisation)
    in_force = (
        Q(consents__withdrawn_at__isnull=True, consents__consented_on__lte=today)
        & (Q(consents__valid_until__isnull=True) | Q(consents__valid_until__gte=today))
        & Q(consents__organisation_id=scope.organisation_id)
    )
    partners = (
        scope.partners()
        .select_related("referrals_to")
        .annotate(
            referred=Count("referrals", distinct=True),
            shared=Count("consents__job_seeker", filter=in_force, distinct=True),
        )
        .order_by("name", "pk")
    )
    return render(request, "crm/partners/partner_list.html", {"partners": partners})


def partner_create(request):
    _require_partner_manager(request)
    form = PartnerForm(request.POST if request.method == "POST" else None, scope=request.scope)
    if request.method == "POST":
        partner = submit(form, lambda: services.partner_create(scope=request.scope, details=form.details()))
        if partner:
            messages.success(request, _("Partner organisation %(name)s added.") % {"name": partner.name})
            return redirect("partner_list")
    return render(request, "crm/partners/partner_form.html", {"form": form, "partner": None})


def partner_edit(request, pk):
    _require_partner_manager(request)
    partner = request.scope.get(request.scope.partners(), pk=pk)
    form = PartnerForm(request.POST if request.method == "POST" else None, scope=request.scope, partner=partner)
    if request.method == "POST":
        saved = submit(
            form, lambda: services.partner_update(scope=request.scope, partner_id=partner.pk, details=form.details())
        )
        if saved:
            messages.success(request, _("Changes saved."))
            return redirect("partner_list")
    return render(request, "crm/partners/partner_form.html", {"form": form, "partner": partner})
