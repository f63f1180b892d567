"""The OpenAPI 3.1 schema: generated with zero warnings (every area's viewsets), the
key authentication described, problems documented; the docs page works under the CSP."""

import io

import pytest
import yaml
from django.core.management import call_command

from tests.integrations.api.core_fixtures import *  # noqa: F403


@pytest.fixture(scope="module")
def schema():
    out = io.StringIO()
    call_command("spectacular", "--validate", "--fail-on-warn", stdout=out)
    return yaml.safe_load(out.getvalue())


def test_openapi_31_with_zero_warnings(schema):
    assert schema["openapi"] == "3.1.0"


def test_bearer_key_security_scheme_is_described(schema):
    scheme = schema["components"]["securitySchemes"]["bearerKey"]
    assert scheme["type"] == "http" and scheme["scheme"] == "bearer"
    assert "ipsk_" in scheme["description"]


def test_every_operation_documents_its_problems_and_examples(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method not in {"get", "post", "patch", "put", "delete"}:
                continue
            responses = operation["responses"]
            for status in ("400", "401", "403", "404", "429"):
                assert "application/problem+json" in responses[status]["content"], (path, method, status)
            if path.startswith(("/api/v1/job-seekers", "/api/v1/referrals", "/api/v1/events", "/api/v1/tombstones")):
                success = next(code for code in responses if code.startswith("2"))
                assert responses[success]["content"]["application/json"].get("examples"), (path, method)


@pytest.mark.django_db
def test_docs_page_loads_its_files_from_this_site_only(client):
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    html = response.content.decode()
    assert "<script>" not in html and "<style>" not in html and "http" not in html.split("<body>")[1]
    script = client.get("/api/v1/docs/?script=")
    assert script.status_code == 200 and script["Content-Type"].startswith("application/javascript")
    assert client.get("/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js").status_code in (200, 404)


@pytest.mark.django_db
def test_sidecar_files_are_found_by_staticfiles():
    from django.contrib.staticfiles import finders

    assert finders.find("drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js")
    assert finders.find("drf_spectacular_sidecar/swagger-ui-dist/swagger-ui.css")


def test_request_dates_carry_the_date_policy_and_headers_their_shape(schema):
    referral = schema["components"]["schemas"]["ReferralRequest"]["properties"]["referral_date"]
    assert referral["pattern"] == "^(20[0-9]{2}|2100)-"
    post = schema["paths"]["/api/v1/referrals/"]["post"]
    key = next(p for p in post["parameters"] if p["name"] == "Idempotency-Key")
    assert key["schema"]["pattern"] == "^[!-~]{1,255}$"
