"""Writes on the API's credentials. Only program admins manage partner keys; every
staff member manages their own personal tokens. A plaintext is returned once, at
creation, and never stored (models.Credential)."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from crm.access import AccessScope, OutOfScope, StaffScope

from .grants import unknown_grants
from .models import ApiKey, PersonalToken
from .selectors import api_keys_visible, personal_tokens_of

MAX_NAME_LENGTH = 120


def _check_name_and_expiry(name: str, expires_at: datetime.datetime | None, errors: dict | None = None) -> str:
    """The name stripped; raises ValidationError with `errors` and any of its own."""
    name = (name or "").strip()
    errors = dict(errors or {})
    if not name:
        errors["name"] = _("Give it a name, so you know where it is used.")
    elif len(name) > MAX_NAME_LENGTH:
        errors["name"] = _("At most %(max)s characters.") % {"max": MAX_NAME_LENGTH}
    if expires_at is not None and expires_at <= timezone.now():
        errors["expires_at"] = _("The expiry must be in the future.")
    if errors:
        raise ValidationError(errors)
    return name


def _program_admin(scope: AccessScope) -> None:
    if not scope.manages_partners:
        raise OutOfScope


@transaction.atomic
def api_key_create(
    *,
    scope: AccessScope,
    partner_id: int,
    name: str,
    grants,
    expires_at: datetime.datetime | None = None,
) -> tuple[ApiKey, str]:
    """A new key for a partner of the program, with `grants`; returns it and its
    plaintext (shown once). Raises OutOfScope (not a program admin, a partner of
    another program), ValidationError (name, grants, expiry, an inactive partner)."""
    _program_admin(scope)
    partner = scope.get(scope.partners(), pk=partner_id)
    grants = sorted(set(grants or ()))
    errors = {}
    if not grants:
        errors["grants"] = _("Choose at least one grant.")
    elif unknown := unknown_grants(grants):
        errors["grants"] = ngettext("Unknown grant: %(grants)s.", "Unknown grants: %(grants)s.", len(unknown)) % {
            "grants": ", ".join(unknown)
        }
    if not partner.is_active:
        errors["partner"] = _("This partner organisation is inactive: reactivate it first.")
    name = _check_name_and_expiry(name, expires_at, errors)
    key, plaintext = ApiKey.issue(
        partner=partner, name=name, grants=grants, expires_at=expires_at, created_by=scope.user
    )
    key.save()
    return key, plaintext


@transaction.atomic
def api_key_revoke(*, scope: AccessScope, key_id: int) -> ApiKey:
    """The key stops working at its next request. Revoking twice changes nothing."""
    _program_admin(scope)
    key = scope.get_for_update(api_keys_visible(scope), pk=key_id)
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
    return key


@transaction.atomic
def personal_token_create(
    *, scope: AccessScope, name: str, expires_at: datetime.datetime | None = None
) -> tuple[PersonalToken, str]:
    """A token for the acting staff member: the API with exactly their access."""
    if not (isinstance(scope, StaffScope) and scope.in_program):
        raise OutOfScope
    name = _check_name_and_expiry(name, expires_at)
    token, plaintext = PersonalToken.issue(user=scope.user, name=name, expires_at=expires_at)
    token.save()
    return token, plaintext


@transaction.atomic
def personal_token_revoke(*, scope: AccessScope, token_id: int) -> PersonalToken:
    token = scope.get_for_update(personal_tokens_of(scope), pk=token_id)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token
