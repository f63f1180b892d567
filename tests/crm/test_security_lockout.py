"""The login lock-out counts failures per username AND client address, and finds the
client's address behind the trusted reverse proxies (crm/client_address.py), so one
client cannot lock everyone out, nor dodge its own lock-out by forging a header."""

import pytest
from django.test import RequestFactory
from django.urls import reverse

from crm.client_address import client_ip_address
from tests.factories import TEST_PASSWORD

PROXY = "10.0.0.2"  # the reverse proxy, as gunicorn sees it
CLIENT_A = "203.0.113.10"
CLIENT_B = "198.51.100.20"


def log_in(client, password, **headers):
    return client.post(reverse("login"), {"username": "sam", "password": password}, **headers)


def fail_until_locked(client, settings, **headers):
    statuses = [log_in(client, "wrong", **headers).status_code for _ in range(settings.AXES_FAILURE_LIMIT)]
    assert statuses == [200] * (settings.AXES_FAILURE_LIMIT - 1) + [429]


def test_behind_one_proxy_one_clients_failures_do_not_lock_another(client, specialist_sam, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    fail_until_locked(client, settings, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=CLIENT_A)
    assert log_in(client, TEST_PASSWORD, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=CLIENT_A).status_code == 429

    response = log_in(client, TEST_PASSWORD, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=CLIENT_B)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(specialist_sam.pk)


def test_behind_one_proxy_a_client_cannot_pose_as_another(client, specialist_sam, settings):
    """The client writes B's address in X-Forwarded-For; the proxy appends A's."""
    settings.TRUSTED_PROXY_COUNT = 1
    forged = f"{CLIENT_B}, {CLIENT_A}"
    fail_until_locked(client, settings, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forged)
    assert log_in(client, TEST_PASSWORD, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=CLIENT_A).status_code == 429
    assert log_in(client, TEST_PASSWORD, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=CLIENT_B).status_code == 302


def test_without_a_trusted_proxy_a_forged_header_is_ignored(client, specialist_sam, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    # A connects directly and claims to be B: the failures count against A's address.
    fail_until_locked(client, settings, REMOTE_ADDR=CLIENT_A, HTTP_X_FORWARDED_FOR=CLIENT_B)
    assert log_in(client, TEST_PASSWORD, REMOTE_ADDR=CLIENT_B).status_code == 302
    client.logout()
    # Changing the forged address does not let A out of its lock-out either.
    response = log_in(client, TEST_PASSWORD, REMOTE_ADDR=CLIENT_A, HTTP_X_FORWARDED_FOR="192.0.2.99")
    assert response.status_code == 429


@pytest.mark.parametrize(
    "proxies,forwarded_for,expected",
    [
        (0, "203.0.113.10", "10.0.0.2"),  # direct: the header is the client's own claim
        (1, "203.0.113.10", "203.0.113.10"),
        (1, "192.0.2.1, 203.0.113.10", "203.0.113.10"),  # the left part is the client's
        (2, "192.0.2.1, 203.0.113.10, 10.0.0.9", "203.0.113.10"),  # two proxies
        (2, "203.0.113.10", "10.0.0.2"),  # fewer hops than proxies: only the connection
        (1, "", "10.0.0.2"),
        (1, "not-an-address", "10.0.0.2"),
        (1, "203.0.113.10:51234", "203.0.113.10"),  # some proxies add the port
        (1, "[2001:db8::7]:51234", "2001:db8::7"),
        (1, "2001:db8::7", "2001:db8::7"),
    ],
)
def test_client_address_from_the_trusted_proxy_count(settings, proxies, forwarded_for, expected):
    settings.TRUSTED_PROXY_COUNT = proxies
    request = RequestFactory().get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded_for)
    assert client_ip_address(request) == expected


def test_axes_uses_the_client_address(settings):
    from axes.helpers import get_client_ip_address

    settings.TRUSTED_PROXY_COUNT = 1
    request = RequestFactory().get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=CLIENT_A)
    assert get_client_ip_address(request) == CLIENT_A
