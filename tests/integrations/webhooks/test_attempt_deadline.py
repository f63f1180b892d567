"""One deadline per attempt (WEBHOOKS_TIMEOUT_SECONDS): connecting, the TLS handshake,
the headers and the body together. A receiver trickling bytes cannot hold a worker
longer, and an attempt past the deadline is a failed attempt logged with its duration.
The actor's time limit is only a backstop: if it fires, the attempt is still logged and
the retry is already scheduled."""

import socket
import threading
import time

import pytest
from dramatiq.middleware.time_limit import TimeLimitExceeded

from integrations.webhooks import sending, transport
from integrations.webhooks.models import WebhookAttempt, WebhookDelivery
from tests.integrations.webhooks.conftest import dispatch_pending
from tests.integrations.webhooks.test_delivery import offer


def _trickle_server(prefix: bytes, trickle: bytes, total_seconds: float, step: float = 0.2) -> int:
    """A receiver that reads the request, sends `prefix`, then `trickle` a byte every
    `step` seconds for `total_seconds`, each byte well within any per-read time-out."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    port = server.getsockname()[1]

    def run():
        conn, _address = server.accept()
        try:
            conn.recv(65536)
            started = time.monotonic()
            conn.sendall(prefix)
            while time.monotonic() - started < total_seconds:
                conn.sendall(trickle)
                time.sleep(step)
            conn.sendall(b"\r\nContent-Length: 2\r\n\r\nok")
        except OSError:
            pass  # the client gave up: what is tested
        finally:
            conn.close()
            server.close()

    threading.Thread(target=run, daemon=True).start()
    return port


@pytest.fixture
def one_second(settings):
    settings.WEBHOOKS_ALLOW_HTTP = True
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = True
    settings.WEBHOOKS_TIMEOUT_SECONDS = 1


def _post(url):
    started = time.monotonic()
    result = transport.post(url, b"{}", {"Content-Type": "application/json"})
    return result, time.monotonic() - started


def test_trickled_headers_end_the_attempt_at_the_deadline(one_second):
    port = _trickle_server(b"HTTP/1.1 200 OK\r\nX-Pad: ", b"a", total_seconds=5)
    result, took = _post(f"http://127.0.0.1:{port}/hook")
    assert took < 1.8
    assert not result.succeeded and result.status_code is None
    assert "in time" in result.error and 900 <= result.duration_ms < 1800


def test_a_trickled_body_after_a_200_is_a_failed_attempt(one_second):
    port = _trickle_server(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n", b"a", total_seconds=5)
    result, took = _post(f"http://127.0.0.1:{port}/hook")
    assert took < 1.8 and not result.succeeded and "in time" in result.error


def test_a_trickled_tls_handshake_ends_at_the_deadline(one_second):
    # A TLS record header announcing 16 kB, then its bytes one at a time.
    port = _trickle_server(b"\x16\x03\x03\x40\x00", b"\x00", total_seconds=5)
    result, took = _post(f"https://127.0.0.1:{port}/hook")
    assert took < 1.8 and not result.succeeded and result.error


def test_a_prompt_receiver_still_succeeds(one_second, receiver):
    result, _took = _post(receiver.url)
    assert result.succeeded


@pytest.mark.django_db
def test_the_actors_time_limit_still_logs_the_attempt_and_the_retry_is_scheduled(
    subscription, specialist_sam, nadia, bakery, monkeypatch
):
    offer(specialist_sam, nadia, bakery)
    dispatch_pending()
    delivery = WebhookDelivery.objects.get(topic="placement.offer_accepted")

    def stopped(*args, **kwargs):
        raise TimeLimitExceeded()

    monkeypatch.setattr(transport, "post", stopped)
    with pytest.raises(TimeLimitExceeded):
        sending.deliver(delivery.pk)
    attempt = WebhookAttempt.objects.get(delivery=delivery)
    assert attempt.status_code is None and "stopped" in attempt.error and attempt.duration_ms >= 0
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.FAILED and delivery.attempts == 1
    assert delivery.next_attempt_at is not None  # the sweep sends it again when due
