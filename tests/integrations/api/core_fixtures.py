"""Fixtures of the API core's tests (test_core_*, test_jobseekers*, test_sync*,
test_events*): a partner of Marseille whose referrals go to Sam, keys and tokens, a
client. Import with `from tests.integrations.api.core_fixtures import *`."""

from __future__ import annotations

import datetime

import pytest
from django.core.cache import cache
from django.utils import timezone
from rest_framework.test import APIClient

from integrations.api.grants import ALL_GRANTS
from integrations.api.models import ApiKey, PersonalToken
from tests.factories import PartnerFactory

__all__ = ["api", "partner", "other_partner", "issue_key", "issue_token", "bearer", "clean_cache"]


@pytest.fixture(autouse=True)
def clean_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def partner(organisation, specialist_sam):
    return PartnerFactory(organisation=organisation, name="Mental-health team", referrals_to=specialist_sam)


@pytest.fixture
def other_partner(organisation, specialist_bob):
    return PartnerFactory(organisation=organisation, name="Benefits service", referrals_to=specialist_bob)


@pytest.fixture
def issue_key(db):
    def issue(partner, grants=ALL_GRANTS, *, expires_in: datetime.timedelta | None = None, **fields) -> str:
        expires_at = timezone.now() + expires_in if expires_in is not None else None
        key, plaintext = ApiKey.issue(
            partner=partner, name=fields.pop("name", "test"), grants=sorted(grants), expires_at=expires_at, **fields
        )
        key.save()
        return plaintext

    return issue


@pytest.fixture
def issue_token(db):
    def issue(user, *, expires_in: datetime.timedelta | None = None) -> str:
        expires_at = timezone.now() + expires_in if expires_in is not None else None
        token, plaintext = PersonalToken.issue(user=user, name="test", expires_at=expires_at)
        token.save()
        return plaintext

    return issue


def bearer(plaintext: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {plaintext}"}
