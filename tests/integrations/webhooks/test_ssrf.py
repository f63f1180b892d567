"""SSRF protection, with the development/test switches OFF (as in production): https
only, public addresses only (checked on the resolved addresses at send time), the
checked address connected to, redirects not followed. And with a real TLS receiver:
SNI and certificate verification for the URL's host name."""

import socket
import ssl

import pytest
from django.core.exceptions import ValidationError

from integrations.webhooks import services, transport
from tests.integrations.webhooks.conftest import ALL_READ

REFUSED_HOSTS = [
    "127.0.0.1",
    "127.1.2.3",
    "10.0.0.1",
    "172.16.5.4",
    "192.168.1.20",
    "169.254.169.254",
    "100.64.0.1",
    "0.0.0.0",  # noqa: S104 - a refused destination, not a binding
    "224.0.0.1",
    "240.0.0.1",
    "[::1]",
    "[::]",
    "[fe80::1]",
    "[fd00:ec2::254]",
    "[fc00::5]",
    "[::ffff:127.0.0.1]",
    "[::ffff:10.0.0.1]",
    "[64:ff9b::a9fe:a9fe]",  # NAT64 of 169.254.169.254
    "[2002:7f00:1::]",  # 6to4 of 127.0.0.1
    "[ff02::1]",
]


@pytest.fixture
def production_guard(settings):
    settings.WEBHOOKS_ALLOW_HTTP = False
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = False


def resolving_to(monkeypatch, *addresses):
    """Make every host name resolve to `addresses` (and record the look-ups)."""
    lookups = []

    def fake_getaddrinfo(host, port, *args, **kwargs):
        lookups.append(host)
        return [
            (socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port)) for a in addresses
        ]

    monkeypatch.setattr(socket, "getaddrinfo", fake_getaddrinfo)
    return lookups


@pytest.mark.parametrize("host", REFUSED_HOSTS)
def test_private_loopback_link_local_and_metadata_addresses_are_refused(production_guard, host):
    with pytest.raises(transport.Refused):
        transport.resolve(f"https://{host}/hook")
    result = transport.post(f"https://{host}/hook", b"{}", {})
    assert result.status_code is None and "refused" in result.error


def test_a_name_resolving_to_loopback_is_refused_at_send_time(production_guard, monkeypatch):
    resolving_to(monkeypatch, "127.0.0.1")
    result = transport.post("https://hooks.partner.example/ips", b"{}", {})
    assert result.status_code is None and "private" in result.error


def test_a_name_with_any_private_address_is_refused(production_guard, monkeypatch):
    resolving_to(monkeypatch, "93.184.215.14", "10.1.2.3")
    with pytest.raises(transport.Refused):
        transport.resolve("https://hooks.partner.example/ips")


def test_the_checked_address_is_the_one_connected_to(production_guard, monkeypatch):
    """Resolved once: a second, different answer (DNS rebinding) is never asked for."""
    lookups = resolving_to(monkeypatch, "93.184.215.14")
    target = transport.resolve("https://hooks.partner.example:8443/ips?x=1")
    assert (target.address, target.host, target.port, target.path) == (
        "93.184.215.14",
        "hooks.partner.example",
        8443,
        "/ips?x=1",
    )
    connected = []

    def fake_urlopen(pool, method, url, **kwargs):
        connected.append((pool.host, pool.port, kwargs["headers"]["Host"], pool.conn_kw.get("server_hostname")))
        raise OSError("stop here")

    monkeypatch.setattr("urllib3.HTTPSConnectionPool.urlopen", fake_urlopen)
    transport.post("https://hooks.partner.example:8443/ips", b"{}", {})
    assert connected == [("93.184.215.14", 8443, "hooks.partner.example:8443", "hooks.partner.example")]
    assert lookups == ["hooks.partner.example", "hooks.partner.example"]  # once per resolve()/post(), never twice


