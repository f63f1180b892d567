"""Reads of the API's own records, through the access scope."""

from __future__ import annotations

from django.db.models import QuerySet

from crm.access import AccessScope, StaffScope

from .models import ApiKey, PersonalToken


def api_keys_visible(scope: AccessScope) -> QuerySet[ApiKey]:
    """Program admins: the keys of their program's partners."""
    if not scope.manages_partners:
        return ApiKey.objects.none()
    return ApiKey.objects.filter(partner__organisation_id=scope.organisation_id).select_related("partner")


def personal_tokens_of(scope: AccessScope) -> QuerySet[PersonalToken]:
    """The acting staff member's own tokens."""
    if not (isinstance(scope, StaffScope) and scope.in_program):
        return PersonalToken.objects.none()
    return PersonalToken.objects.filter(user_id=scope.user.pk)
