"""The development receiver (manage.py webhook_receiver) verifies what the sender signs."""

import base64
import datetime
import http.client
import threading
from http.server import ThreadingHTTPServer

import pytest
from standardwebhooks.webhooks import Webhook

from integrations.webhooks.management.commands.webhook_receiver import receiver_handler

SECRET = "whsec_" + base64.b64encode(b"k" * 32).decode()


@pytest.fixture
def receiver():
    lines = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), receiver_handler(SECRET, lines.append))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1], lines
    server.shutdown()
    server.server_close()


def post(port, body, headers):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    connection.request("POST", "/hook", body=body, headers=headers)
    return connection.getresponse().status


def signed_headers(secret, msg_id, body):
    now = datetime.datetime.now(datetime.UTC)
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": Webhook(secret).sign(msg_id, now, body),
        "Content-Type": "application/json",
    }


def test_a_signed_delivery_is_verified_and_printed(receiver):
    port, lines = receiver
    body = '{"type":"placement.started","data":{"version":1,"placement_id":7}}'
    assert post(port, body, signed_headers(SECRET, "msg_1", body)) == 204
    assert lines == ['VERIFIED msg_1 placement.started {"placement_id": 7, "version": 1}']


def test_a_delivery_signed_with_another_secret_is_refused(receiver):
    port, lines = receiver
    body = '{"type":"placement.started","data":{}}'
    other = "whsec_" + base64.b64encode(b"x" * 32).decode()
    assert post(port, body, signed_headers(other, "msg_2", body)) == 401
    assert lines[0].startswith("REFUSED msg_2")
