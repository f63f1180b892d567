"""The calendar help lives in the app, in the user's language: how to subscribe in each
calendar, how often they refresh, what a feed holds and never holds, how to stop a link."""

import pytest
from django.urls import reverse


def test_the_settings_page_links_to_the_help_page_not_to_the_repository(client_for, specialist_sam):
    page = client_for(specialist_sam).get(reverse("calendar_settings")).content.decode()
    assert f'href="{reverse("calendar_help")}"' in page
    assert "docs/calendar.md" not in page


def test_the_help_page_in_english(client_for, specialist_sam):
    response = client_for(specialist_sam).get(reverse("calendar_help"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    page = response.content.decode()
    for text in (
        "Google Calendar",
        "Subscribe from web",  # Outlook on the web
        "From Internet",  # classic Outlook for Windows
        "New Calendar Subscription",  # Apple Calendar on a Mac
        "every 60 minutes",
        "Never in a calendar: health information",
        "by their initials only",
        "“New link” gives the feed a new address",
        "“Revoke” stops a link for good",
    ):
        assert text in page, text
    assert f'href="{reverse("calendar_settings")}"' in page


def test_the_help_page_in_french(client_for, specialist_sam):
    client = client_for(specialist_sam)
    client.cookies["django_language"] = "fr"
    response = client.get(reverse("calendar_help"))
    assert response.status_code == 200
    page = response.content.decode()
    assert '<html lang="fr"' in page
    for text in ("Google Agenda", "Outlook", "Calendrier (Apple)", "informations de santé", "Nouveau lien", "Révoquer"):
        assert text in page, text
    assert "Never in a calendar" not in page


def test_the_help_page_follows_the_programs_naming_choice(client_for, specialist_sam):
    organisation = specialist_sam.organisation
    organisation.job_seeker_names_in_calendars = "first_name"
    organisation.save()
    page = client_for(specialist_sam).get(reverse("calendar_help")).content.decode()
    assert "by their first name only" in page and "by their initials only" not in page


@pytest.mark.django_db
def test_the_help_page_asks_for_a_login(client):
    response = client.get(reverse("calendar_help"))
    assert response.status_code == 302 and "login" in response["Location"]
