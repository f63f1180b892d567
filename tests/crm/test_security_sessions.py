"""Sessions end at browser close or after SESSION_IDLE_MINUTES without the user's own
requests; users change their password in the app and reset it by email."""

import ast
import datetime
import os
import re
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation

from crm.access import access_scope
from crm.middleware import BACKGROUND_REQUEST_HEADER
from integrations.calendar import services as calendar_services
from tests.factories import TEST_PASSWORD, UserFactory

ROOT = Path(__file__).resolve().parents[2]
NEW_PASSWORD = "a-new passphrase for sam 2026"
START = datetime.datetime(2026, 11, 2, 9, 0, tzinfo=datetime.UTC)


def log_in(client, username="sam", password=TEST_PASSWORD):
    return client.post(reverse("login"), {"username": username, "password": password})


def signed_in(client) -> bool:
    response = client.get(reverse("job_seeker_list"))
    return response.status_code == 200


@pytest.fixture(autouse=True)
def own_cache(settings):
    """A cache of this test's own, so the password-reset limits count its requests only
    (the suite's other requests, and in services mode Redis, keep theirs)."""
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": f"test-{uuid.uuid4()}"}
    }


# Idle expiry ----------------------------------------------------------------------------


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def test_session_cookie_ends_with_the_browser(client, specialist_sam, clock):
    response = log_in(client)
    cookie = response.cookies["sessionid"]
    assert cookie["max-age"] == "" and cookie["expires"] == ""


