"""Where employer sites are: located in the background after save, a pin set by hand on
the site's form, the precision shown on the employer's page, the sweep."""

from decimal import Decimal

import pytest
from django.urls import reverse

from crm import locations
from crm.access import OutOfScope, access_scope
from crm.models import LocationPrecision
from employers import services, tasks
from employers.models import Employer, EmployerSite
from tests.factories import EmployerFactory, EmployerSiteFactory


@pytest.fixture
def employer(organisation):
    return EmployerFactory(organisation=organisation, name="Boulangerie du Panier")


@pytest.fixture
def scope(specialist_sam):
    return access_scope(specialist_sam)


SITE = {"name": "", "address": "4 cours Julien", "postcode": "13006", "town": "Marseille"}


def geocoding_messages(broker) -> list[int]:
    from tests.crm.test_geocoding import _messages

    return [message.args[0] for message in _messages(broker, "geocoding")]


def test_a_new_site_is_located_after_commit_and_its_employer_touched(
    scope, employer, broker, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        site = services.employer_site_save(scope=scope, employer_id=employer.pk, details=SITE)
    assert geocoding_messages(broker) == [site.pk]
    touched = Employer.objects.get(pk=employer.pk).updated_at

    tasks.locate_employer_site.fn(site.pk)

    site.refresh_from_db()
    assert (site.location_precision, site.located_address) == ("housenumber", "4 cours Julien, 13006 Marseille")
    assert Decimal("43.29") < site.latitude < Decimal("43.30")
    assert Employer.objects.get(pk=employer.pk).updated_at > touched  # API syncs see the new point


def test_the_first_site_of_a_new_employer_is_located_too(scope, broker, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        employer = services.employer_create(scope=scope, details={"name": "Garage Chave"}, site=SITE)

    assert geocoding_messages(broker) == [employer.sites.get().pk]


def test_coordinates_typed_on_the_site_form_are_a_pin_set_by_hand(client_for, specialist_sam, employer):
    site = EmployerSiteFactory(employer=employer)
    url = reverse("employer_site_edit", args=[employer.pk, site.pk])
    client = client_for(specialist_sam)
    page = client.get(url).content.decode()
    assert "data-location-map" in page and 'id="location"' in page

    response = client.post(
        url,
        {
            "site-address": site.address,
            "site-postcode": site.postcode,
            "site-town": site.town,
            "site-latitude": "43.301200",
            "site-longitude": "5.369900",
        },
    )

    assert response.status_code == 302
    site.refresh_from_db()
    assert (site.latitude, site.location_precision) == (Decimal("43.301200"), LocationPrecision.MANUAL)
    assert site.located_address == "12 rue de la République, 13002 Marseille"
    assert tasks.locate_employer_site.fn(site.pk) is None  # the background job keeps the pin
    site.refresh_from_db()
    assert site.location_precision == LocationPrecision.MANUAL
    detail = client.get(reverse("employer_detail", args=[employer.pk])).content.decode()
    assert "Pin set by hand" in detail


def test_a_new_address_on_the_form_replaces_the_pin_and_is_located_again(scope, employer):
    site = services.employer_site_save(scope=scope, employer_id=employer.pk, details=SITE)
    services.employer_site_set_location(
        scope=scope, employer_id=employer.pk, site_id=site.pk, latitude=Decimal("43.2931"), longitude=Decimal("5.3838")
    )

    # The form sends the old coordinates back with the new address: the address wins.
    site = services.employer_site_save(
        scope=scope,
        employer_id=employer.pk,
        site_id=site.pk,
        details={
            **SITE,
            "address": "boulevard Baille",
            "postcode": "13005",
            "latitude": site.latitude,
            "longitude": site.longitude,
        },
    )

    assert (site.latitude, site.location_precision, site.located_address) == (None, "", "")
    assert locations.locate(EmployerSite, site.pk) == "located"
    site.refresh_from_db()
    assert (site.location_precision, site.located_address) == ("street", "boulevard Baille, 13005 Marseille")


def test_the_employer_page_says_how_precisely_each_site_is_located(client_for, specialist_sam, employer):
    EmployerSiteFactory(employer=employer, postcode="13006", town="Marseille", address="8 impasse Inconnue")
    EmployerSiteFactory(employer=employer, postcode="99999", town="Atlantis", name="Far away")
    EmployerSiteFactory(employer=employer, name="New", address="2 rue Sainte", postcode="13007")
    for site in EmployerSite.objects.exclude(name="New"):
        locations.locate(EmployerSite, site.pk)

    page = client_for(specialist_sam).get(reverse("employer_detail", args=[employer.pk])).content.decode()

    assert "Town only: set the pin for a real distance" in page
    assert "Address not found: set the pin by hand" in page
    assert "Not located yet" in page
    assert page.count("Set the pin on the map") == 3


def test_the_sweep_sends_every_site_still_to_locate(employer, broker):
    waiting = EmployerSiteFactory(employer=employer)
    done = EmployerSiteFactory(employer=employer)
    locations.locate(EmployerSite, done.pk)

    tasks.locate_pending_employer_sites.fn()

    assert geocoding_messages(broker) == [waiting.pk]


def test_another_programs_site_is_404_and_cannot_be_pinned(client_for, specialist_sam, specialist_louis):
    theirs = EmployerSiteFactory(employer=EmployerFactory(organisation=specialist_louis.organisation))
    url = reverse("employer_site_edit", args=[theirs.employer_id, theirs.pk])

    assert client_for(specialist_sam).get(url).status_code == 404
    assert client_for(specialist_sam).post(url, {"site-latitude": "43.3", "site-longitude": "5.4"}).status_code == 404
    with pytest.raises(OutOfScope):
        services.employer_site_set_location(
            scope=access_scope(specialist_sam),
            employer_id=theirs.employer_id,
            site_id=theirs.pk,
            latitude=Decimal("43.3"),
            longitude=Decimal("5.4"),
        )
    theirs.refresh_from_db()
    assert theirs.latitude is None
