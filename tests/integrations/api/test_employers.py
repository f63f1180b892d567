"""/api/v1/employers/ with their sites and contact persons: staff only, the program's
employers, written through employers.services."""

from __future__ import annotations

import json

import pytest

from crm.models import Partner
from employers.models import ContactPerson, Employer, EmployerSite
from integrations.api.grants import ALL_GRANTS
from tests.factories import ContactPersonFactory, EmployerFactory, EmployerSiteFactory, PartnerFactory
from tests.integrations.api.test_placements_fixtures import Api, assert_problem, key_for, lift_throttles, token_for

URL = "/api/v1/employers/"


@pytest.fixture(autouse=True)
def _throttles(settings):
    lift_throttles(settings)


@pytest.fixture
def api(client):
    return Api(client)


@pytest.fixture
def sam_token(specialist_sam):
    return token_for(specialist_sam)


@pytest.fixture
def employer(organisation):
    employer = EmployerFactory(organisation=organisation, name="Boulangerie du Port")
    site = EmployerSiteFactory(employer=employer, town="Marseille", postcode="13002")
    ContactPersonFactory(employer=employer, site=site, name="Claire Martin")
    return employer


def test_staff_list_the_programs_employers_with_sites_and_persons(
    api, sam_token, employer, other_organisation, django_assert_max_num_queries
):
    EmployerFactory(organisation=other_organisation, name="Lyon only")
    for number in range(5):
        EmployerSiteFactory(employer=EmployerFactory(organisation=employer.organisation, name=f"Shop {number}"))
    with django_assert_max_num_queries(8):
        response = api.get(URL, sam_token)
    assert response.status_code == 200
    names = [row["name"] for row in response.json()["results"]]
    assert "Lyon only" not in names
    assert len(names) == 6
    port = next(row for row in response.json()["results"] if row["id"] == employer.pk)
    assert port["industry"] == "I"
    assert [site["town"] for site in port["sites"]] == ["Marseille"]
    assert port["contact_persons"][0]["name"] == "Claire Martin"


def test_the_list_query_count_does_not_grow_with_rows(api, sam_token, employer, django_assert_max_num_queries):
    for number in range(20):
        made = EmployerFactory(organisation=employer.organisation, name=f"More {number}")
        ContactPersonFactory(employer=made, site=EmployerSiteFactory(employer=made))
    with django_assert_max_num_queries(8):
        response = api.get(URL, sam_token, {"page_size": 200})
    assert len(response.json()["results"]) == 21


def test_filters(api, sam_token, employer):
    EmployerFactory(organisation=employer.organisation, name="Garage Nord", relationship_stage="introduced")
    assert [r["name"] for r in api.get(URL, sam_token, {"q": "13002"}).json()["results"]] == ["Boulangerie du Port"]
    assert [r["name"] for r in api.get(URL, sam_token, {"q": "garage"}).json()["results"]] == ["Garage Nord"]
    staged = api.get(URL, sam_token, {"relationship_stage": "introduced"}).json()["results"]
    assert [r["name"] for r in staged] == ["Garage Nord"]
    assert len(api.get(URL, sam_token, {"industry": "I"}).json()["results"]) == 2
    assert len(api.get(URL, sam_token, {"industry": ["G", "I"]}).json()["results"]) == 2
    assert api.get(URL, sam_token, {"industry": "ZZ"}).json()["results"] == []  # no such section


@pytest.mark.parametrize(
    "params",
    [
        {"relationship_stage": "friends"},
        {"created_after": "not a date"},
        {"updated_since": "2026-13-45"},
        {"page_size": "0"},
        {"cursor": "forged"},
    ],
)
def test_bad_filters_are_400_problems(api, sam_token, employer, params):
    assert_problem(api.get(URL, sam_token, params), 400)


def test_partner_keys_are_refused_staff_only(api, organisation, program_admin, employer):
    partner = PartnerFactory(organisation=organisation, referrals_to=program_admin)
    key = key_for(partner, program_admin, ALL_GRANTS)
    for response in (
        api.get(URL, key),
        api.get(f"{URL}{employer.pk}/", key),
        api.post(URL, key, {"name": "Sneaky"}),
        api.post(f"{URL}{employer.pk}/sites/", key, {"address": "1 rue", "town": "Marseille"}),
    ):
        body = assert_problem(response, 403)
        assert "staff" in body["detail"]
    assert Partner.objects.count() == 1


def test_no_credentials_is_401(api, employer):
    assert_problem(api.get(URL, None), 401)


