import pytest
from django.urls import reverse

from crm.models import Industry
from employers.models import ContactPerson, Employer, EmployerSite
from tests.factories import EmployerFactory, EmployerSiteFactory


def employer_form(**overrides):
    data = {
        "name": "Boulangerie Le Panier",
        "industry": Industry.objects.get(code="C").pk,
        "size": "micro",
        "relationship_stage": "not_contacted",
        "site-name": "",
        "site-address": "3 place de Lenche",
        "site-postcode": "13002",
        "site-town": "Marseille",
        "contact-name": "Claire Martin",
        "contact-role": "Gérante",
        "contact-has_hiring_authority": "on",
        "contact-preferred_channel": "in_person",
    }
    data.update(overrides)
    return data


def test_create_employer_with_site_and_contact_person(client_for, specialist_sam):
    response = client_for(specialist_sam).post(reverse("employer_create"), employer_form())
    employer = Employer.objects.get()
    assert response.status_code == 302
    assert employer.organisation == specialist_sam.organisation and employer.created_by == specialist_sam
    site = employer.sites.get()
    assert (site.address, site.town) == ("3 place de Lenche", "Marseille")
    contact = employer.contact_persons.get()
    assert contact.has_hiring_authority and contact.site == site


def test_create_employer_without_site_or_contact(client_for, specialist_sam):
    data = {k: v for k, v in employer_form().items() if not k.startswith(("site-", "contact-"))}
    assert client_for(specialist_sam).post(reverse("employer_create"), data).status_code == 302
    assert Employer.objects.count() == 1 and not EmployerSite.objects.exists() and not ContactPerson.objects.exists()


