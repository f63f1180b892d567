import pytest
from django.urls import reverse

from tests.factories import TEST_PASSWORD


def test_login_with_valid_credentials(client, specialist_sam):
    response = client.post(reverse("login"), {"username": "sam", "password": TEST_PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("job_seeker_list")).status_code == 200


def test_login_with_wrong_password_shows_error(client, specialist_sam):
    response = client.post(reverse("login"), {"username": "sam", "password": "wrong"})
    assert response.status_code == 200
    assert "correct username and password" in response.content.decode()


def test_repeated_failures_lock_the_account(client, specialist_sam, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "sam", "password": "wrong"})
    response = client.post(reverse("login"), {"username": "sam", "password": TEST_PASSWORD})
    assert response.status_code == 429
    assert "Too many failed log-in attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_logout_requires_post_and_ends_session(client_for, specialist_sam):
    client = client_for(specialist_sam)
    assert client.get(reverse("logout")).status_code == 405
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(reverse("job_seeker_list")).status_code == 302


@pytest.mark.parametrize("language,label", [("fr", "Demandeurs d'emploi"), ("en", "Job seekers")])
def test_language_switch_changes_labels(client_for, specialist_sam, language, label):
    client = client_for(specialist_sam)
    response = client.post(reverse("set_language"), {"language": language, "next": reverse("job_seeker_list")})
    assert response.status_code == 302
    assert label in client.get(reverse("job_seeker_list")).content.decode()


def test_browser_language_is_followed(client_for, specialist_sam):
    client = client_for(specialist_sam)
    response = client.get(reverse("job_seeker_list"), HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9")
    assert "Demandeurs d'emploi" in response.content.decode()


def test_login_page_available_in_french_without_login(client):
    client.post(reverse("set_language"), {"language": "fr", "next": reverse("login")})
    assert "Connexion" in client.get(reverse("login")).content.decode()