@pytest.mark.parametrize(
    "url",
    ["http://hooks.partner.example/ips", "ftp://hooks.partner.example/", "https://user:pw@hooks.partner.example/"],
)
def test_only_https_without_credentials(production_guard, url):
    with pytest.raises(transport.Refused):
        transport.check_url(url)


def test_public_addresses_pass():
    for address in ["93.184.215.14", "8.8.8.8", "2606:4700::1111", "::ffff:8.8.8.8"]:
        import ipaddress

        assert transport.address_is_public(ipaddress.ip_address(address)), address


def test_a_redirect_is_a_failed_attempt_not_followed(receiver):
    receiver.script(("redirect", "http://169.254.169.254/latest/meta-data/"))
    result = transport.post(receiver.url, b"{}", {"Content-Type": "application/json"})
    assert result.status_code == 302 and not result.succeeded and "Redirect" in result.error
    assert len(receiver.requests) == 1


def test_the_response_read_is_capped(receiver, settings):
    settings.WEBHOOKS_MAX_RESPONSE_BYTES = 64 * 1024
    receiver.script(("body", 200, b"y" * 500_000))
    result = transport.post(receiver.url, b"{}", {})
    assert result.status_code == 200 and len(result.body) == 64 * 1024


def test_the_local_receiver_itself_is_refused_with_the_switches_off(production_guard, receiver):
    result = transport.post(receiver.url, b"{}", {})
    assert result.status_code is None and receiver.requests == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "http://hooks.partner.example/",
        "https://127.0.0.1/hook",
        "https://[::1]/hook",
        "https://169.254.169.254/",
        "nope",
    ],
)
def test_subscriptions_refuse_such_urls_when_created(production_guard, url, partner):
    from crm.access import PartnerScope

    with pytest.raises(ValidationError) as refused:
        services.subscription_create(
            scope=PartnerScope(partner, grants=frozenset(ALL_READ)), url=url, topics=["placement.started"]
        )
    assert "url" in refused.value.message_dict


# TLS: SNI and the certificate checked for the host name, on the checked address ---------


@pytest.fixture
def trusting_test_ca(monkeypatch, certificates):
    real = ssl.create_default_context

    def with_test_ca(*args, **kwargs):
        context = real(*args, **kwargs)
        context.load_verify_locations(certificates / "ca.pem")
        return context

    monkeypatch.setattr(transport.ssl, "create_default_context", with_test_ca)


def test_https_with_sni_and_a_verified_certificate(monkeypatch, trusting_test_ca, tls_receiver):
    resolving_to(monkeypatch, "127.0.0.1")
    result = transport.post(tls_receiver.url, b'{"a":1}', {"Content-Type": "application/json"})
    assert result.status_code == 200, result.error
    assert tls_receiver.requests[0].headers["host"].startswith("webhooks.example.test:")


def test_an_untrusted_certificate_is_refused(monkeypatch, tls_receiver):
    resolving_to(monkeypatch, "127.0.0.1")
    result = transport.post(tls_receiver.url, b"{}", {})
    assert result.status_code is None and "TLS" in result.error
    assert tls_receiver.requests == []


def test_a_certificate_for_another_name_is_refused(monkeypatch, trusting_test_ca, tls_receiver):
    resolving_to(monkeypatch, "127.0.0.1")
    other_name = tls_receiver.url.replace("webhooks.example.test", "other.example.test")
    result = transport.post(other_name, b"{}", {})
    assert result.status_code is None and "TLS" in result.error
    assert tls_receiver.requests == []


def test_a_refused_connection_is_logged_as_such_not_as_a_time_out():
    """Nothing listens on the port: the attempt says it could not connect (urllib3 makes
    a refused connection a kind of connect time-out; found by the new-user trial)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again below: nothing listens there
    result = transport.post(f"http://127.0.0.1:{port}/hook", b"{}", {"Content-Type": "application/json"})
    assert not result.succeeded and result.error == "Could not connect."