@pytest.mark.parametrize(
    "overrides,message",
    [
        ({"name": ""}, "This field is required."),
        ({"site-town": ""}, "This field is required."),
        ({"site-latitude": "43.3"}, "Give both latitude and longitude, or neither."),
        ({"site-latitude": "123", "site-longitude": "5.3"}, "Ensure that there are no more than 2 digits before"),
        ({"website": "not a url"}, "Enter a valid URL."),
        ({"relationship_stage": "married"}, "Select a valid choice"),
        ({"contact-email": "nope"}, "Enter a valid email address."),
    ],
)
def test_bad_employer_input_changes_nothing(client_for, specialist_sam, overrides, message):
    response = client_for(specialist_sam).post(reverse("employer_create"), employer_form(**overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Employer.objects.exists() and not EmployerSite.objects.exists()


def test_any_specialist_of_the_program_edits_a_shared_employer(client_for, specialist_bob, specialist_sam):
    employer = EmployerFactory(organisation=specialist_sam.organisation, name="Hôtel du Vieux-Port")
    data = {"name": "Hôtel du Vieux-Port", "size": "medium", "relationship_stage": "introduced"}
    assert client_for(specialist_bob).post(reverse("employer_edit", args=[employer.pk]), data).status_code == 302
    employer.refresh_from_db()
    assert employer.relationship_stage == "introduced"


def test_add_site_and_contact_on_detail_page(client_for, specialist_sam):
    employer = EmployerFactory(organisation=specialist_sam.organisation)
    client = client_for(specialist_sam)
    response = client.post(
        reverse("employer_site_create", args=[employer.pk]),
        {"site-address": "1 quai du Port", "site-town": "Marseille", "site-postcode": "13002"},
    )
    assert response.status_code == 302
    site = employer.sites.get()
    response = client.post(
        reverse("contact_person_create", args=[employer.pk]),
        {"contact-name": "Paul", "contact-site": site.pk, "contact-preferred_channel": "phone"},
    )
    assert response.status_code == 302
    page = client.get(reverse("employer_detail", args=[employer.pk])).content.decode()
    assert "1 quai du Port" in page and "Paul" in page


def test_contact_cannot_point_at_another_employers_site(client_for, specialist_sam):
    employer = EmployerFactory(organisation=specialist_sam.organisation)
    foreign_site = EmployerSiteFactory(employer=EmployerFactory(organisation=specialist_sam.organisation))
    response = client_for(specialist_sam).post(
        reverse("contact_person_create", args=[employer.pk]),
        {"contact-name": "Paul", "contact-site": foreign_site.pk, "contact-preferred_channel": "phone"},
    )
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    assert not ContactPerson.objects.exists()


def test_list_search_and_filters(client_for, specialist_sam):
    EmployerSiteFactory(
        employer=EmployerFactory(organisation=specialist_sam.organisation, name="Garage Estaque"),
        town="Marseille",
        postcode="13016",
    )
    EmployerFactory(
        organisation=specialist_sam.organisation,
        name="Librairie Aubagne",
        industry=Industry.objects.get(code="G"),
        relationship_stage="relationship",
    )
    client = client_for(specialist_sam)
    assert "Garage Estaque" in client.get(reverse("employer_list"), {"q": "13016"}).content.decode()
    page = client.get(reverse("employer_list"), {"industry": Industry.objects.get(code="G").pk}).content.decode()
    assert "Librairie" in page and "Garage" not in page
    page = client.get(reverse("employer_list"), {"relationship_stage": "relationship"}).content.decode()
    assert "Librairie" in page and "Garage" not in page
    for params in [{"industry": "x"}, {"relationship_stage": "zzz"}, {"page": "9999"}]:
        assert client.get(reverse("employer_list"), params).status_code == 200


def test_list_query_count_does_not_grow(client_for, specialist_sam, django_assert_max_num_queries):
    for _ in range(30):
        EmployerSiteFactory(employer=EmployerFactory(organisation=specialist_sam.organisation))
    client = client_for(specialist_sam)
    with django_assert_max_num_queries(10):
        client.get(reverse("employer_list"))


def test_detail_query_count_is_bounded(client_for, specialist_sam, django_assert_max_num_queries):
    employer = EmployerFactory(organisation=specialist_sam.organisation)
    for _ in range(5):
        EmployerSiteFactory(employer=employer)
    client = client_for(specialist_sam)
    with django_assert_max_num_queries(10):
        client.get(reverse("employer_detail", args=[employer.pk]))


def test_record_a_job_opening_learned_at_a_visit(client_for, specialist_sam):
    from crm.models import JobType

    employer = EmployerFactory(organisation=specialist_sam.organisation)
    site = EmployerSiteFactory(employer=employer, town="Aubagne")
    client = client_for(specialist_sam)
    response = client.post(
        reverse("job_opening_create", args=[employer.pk]),
        {
            "opening-title": "Vendeur week-end",
            "opening-job_type": JobType.objects.get(code="shop_sales_assistant").pk,
            "opening-site": site.pk,
            "opening-hours_per_week": "16",
            "opening-shifts": ["morning", "afternoon"],
            "opening-hourly_pay": "12.02",
            "opening-status": "open",
            "opening-source": "employer_contact",
            "opening-learned_on": "2026-11-20",
        },
    )
    assert response.status_code == 302
    opening = employer.job_openings.get()
    assert (opening.title, opening.hours_per_week, opening.shifts, opening.created_by) == (
        "Vendeur week-end",
        16,
        ["morning", "afternoon"],
        specialist_sam,
    )
    page = client.get(reverse("employer_detail", args=[employer.pk])).content.decode()
    assert "Vendeur week-end" in page and "Morning, Afternoon" in page and "Aubagne" in page


@pytest.mark.parametrize(
    "overrides,message",
    [
        ({"opening-title": ""}, "This field is required."),
        ({"opening-hours_per_week": "120"}, "less than or equal to 80"),
        ({"opening-hourly_pay": "-1"}, "greater than or equal to 0"),
        ({"opening-source": "scraping"}, "Select a valid choice"),
    ],
)
def test_bad_job_opening_input_changes_nothing(client_for, specialist_sam, overrides, message):
    employer = EmployerFactory(organisation=specialist_sam.organisation)
    data = {
        "opening-title": "Plongeur",
        "opening-status": "open",
        "opening-source": "network",
        "opening-learned_on": "2026-11-20",
    }
    data.update(overrides)
    response = client_for(specialist_sam).post(reverse("job_opening_create", args=[employer.pk]), data)
    assert response.status_code == 200 and message in response.content.decode()
    assert not employer.job_openings.exists()


def test_job_openings_of_another_program_answer_404(client_for, specialist_sam, specialist_louis):
    from employers.models import JobOpening

    theirs = EmployerFactory(organisation=specialist_louis.organisation)
    opening = JobOpening.objects.create(employer=theirs, title="x", source="network", learned_on="2026-11-01")
    client = client_for(specialist_sam)
    assert client.get(reverse("job_opening_edit", args=[theirs.pk, opening.pk])).status_code == 404
    ours = EmployerFactory(organisation=specialist_sam.organisation)
    assert client.get(reverse("job_opening_edit", args=[ours.pk, opening.pk])).status_code == 404


def test_a_change_to_a_site_or_a_contact_person_is_a_change_of_the_employer(specialist_sam):
    """Whoever syncs employers by updated_at (the API) receives their sites and people."""
    import datetime

    import time_machine

    from crm.access import access_scope
    from employers import services

    scope = access_scope(specialist_sam)
    with time_machine.travel(datetime.datetime(2026, 11, 2, 9, 0, tzinfo=datetime.UTC), tick=False):
        employer = EmployerFactory(organisation=specialist_sam.organisation)
    with time_machine.travel(datetime.datetime(2026, 11, 3, 9, 0, tzinfo=datetime.UTC), tick=False):
        site = services.employer_site_save(
            scope=scope, employer_id=employer.pk, details={"name": "Dépôt", "address": "1 rue du Port", "town": "Aix"}
        )
    employer.refresh_from_db()
    assert employer.updated_at == datetime.datetime(2026, 11, 3, 9, 0, tzinfo=datetime.UTC)
    with time_machine.travel(datetime.datetime(2026, 11, 4, 9, 0, tzinfo=datetime.UTC), tick=False):
        services.contact_person_save(scope=scope, employer_id=employer.pk, details={"name": "Léa Roux", "site": site})
    employer.refresh_from_db()
    assert employer.updated_at == datetime.datetime(2026, 11, 4, 9, 0, tzinfo=datetime.UTC)
