"""Who is calling: `Authorization: Bearer <key>` (a partner key `ipsk_…` or a staff
personal token `ipst_…`), or a staff member's session (CSRF checked on unsafe
methods). `request.auth` is the caller's access scope (crm.access): a StaffScope for
staff, exactly their UI's; a PartnerScope carrying the key's grants for a partner.

A key or token that is unknown, revoked or expired, a partner made inactive, an
inactive staff member: 401 problem with `WWW-Authenticate: Bearer`."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from crm.access import PartnerScope, access_scope

from .models import ApiKey, PersonalToken

INVALID = _("Invalid, expired or revoked credentials.")


class BearerAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate_header(self, request):
        return 'Bearer realm="api"'

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("The Authorization header must read 'Bearer <key>'."))
        try:
            token = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(INVALID) from None
        now = timezone.now()
        if token.startswith(ApiKey.PREFIX):
            return self._partner_key(token, now)
        if token.startswith(PersonalToken.PREFIX):
            return self._personal_token(token, now)
        raise exceptions.AuthenticationFailed(INVALID)

    @staticmethod
    def _find(model, token: str, now, *related: str):
        parsed = model.parse(token)
        if parsed is None:
            raise exceptions.AuthenticationFailed(INVALID)
        public_id, secret = parsed
        credential = model.objects.select_related(*related).filter(public_id=public_id).first()
        # Compared even when no row matched, so timing tells nothing of the public id.
        matches = credential.matches(secret) if credential else ApiKey(secret_hash="0" * 64).matches(secret)
        if credential is None or not matches or not credential.is_usable(now):
            raise exceptions.AuthenticationFailed(INVALID)
        return credential

    def _partner_key(self, token: str, now):
        key = self._find(ApiKey, token, now, "partner__organisation")
        if not key.partner.is_active:
            raise exceptions.AuthenticationFailed(INVALID)
        key.touch(now)
        scope = PartnerScope(key.partner, grants=frozenset(key.grants))
        scope.api_key = key
        return AnonymousUser(), scope

    def _personal_token(self, token: str, now):
        personal = self._find(PersonalToken, token, now, "user__organisation")
        user = personal.user
        if not user.is_active:
            raise exceptions.AuthenticationFailed(INVALID)
        personal.touch(now)
        scope = access_scope(user)
        return user, scope


class StaffSessionAuthentication(authentication.SessionAuthentication):
    """A logged-in staff member in the browser (the docs page, the app's own calls):
    their scope, CSRF enforced on unsafe methods (DRF's SessionAuthentication)."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is None:
            return None
        user, _auth = result
        return user, access_scope(user)


def principal_of(request) -> str | None:
    """Who is acting, for idempotency records and throttles: the key, or the user."""
    scope = getattr(request, "auth", None)
    if isinstance(scope, PartnerScope):
        key = getattr(scope, "api_key", None)
        return f"key:{key.pk}" if key is not None else f"partner:{scope.partner_id}"
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    return None


class BearerScheme(OpenApiAuthenticationExtension):
    target_class = BearerAuthentication
    name = "bearerKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": (
                "A partner API key (`ipsk_…`, created by a program admin with the grants it carries) or a "
                "staff personal token (`ipst_…`, created on the settings page): "
                "`Authorization: Bearer <key>`. Shown once when created; stored hashed."
            ),
        }


class SessionScheme(OpenApiAuthenticationExtension):
    target_class = StaffSessionAuthentication
    name = "staffSession"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "cookie",
            "name": "sessionid",
            "description": "A staff member's session in the app (CSRF token required on unsafe methods).",
        }