def test_another_programs_employer_is_404(api, sam_token, other_organisation):
    lyon = EmployerFactory(organisation=other_organisation)
    assert_problem(api.get(f"{URL}{lyon.pk}/", sam_token), 404)
    assert_problem(api.patch(f"{URL}{lyon.pk}/", sam_token, {"name": "Mine now"}), 404)
    assert_problem(api.post(f"{URL}{lyon.pk}/sites/", sam_token, {"address": "1 rue", "town": "Lyon"}), 404)
    lyon.refresh_from_db()
    assert lyon.name != "Mine now"


@pytest.mark.parametrize("pk", ["99999999999999999999", "9223372036854775807", "0"])
def test_huge_or_missing_ids_are_404(api, sam_token, pk):
    assert_problem(api.get(f"{URL}{pk}/", sam_token), 404)
    assert_problem(api.patch(f"{URL}{pk}/", sam_token, {"name": "X"}), 404)


def test_create_with_first_site_and_contact_person(api, sam_token, specialist_sam):
    response = api.post(
        URL,
        sam_token,
        {
            "name": "Café Lumière",
            "industry": "I",
            "size": "micro",
            "relationship_stage": "introduced",
            "site": {"address": "5 cours Julien", "town": "Marseille", "postcode": "13006"},
            "contact_person": {"name": "Paul Roux", "role": "Owner", "has_hiring_authority": True},
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert response["Location"].endswith(f"{URL}{body['id']}/")
    assert response["ETag"]
    employer = Employer.objects.get(pk=body["id"])
    assert employer.organisation_id == specialist_sam.organisation_id
    assert employer.created_by == specialist_sam
    assert employer.relationship_stage == "introduced"
    person = ContactPerson.objects.get(employer=employer)
    assert person.site == EmployerSite.objects.get(employer=employer)
    assert body["contact_persons"][0]["site"] == person.site_id


def test_create_validation_errors_per_field_in_english_and_french(api, sam_token):
    english = assert_problem(
        api.post(URL, sam_token, {"name": "", "size": "huge", "website": "nope"}), 400, "name", "size", "website"
    )
    assert english["type"].endswith("validation")
    french = assert_problem(api.post(URL, sam_token, {"size": "huge"}, Accept_Language="fr"), 400, "name", "size")
    assert french["errors"]["name"] == ["Ce champ est obligatoire."]
    assert english["errors"]["size"] != french["errors"]["size"]


def test_nested_site_errors_are_named_by_path(api, sam_token):
    body = assert_problem(
        api.post(URL, sam_token, {"name": "X", "site": {"town": "Marseille", "coordinates": {"latitude": "91"}}}),
        400,
        "site.address",
        "site.coordinates.latitude",
        "site.coordinates.longitude",
    )
    assert body["status"] == 400


def test_a_services_validation_error_is_a_400_on_its_field(api, sam_token, employer):
    other = EmployerFactory(organisation=employer.organisation)
    site = EmployerSiteFactory(employer=other)
    body = assert_problem(
        api.post(f"{URL}{employer.pk}/contact-persons/", sam_token, {"name": "X", "site": site.pk}), 400, "site"
    )
    assert body["errors"]["site"] == ["This site belongs to another employer."]


def test_coordinates_are_given_together_or_cleared(api, sam_token, employer):
    site = employer.sites.get()
    path = f"{URL}{employer.pk}/sites/{site.pk}/"
    placed = api.patch(path, sam_token, {"coordinates": {"latitude": "43.295", "longitude": "5.37"}})
    assert placed.status_code == 200, placed.content
    assert placed.json()["sites"][0]["coordinates"] == {"latitude": "43.295000", "longitude": "5.370000"}
    site.refresh_from_db()
    assert (str(site.latitude), str(site.longitude)) == ("43.295000", "5.370000")
    cleared = api.patch(path, sam_token, {"coordinates": None})
    assert cleared.json()["sites"][0]["coordinates"] is None
    assert_problem(api.patch(path, sam_token, {"coordinates": {"latitude": "43.2"}}), 400, "coordinates.longitude")


@pytest.mark.parametrize(
    "body",
    [
        ["a", "list"],
        "a string",
        {"name": 12345, "industry": 7},
        {"name": "X", "site": "not an object"},
        {"name": "x" * 201},
        {"name": "X", "site": {"address": "1", "town": "M", "coordinates": {"latitude": "1e999", "longitude": "NaN"}}},
    ],
)
def test_bad_bodies_are_400_never_500(api, sam_token, body):
    response = api.client.post(
        URL,
        data=json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {sam_token}",
    )
    assert_problem(response, 400)


def test_malformed_json_is_400(api, sam_token):
    response = api.client.post(
        URL, data="{not json", content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {sam_token}"
    )
    assert_problem(response, 400)


def test_update_with_if_match(api, sam_token, employer):
    read = api.get(f"{URL}{employer.pk}/", sam_token)
    etag = read["ETag"]
    response = api.patch(f"{URL}{employer.pk}/", sam_token, {"website": "https://port.example.com"}, If_Match=etag)
    assert response.status_code == 200, response.content
    assert response.json()["website"] == "https://port.example.com"
    assert response["ETag"] != etag
    stale = api.patch(f"{URL}{employer.pk}/", sam_token, {"website": "https://other.example.com"}, If_Match=etag)
    assert_problem(stale, 412)
    employer.refresh_from_db()
    assert employer.website == "https://port.example.com"


def test_relationship_stage_may_go_back_by_hand(api, sam_token, employer):
    employer.relationship_stage = "has_hired"
    employer.save()
    response = api.patch(f"{URL}{employer.pk}/", sam_token, {"relationship_stage": "introduced"})
    assert response.json()["relationship_stage"] == "introduced"


def test_add_and_change_a_site(api, sam_token, employer):
    etag = api.get(f"{URL}{employer.pk}/", sam_token)["ETag"]
    added = api.post(
        f"{URL}{employer.pk}/sites/", sam_token, {"address": "9 rue Paradis", "town": "Marseille"}, If_Match=etag
    )
    assert added.status_code == 201, added.content
    site = EmployerSite.objects.get(employer=employer, address="9 rue Paradis")
    assert site.pk in [row["id"] for row in added.json()["sites"]]
    assert_problem(
        api.post(f"{URL}{employer.pk}/sites/", sam_token, {"address": "again", "town": "M"}, If_Match=etag), 412
    )
    changed = api.patch(f"{URL}{employer.pk}/sites/{site.pk}/", sam_token, {"postcode": "13006"})
    assert changed.status_code == 200
    site.refresh_from_db()
    assert site.postcode == "13006"


def test_another_employers_site_is_404_under_this_employer(api, sam_token, employer):
    other_site = EmployerSiteFactory(employer=EmployerFactory(organisation=employer.organisation))
    assert_problem(api.patch(f"{URL}{employer.pk}/sites/{other_site.pk}/", sam_token, {"postcode": "1"}), 404)


def test_add_and_change_a_contact_person(api, sam_token, employer):
    site = employer.sites.get()
    added = api.post(
        f"{URL}{employer.pk}/contact-persons/", sam_token, {"name": "Lina Haddad", "site": site.pk, "role": "HR"}
    )
    assert added.status_code == 201, added.content
    person = ContactPerson.objects.get(name="Lina Haddad")
    assert person.site == site
    changed = api.patch(f"{URL}{employer.pk}/contact-persons/{person.pk}/", sam_token, {"phone": "0491000000"})
    assert changed.status_code == 200
    person.refresh_from_db()
    assert person.phone == "0491000000"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "X", "phone": 491000000}, "phone"),
        ({"name": "X", "site": "31"}, "site"),
        ({"name": "X", "has_hiring_authority": "yes"}, "has_hiring_authority"),
    ],
)
def test_values_are_taken_in_their_json_type_only(api, sam_token, employer, body, field):
    assert_problem(api.post(f"{URL}{employer.pk}/contact-persons/", sam_token, body), 400, field)


