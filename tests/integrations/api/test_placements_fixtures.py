"""Helpers (not fixtures, so that test modules declare their own) for the tests of the employers, employer contacts, placements, support and
benefits endpoints (no tests here): calling the API with a staff personal token or a
partner key, and reading problems."""

from __future__ import annotations

import json

from crm.access import StaffScope


def token_for(user) -> str:
    from integrations.api.services import personal_token_create

    _token, plaintext = personal_token_create(scope=StaffScope(user), name="tests")
    return plaintext


def key_for(partner, admin, grants) -> str:
    from integrations.api.services import api_key_create

    _key, plaintext = api_key_create(
        scope=StaffScope(admin), partner_id=partner.pk, name="tests", grants=sorted(grants)
    )
    return plaintext


class Api:
    """`api.get(path, token, **params)`, `api.post(path, token, body, **headers)`:
    headers as keyword arguments, `If_Match="..."` for If-Match."""

    def __init__(self, client):
        self.client = client

    @staticmethod
    def _headers(token, headers):
        meta = {"HTTP_" + name.upper().replace("-", "_"): value for name, value in headers.items()}
        if token:
            meta["HTTP_AUTHORIZATION"] = f"Bearer {token}"
        return meta

    def get(self, path, token, params=None, **headers):
        return self.client.get(path, data=params or {}, **self._headers(token, headers))

    def post(self, path, token, body=None, **headers):
        return self.client.post(
            path, data=json.dumps(body or {}), content_type="application/json", **self._headers(token, headers)
        )

    def patch(self, path, token, body=None, **headers):
        return self.client.patch(
            path, data=json.dumps(body or {}), content_type="application/json", **self._headers(token, headers)
        )


def lift_throttles(settings) -> None:
    """The tests send many requests a minute with one credential."""
    settings.API_THROTTLE_RATE = settings.API_STAFF_THROTTLE_RATE = "100000/min"


def assert_problem(response, status: int, *fields: str):
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == status
    for name in fields:
        assert name in body.get("errors", {}), body
    return body