def test_session_ends_after_the_idle_time(client, specialist_sam, settings, clock):
    assert settings.SESSION_IDLE_MINUTES == 60
    log_in(client)
    clock.shift(datetime.timedelta(minutes=59))
    assert signed_in(client)
    clock.shift(datetime.timedelta(minutes=59))  # 118 minutes after log-in, 59 idle
    assert signed_in(client)
    clock.shift(datetime.timedelta(minutes=61))
    response = client.get(reverse("job_seeker_list"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_idle_time_is_a_setting(client, specialist_sam, settings, clock):
    settings.SESSION_IDLE_MINUTES = 15
    settings.SESSION_COOKIE_AGE = 15 * 60  # as config/settings.py derives it
    log_in(client)
    clock.shift(datetime.timedelta(minutes=16))
    assert not signed_in(client)


def test_background_polling_does_not_keep_a_session_alive(client, specialist_sam, clock):
    log_in(client)
    clock.shift(datetime.timedelta(minutes=30))
    poll = client.get(
        reverse("task_list"),
        HTTP_HX_REQUEST="true",
        **{f"HTTP_{BACKGROUND_REQUEST_HEADER.upper().replace('-', '_')}": "poll"},
    )
    assert poll.status_code == 200
    clock.shift(datetime.timedelta(minutes=31))
    assert not signed_in(client)


def test_calendar_feeds_do_not_keep_a_session_alive(client, specialist_sam, clock):
    _feed, token = calendar_services.calendar_feed_create(scope=access_scope(specialist_sam), kind="personal")
    log_in(client)
    clock.shift(datetime.timedelta(minutes=30))
    assert client.get(reverse("calendar_feed", args=[token])).status_code == 200  # same browser, same cookie
    clock.shift(datetime.timedelta(minutes=31))
    assert not signed_in(client)


def test_activity_is_saved_at_most_once_a_minute(client, specialist_sam, clock):
    log_in(client)
    clock.shift(datetime.timedelta(seconds=61))
    assert "sessionid" in client.get(reverse("job_seeker_list")).cookies  # saved: expiry slid
    clock.shift(datetime.timedelta(seconds=20))
    assert "sessionid" not in client.get(reverse("job_seeker_list")).cookies  # not written again


def test_an_htmx_request_after_expiry_sends_the_whole_page_to_login(client, specialist_sam, clock):
    log_in(client)
    clock.shift(datetime.timedelta(minutes=61))
    page = "http://testserver" + reverse("job_seeker_list") + "?q=ben"
    response = client.get(reverse("job_seeker_list"), {"q": "ben"}, HTTP_HX_REQUEST="true", HTTP_HX_CURRENT_URL=page)
    assert response.status_code == 200
    assert response["HX-Redirect"] == reverse("login") + "?next=/job-seekers/%3Fq%3Dben"
    assert not response.content


def test_an_htmx_action_after_expiry_returns_to_the_page_not_the_action(client, specialist_sam, clock):
    log_in(client)
    clock.shift(datetime.timedelta(minutes=61))
    response = client.post("/tasks/1/complete/", HTTP_HX_REQUEST="true", HTTP_HX_CURRENT_URL="http://testserver/tasks/")
    assert response["HX-Redirect"] == reverse("login") + "?next=/tasks/"


# Password change ------------------------------------------------------------------------


def test_the_header_links_to_the_password_page(client_for, specialist_sam):
    body = client_for(specialist_sam).get(reverse("job_seeker_list")).content.decode()
    assert f'href="{reverse("password_change")}"' in body


def test_change_password(client_for, specialist_sam):
    client = client_for(specialist_sam)
    response = client.post(
        reverse("password_change"),
        {"old_password": TEST_PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302 and response["Location"] == reverse("password_change_done")
    assert "Your password was changed" in client.get(response["Location"]).content.decode()
    assert signed_in(client)  # this session stays signed in
    specialist_sam.refresh_from_db()
    assert specialist_sam.check_password(NEW_PASSWORD)


def test_change_password_needs_the_current_one(client_for, specialist_sam):
    response = client_for(specialist_sam).post(
        reverse("password_change"),
        {"old_password": "wrong", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 200
    assert "Your old password was entered incorrectly" in response.content.decode()
    specialist_sam.refresh_from_db()
    assert specialist_sam.check_password(TEST_PASSWORD)


def test_wrong_current_passwords_are_limited_per_account(client_for, specialist_sam, specialist_sofia, settings):
    """A session left open must not become a way to try passwords: past the limit, even
    the right one is refused for the hour; another account is not affected."""
    settings.PASSWORD_CHANGE_FAILURE_LIMIT = 3
    client = client_for(specialist_sam)

    def change(old):
        return client.post(
            reverse("password_change"),
            {"old_password": old, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        )

    for _attempt in range(3):
        assert "Your old password was entered incorrectly" in change("wrong").content.decode()
    refused = change(TEST_PASSWORD)
    assert refused.status_code == 200 and "Too many wrong passwords" in refused.content.decode()
    specialist_sam.refresh_from_db()
    assert specialist_sam.check_password(TEST_PASSWORD)
    other = client_for(specialist_sofia).post(
        reverse("password_change"),
        {"old_password": TEST_PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert other.status_code == 302
    specialist_sofia.refresh_from_db()
    assert specialist_sofia.check_password(NEW_PASSWORD)


def test_a_right_password_within_the_limit_changes_it(client_for, specialist_sam, settings):
    settings.PASSWORD_CHANGE_FAILURE_LIMIT = 3
    client = client_for(specialist_sam)
    data = {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    for _attempt in range(2):
        client.post(reverse("password_change"), {"old_password": "wrong", **data})
    assert client.post(reverse("password_change"), {"old_password": TEST_PASSWORD, **data}).status_code == 302


@pytest.mark.parametrize(
    "weak,message",
    [
        ("12345678", "This password is too common"),
        ("sam", "This password is too short"),
        ("48151623429", "entirely numeric"),
    ],
)
def test_change_password_applies_the_validators(client_for, specialist_sam, weak, message):
    response = client_for(specialist_sam).post(
        reverse("password_change"), {"old_password": TEST_PASSWORD, "new_password1": weak, "new_password2": weak}
    )
    assert response.status_code == 200
    assert message in response.content.decode()


def test_change_password_page_in_french(client_for, specialist_sam):
    client = client_for(specialist_sam)
    client.post(reverse("set_language"), {"language": "fr", "next": "/"})
    body = client.get(reverse("password_change")).content.decode()
    assert "Changer votre mot de passe" in body and "Mot de passe" in body


def test_change_password_needs_a_session(client):
    response = client.get(reverse("password_change"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


# Password reset by email ----------------------------------------------------------------


@pytest.fixture
def sam_with_email(specialist_sam):
    specialist_sam.email = "sam@ips-marseille.example"
    specialist_sam.save()
    return specialist_sam


def request_reset(client, email="sam@ips-marseille.example", **headers):
    response = client.post(reverse("password_reset"), {"email": email}, **headers)
    assert response.status_code == 302 and response["Location"] == reverse("password_reset_done")
    return response


def reset_link() -> str:
    (message,) = mail.outbox
    return re.search(r"https?://testserver(/account/password/reset/\S+/\S+/)", message.body).group(1)


def test_the_login_page_offers_a_reset(client):
    assert f'href="{reverse("password_reset")}"' in client.get(reverse("login")).content.decode()


def test_reset_by_email_end_to_end(client, sam_with_email):
    request_reset(client)
    (message,) = mail.outbox
    assert message.to == ["sam@ips-marseille.example"]
    assert "Choose a new password" in message.subject
    assert '"sam"' in message.body and "within 60 minutes" in message.body
    link = reset_link()

    form = client.get(link, follow=True)
    assert form.status_code == 200 and "Choose a new password" in form.content.decode()
    set_password_url = form.redirect_chain[-1][0]
    done = client.post(set_password_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302 and done["Location"] == reverse("password_reset_complete")
    assert "Your new password is set" in client.get(done["Location"]).content.decode()

    assert log_in(client, password=NEW_PASSWORD).status_code == 302
    client.logout()
    # The link works once.
    again = client.get(link, follow=True)
    assert "This link no longer works" in again.content.decode()
    assert "Choose a new password" not in again.content.decode()


def test_reset_link_expires(client, sam_with_email, settings):
    with time_machine.travel(START, tick=False) as clock:
        request_reset(client)
        clock.shift(datetime.timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT + 60))
        assert "This link no longer works" in client.get(reset_link(), follow=True).content.decode()


def test_reset_keeps_quiet_about_unknown_addresses(client, sam_with_email):
    request_reset(client, email="nobody@example.org")
    assert mail.outbox == []


def test_reset_new_password_applies_the_validators(client, sam_with_email):
    request_reset(client)
    form = client.get(reset_link(), follow=True)
    response = client.post(form.redirect_chain[-1][0], {"new_password1": "12345678", "new_password2": "12345678"})
    assert response.status_code == 200 and "This password is too common" in response.content.decode()


def test_reset_unlocks_an_account_locked_out_by_failed_logins(client, sam_with_email, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, password="wrong")
    assert log_in(client).status_code == 429
    # The reset pages are not blocked by the lock-out, and the new password works at once.
    request_reset(client)
    form = client.get(reset_link(), follow=True)
    client.post(form.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    response = log_in(client, password=NEW_PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(sam_with_email.pk)


def test_reset_email_in_french(client, sam_with_email):
    client.post(reverse("set_language"), {"language": "fr", "next": "/"})
    assert "Réinitialiser votre mot de passe" in client.get(reverse("password_reset")).content.decode()
    request_reset(client)
    (message,) = mail.outbox
    assert "Choisissez un nouveau mot de passe" in message.subject
    assert "dans les 60 minutes" in message.body


def test_reset_emails_to_one_address_are_limited(client, sam_with_email, settings, clock):
    """Nobody can fill a user's mailbox: over the limit, the page answers the same and
    no email leaves, whichever client asks; another address is not affected."""
    assert settings.PASSWORD_RESET_LIMIT_PER_EMAIL == 3
    for n in range(3):
        request_reset(client, email="sam@ips-marseille.example", REMOTE_ADDR=f"203.0.113.{n}")
    assert len(mail.outbox) == 3
    over = request_reset(client, email="SAM@ips-marseille.example ", REMOTE_ADDR="198.51.100.7")
    assert len(mail.outbox) == 3
    assert over["Location"] == reverse("password_reset_done")

    UserFactory(username="sofia", email="sofia@ips-marseille.example", organisation=sam_with_email.organisation)
    request_reset(client, email="sofia@ips-marseille.example")
    assert [message.to for message in mail.outbox[3:]] == [["sofia@ips-marseille.example"]]

    clock.shift(datetime.timedelta(minutes=61))  # a new hour
    request_reset(client)
    assert len(mail.outbox) == 5


def test_reset_requests_from_one_client_are_limited(client, sam_with_email, settings):
    """One client cannot make the server send mail for it: unknown addresses count
    too (so the limit tells nothing about which addresses exist)."""
    settings.PASSWORD_RESET_LIMIT_PER_CLIENT = 4
    for n in range(4):
        request_reset(client, email=f"nobody{n}@example.org", REMOTE_ADDR="203.0.113.10")
    request_reset(client, REMOTE_ADDR="203.0.113.10")
    assert mail.outbox == []
    request_reset(client, REMOTE_ADDR="198.51.100.20")
    assert len(mail.outbox) == 1


def test_reset_limit_counts_the_client_behind_the_proxy(client, sam_with_email, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.PASSWORD_RESET_LIMIT_PER_CLIENT = 2
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    for _ in range(2):
        request_reset(client, email="nobody@example.org", HTTP_X_FORWARDED_FOR="203.0.113.10", **proxy)
    request_reset(client, HTTP_X_FORWARDED_FOR="203.0.113.10", **proxy)
    assert mail.outbox == []
    # Another client behind the same proxy is not limited by the first one's requests.
    request_reset(client, HTTP_X_FORWARDED_FOR="198.51.100.20", **proxy)
    assert len(mail.outbox) == 1


def reset_view_response(email, language="en"):
    """The reset view's response to a POST, before the server has closed it."""
    from django.test import RequestFactory

    from crm.account_views import PasswordResetView

    request = RequestFactory().post(reverse("password_reset"), {"email": email})
    request._dont_enforce_csrf_checks = True
    with translation.override(language):
        return PasswordResetView.as_view()(request)


def test_reset_email_leaves_after_the_response(sam_with_email):
    """Sending takes time only when an account has the address: the answer is written
    first, whoever asked, and the email leaves when the server closes the response."""
    known = reset_view_response("sam@ips-marseille.example", language="fr")
    unknown = reset_view_response("nobody@example.org")
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert mail.outbox == []
    unknown.close()
    assert mail.outbox == []
    known.close()
    (message,) = mail.outbox
    assert message.to == ["sam@ips-marseille.example"]
    assert "Choisissez un nouveau mot de passe" in message.subject  # in the language of the request
    known.close()  # closed twice (a server may): sent once
    assert len(mail.outbox) == 1


class FailingEmailBackend:
    def __init__(self, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("SMTP server down")


def test_a_failed_reset_email_is_logged_not_raised(sam_with_email, settings, caplog):
    settings.EMAIL_BACKEND = f"{__name__}.FailingEmailBackend"
    response = reset_view_response("sam@ips-marseille.example")
    response.close()
    assert f"Failed to send password reset email to {sam_with_email.pk}" in caplog.text


def test_reset_pages_answer_signed_out(client):
    for url in [reverse("password_reset"), reverse("password_reset_done"), reverse("password_reset_complete")]:
        assert client.get(url).status_code == 200, url
    assert timezone.now()  # no session was needed


# Settings from the environment ----------------------------------------------------------


def settings_in(env: dict, *names: str) -> list[str]:
    code = f"from django.conf import settings; print(*[repr(getattr(settings, n)) for n in {names!r}], sep='\\n')"
    environment = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS"}}
    environment.update(env)
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--verbosity", "0", "-c", code],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return result.stdout.splitlines()


def test_idle_minutes_and_reset_timeout_come_from_the_environment():
    assert settings_in(
        {"SESSION_IDLE_MINUTES": "20", "PASSWORD_RESET_TIMEOUT_MINUTES": "30"},
        "SESSION_COOKIE_AGE",
        "SESSION_EXPIRE_AT_BROWSER_CLOSE",
        "PASSWORD_RESET_TIMEOUT",
    ) == ["1200", "True", "1800"]


def test_email_goes_to_the_console_in_development_and_smtp_in_production():
    assert settings_in({"DEBUG": "1"}, "EMAIL_BACKEND") == ["'django.core.mail.backends.console.EmailBackend'"]
    production = {
        "DEBUG": "0",
        "SECRET_KEY": "k" * 20 + "fj39Fk2-_sl3kfj4Lk2jf93kFJ2l3kjfslkdjf90",
        "ALLOWED_HOSTS": "crm.example.org",
        "GEOCODER": "ban",
        "EMAIL_HOST": "smtp.example.org",
        "EMAIL_PORT": "465",
        "EMAIL_USE_SSL": "1",
        "EMAIL_HOST_USER": "crm",
        "DEFAULT_FROM_EMAIL": "IPS CRM <crm@example.org>",
    }
    assert settings_in(
        production,
        "EMAIL_BACKEND",
        "EMAIL_HOST",
        "EMAIL_PORT",
        "EMAIL_USE_SSL",
        "EMAIL_USE_TLS",
        "EMAIL_HOST_USER",
        "DEFAULT_FROM_EMAIL",
    ) == [
        "'django.core.mail.backends.smtp.EmailBackend'",
        "'smtp.example.org'",
        "465",
        "True",
        "False",
        "'crm'",
        "'IPS CRM <crm@example.org>'",
    ]


def test_reset_limits_are_shared_by_the_web_processes_in_services_mode():
    for redis_url, expected in [
        ("redis://127.0.0.1:6379/14", "django.core.cache.backends.redis.RedisCache"),
        ("", "django.core.cache.backends.locmem.LocMemCache"),  # embedded mode: per process
    ]:
        (caches,) = settings_in({"REDIS_URL": redis_url}, "CACHES")
        assert ast.literal_eval(caches)["default"]["BACKEND"] == expected