def test_a_contact_persons_site_must_be_the_employers(api, sam_token, employer):
    other_site = EmployerSiteFactory(employer=EmployerFactory(organisation=employer.organisation))
    assert_problem(
        api.post(f"{URL}{employer.pk}/contact-persons/", sam_token, {"name": "X", "site": other_site.pk}), 400, "site"
    )


def test_staff_session_works_too(client_for, specialist_sam, employer):
    response = client_for(specialist_sam).get(URL)
    assert response.status_code == 200
    assert response.json()["results"][0]["name"] == "Boulangerie du Port"


def test_incremental_sync_by_cursor(api, sam_token, employer):
    first = api.get(URL, sam_token).json()
    assert [row["id"] for row in first["results"]] == [employer.pk]
    assert api.get(URL, sam_token, {"cursor": first["cursor"]}).json()["results"] == []
    api.patch(f"{URL}{employer.pk}/", sam_token, {"description": "Now with a café"})
    again = api.get(URL, sam_token, {"cursor": first["cursor"]}).json()["results"]
    assert [row["description"] for row in again] == ["Now with a café"]


@pytest.mark.parametrize("param", ["relationship_stage", "size", "industry", "created_after"])
def test_a_filter_given_empty_is_400(api, sam_token, employer, param):
    assert_problem(api.get(URL, sam_token, {param: ""}), 400)


def test_an_empty_industry_is_no_industry_code(api, sam_token):
    assert_problem(api.post(URL, sam_token, {"name": "X", "industry": ""}), 400, "industry")
    assert api.post(URL, sam_token, {"name": "X", "industry": None}).status_code == 201
