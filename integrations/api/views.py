"""The API's pages in the app: a partner's keys, for program admins, and each staff
member's personal tokens, on their settings.

A key or token is shown once, in the response to its creation (no redirect, not
cached), and never again: only a hash of its secret is stored (integrations.api.models).
Anyone but a program admin gets 404 on the partners' pages, as for every page not meant
for their role."""

import datetime

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from crm import clock
from crm.access import OutOfScope
from crm.forms import SaneDateField, add_service_errors
from integrations.api import services
from integrations.api.grants import GRANTS
from integrations.api.selectors import api_keys_visible, personal_tokens_of

#: What a new key or token is offered to last, by default.
DEFAULT_VALIDITY = datetime.timedelta(days=365)


class ExpiryForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=120,
        help_text=gettext_lazy("What it is for, so you recognise it later (e.g. “Referral system”)."),
    )
    expires_on = SaneDateField(
        label=gettext_lazy("Expires after"),
        required=False,
        help_text=gettext_lazy("It stops working at the end of this day. Leave empty for no expiry."),
    )

    #: The services' names for this form's fields (crm.forms.add_service_errors).
    service_field_map = {"expires_at": "expires_on"}

    def __init__(self, *args, organisation, **kwargs):
        self.organisation = organisation
        self.today = clock.program_today(organisation)
        kwargs.setdefault("initial", {"expires_on": self.today + DEFAULT_VALIDITY})
        super().__init__(*args, **kwargs)

    def clean_expires_on(self):
        expires_on = self.cleaned_data["expires_on"]
        if expires_on is not None and expires_on < self.today:
            raise ValidationError(_("Choose today or a later day."))
        return expires_on

    def expires_at(self) -> datetime.datetime | None:
        """The end of the chosen day in the program's time zone."""
        expires_on = self.cleaned_data["expires_on"]
        if expires_on is None:
            return None
        zone = clock.program_zone(self.organisation)
        return clock.wall_instant(expires_on + datetime.timedelta(days=1), datetime.time(0, 0), zone)


class ApiKeyForm(ExpiryForm):
    grants = forms.MultipleChoiceField(
        label=gettext_lazy("What the key may do"),
        choices=[(grant, format_lazy("{} — {}", grant, description)) for grant, description in GRANTS.items()],
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy(
            "Give only what the partner needs. Whatever it reads is limited to the people it referred "
            "or that a consent shares with it."
        ),
    )


def _created(request, template: str, context: dict):
    # The plaintext is in this response only: never cached, never shown again.
    response = render(request, template, context)
    add_never_cache_headers(response)
    return response


# Partner keys (program admins) -------------------------------------------------------


def _partner(request, pk):
    if not request.scope.manages_partners:
        raise OutOfScope
    return request.scope.get(request.scope.partners().select_related("referrals_to"), pk=pk)


def partner_api_keys(request, pk):
    partner = _partner(request, pk)
    keys = api_keys_visible(request.scope).filter(partner_id=partner.pk).select_related("created_by")
    return render(request, "api/partner_keys.html", {"partner": partner, "keys": keys, "grants": GRANTS})


@require_http_methods(["GET", "HEAD", "POST"])
def partner_api_key_create(request, pk):
    partner = _partner(request, pk)
    scope = request.scope
    form = ApiKeyForm(request.POST if request.method == "POST" else None, organisation=scope.organisation)
    if request.method == "POST" and form.is_valid():
        try:
            key, plaintext = services.api_key_create(
                scope=scope,
                partner_id=partner.pk,
                name=form.cleaned_data["name"],
                grants=form.cleaned_data["grants"],
                expires_at=form.expires_at(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return _created(request, "api/key_created.html", {"partner": partner, "key": key, "plaintext": plaintext})
    return render(request, "api/key_form.html", {"partner": partner, "form": form})


@require_http_methods(["GET", "HEAD", "POST"])
def partner_api_key_revoke(request, pk, key_id):
    """GET: asks to confirm; POST: revokes (the key answers 401 from its next request)."""
    partner = _partner(request, pk)
    key = request.scope.get(api_keys_visible(request.scope).filter(partner_id=partner.pk), pk=key_id)
    if request.method != "POST":
        return render(request, "api/key_revoke.html", {"partner": partner, "key": key})
    if key.revoked_at is None:
        services.api_key_revoke(scope=request.scope, key_id=key.pk)
        messages.success(request, _("Key %(key)s revoked: it no longer works.") % {"key": key.masked})
    return redirect("partner_api_keys", pk=partner.pk)


# Personal tokens (any staff member, on their settings) -------------------------------


def _require_staff(request) -> None:
    if not request.scope.in_program or request.scope.user is None:
        raise OutOfScope


def personal_tokens(request, form=None, created=None):
    _require_staff(request)
    scope = request.scope
    context = {
        "tokens": personal_tokens_of(scope),
        "form": form or ExpiryForm(organisation=scope.organisation),
        "created": created,
    }
    if created is not None:
        return _created(request, "api/personal_tokens.html", context)
    return render(request, "api/personal_tokens.html", context)


@require_POST
def personal_token_create(request):
    _require_staff(request)
    scope = request.scope
    form = ExpiryForm(request.POST, organisation=scope.organisation)
    if form.is_valid():
        try:
            token, plaintext = services.personal_token_create(
                scope=scope, name=form.cleaned_data["name"], expires_at=form.expires_at()
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return personal_tokens(request, created={"token": token, "plaintext": plaintext})
    return personal_tokens(request, form=form)


@require_POST
def personal_token_revoke(request, token_id):
    _require_staff(request)
    token = request.scope.get(personal_tokens_of(request.scope), pk=token_id)
    if token.revoked_at is None:
        services.personal_token_revoke(scope=request.scope, token_id=token.pk)
        messages.success(request, _("Token %(token)s revoked: it no longer works.") % {"token": token.masked})
    return redirect("personal_tokens")
