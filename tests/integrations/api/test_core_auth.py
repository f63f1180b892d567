"""Authentication and grants: partner keys, personal tokens, sessions; 401 and 403."""

import datetime

import pytest
from django.utils import timezone

from crm.models import User
from integrations.api import services
from integrations.api.models import ApiKey, PersonalToken, hash_secret
from tests.factories import JobSeekerFactory, UserFactory
from tests.integrations.api.core_fixtures import *  # noqa: F403
from tests.integrations.api.core_fixtures import bearer

pytestmark = pytest.mark.django_db


def test_no_credentials_is_401_problem_with_www_authenticate(api):
    response = api.get("/api/v1/job-seekers/")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    assert response.json()["type"] == "urn:ips-crm:problem:not-authenticated"


@pytest.mark.parametrize(
    "header",
    ["Bearer", "Bearer a b", "Bearer nonsense", "Bearer ipsk_", "Bearer ipsk_abcdefgh_wrong", "Bearer ipst_abcdefgh_x"],
)
def test_malformed_or_unknown_credentials_are_401(api, header):
    response = api.get("/api/v1/job-seekers/", HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert response["WWW-Authenticate"]


def test_a_key_is_stored_hashed_and_shown_once(partner, issue_key):
    plaintext = issue_key(partner, ["jobseekers:read"])
    key = ApiKey.objects.get()
    assert plaintext.startswith("ipsk_" + key.public_id + "_")
    secret = plaintext.split("_", 2)[2]
    assert key.secret_hash == hash_secret(secret)
    assert secret not in str(ApiKey.objects.values().get())


def test_a_wrong_secret_with_a_real_public_id_is_401(api, partner, issue_key):
    plaintext = issue_key(partner, ["jobseekers:read"])
    tampered = plaintext[:-2] + ("AA" if not plaintext.endswith("AA") else "BB")
    assert api.get("/api/v1/job-seekers/", **bearer(tampered)).status_code == 401


def test_expired_revoked_and_inactive_partner_keys_are_401(api, partner, issue_key, program_admin):
    expired = issue_key(partner, ["jobseekers:read"], expires_in=datetime.timedelta(seconds=-1))
    assert api.get("/api/v1/job-seekers/", **bearer(expired)).status_code == 401
    revoked = issue_key(partner, ["jobseekers:read"])
    key = ApiKey.objects.get(public_id=revoked[5:13])
    services.api_key_revoke(scope=program_admin_scope(program_admin), key_id=key.pk)
    assert api.get("/api/v1/job-seekers/", **bearer(revoked)).status_code == 401
    live = issue_key(partner, ["jobseekers:read"])
    assert api.get("/api/v1/job-seekers/", **bearer(live)).status_code == 200
    partner.is_active = False
    partner.save()
    assert api.get("/api/v1/job-seekers/", **bearer(live)).status_code == 401


def program_admin_scope(user):
    from crm.access import access_scope

    return access_scope(user)


def test_last_used_is_written_at_most_once_a_minute(api, partner, issue_key, django_assert_max_num_queries):
    plaintext = issue_key(partner, ["jobseekers:read"])
    api.get("/api/v1/job-seekers/", **bearer(plaintext))
    first = ApiKey.objects.get().last_used_at
    assert first is not None
    api.get("/api/v1/job-seekers/", **bearer(plaintext))
    assert ApiKey.objects.get().last_used_at == first
    ApiKey.objects.update(last_used_at=first - datetime.timedelta(minutes=2))
    api.get("/api/v1/job-seekers/", **bearer(plaintext))
    assert ApiKey.objects.get().last_used_at > first


def test_missing_grant_is_403_naming_it(api, partner, issue_key):
    plaintext = issue_key(partner, ["referrals:write"])
    response = api.get("/api/v1/job-seekers/", **bearer(plaintext))
    assert response.status_code == 403
    assert "jobseekers:read" in response.json()["detail"]


def test_staff_only_endpoints_answer_403_to_partner_keys(api, partner, issue_key, specialist_sam):
    person = JobSeekerFactory(specialist=specialist_sam, referred_by_partner=partner)
    plaintext = issue_key(partner)
    for path in ("career-profile", "preferences"):
        response = api.get(f"/api/v1/job-seekers/{person.pk}/{path}/", **bearer(plaintext))
        assert response.status_code == 403
        assert "staff" in response.json()["detail"]
    response = api.post("/api/v1/job-seekers/", {"first_name": "A"}, format="json", **bearer(plaintext))
    assert response.status_code == 403


def test_personal_token_gives_the_users_scope(api, specialist_sam, specialist_bob, issue_token):
    mine = JobSeekerFactory(specialist=specialist_sam)
    JobSeekerFactory(specialist=specialist_bob)
    response = api.get("/api/v1/job-seekers/", **bearer(issue_token(specialist_sam)))
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [mine.pk]


def test_tokens_of_inactive_users_expired_or_revoked_are_401(api, specialist_sam, issue_token):
    expired = issue_token(specialist_sam, expires_in=datetime.timedelta(seconds=-5))
    assert api.get("/api/v1/job-seekers/", **bearer(expired)).status_code == 401
    live = issue_token(specialist_sam)
    PersonalToken.objects.filter(public_id=live[5:13]).update(revoked_at=timezone.now())
    assert api.get("/api/v1/job-seekers/", **bearer(live)).status_code == 401
    other = issue_token(specialist_sam)
    specialist_sam.is_active = False
    specialist_sam.save()
    assert api.get("/api/v1/job-seekers/", **bearer(other)).status_code == 401


def test_a_token_of_a_user_outside_any_program_is_403(api, issue_token, db):
    operator = UserFactory(
        username="root", organisation=None, is_superuser=True, is_staff=True, role=User.Role.PROGRAM_ADMIN
    )
    assert api.get("/api/v1/job-seekers/", **bearer(issue_token(operator))).status_code == 403


def test_session_reads_and_unsafe_methods_need_csrf(specialist_sam):
    from rest_framework.test import APIClient

    person = JobSeekerFactory(specialist=specialist_sam)
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(specialist_sam)
    assert client.get("/api/v1/job-seekers/").status_code == 200
    response = client.patch(f"/api/v1/job-seekers/{person.pk}/", {"phone": "0600000000"}, format="json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


def test_the_api_root_lists_resources_for_any_valid_caller(api, partner, issue_key):
    response = api.get("/api/v1/", **bearer(issue_key(partner, ["referrals:write"])))
    assert response.status_code == 200
    assert "job-seekers" in response.json()


def test_only_program_admins_manage_keys(partner, specialist_sam, program_admin):
    from crm.access import OutOfScope, access_scope

    with pytest.raises(OutOfScope):
        services.api_key_create(
            scope=access_scope(specialist_sam), partner_id=partner.pk, name="x", grants=["events:read"]
        )
    key, plaintext = services.api_key_create(
        scope=access_scope(program_admin), partner_id=partner.pk, name="CRM sync", grants=["events:read"]
    )
    assert key.grants == ["events:read"] and plaintext.startswith("ipsk_")


def test_unknown_grants_and_past_expiry_are_refused(partner, program_admin):
    from django.core.exceptions import ValidationError

    from crm.access import access_scope

    with pytest.raises(ValidationError) as error:
        services.api_key_create(
            scope=access_scope(program_admin),
            partner_id=partner.pk,
            name="x",
            grants=["everything"],
            expires_at=timezone.now() - datetime.timedelta(days=1),
        )
    assert set(error.value.message_dict) == {"grants", "expires_at"}


def test_a_partner_of_another_program_is_out_of_scope(other_organisation, program_admin):
    from crm.access import OutOfScope, access_scope
    from tests.factories import PartnerFactory

    lyon = PartnerFactory(organisation=other_organisation)
    with pytest.raises(OutOfScope):
        services.api_key_create(scope=access_scope(program_admin), partner_id=lyon.pk, name="x", grants=["events:read"])
