"""Webhook tests: a partner with a key, a job seeker who consented to share with it, a
subscription, and a real HTTP receiver on 127.0.0.1 (plain HTTP, or HTTPS with a
certificate from a throw-away CA) whose answers each test scripts."""

import datetime
import http.server
import json
import queue
import shutil
import ssl
import subprocess
import threading
import time
from dataclasses import dataclass, field

import pytest

from crm import events
from crm.access import PartnerScope
from crm.models import OutboxEvent
from integrations.api.models import ApiKey
from integrations.webhooks import services
from tests.factories import EmployerFactory, JobSeekerFactory, PartnerFactory, SharingConsentFactory

ALL_READ = ["placements:read", "support:read", "benefits:read", "webhooks:manage"]


@pytest.fixture(autouse=True)
def local_receivers_allowed(settings):
    """Development/test switches on (as in the test settings); the SSRF tests switch
    them off themselves. Short time-outs keep the time-out test quick."""
    settings.WEBHOOKS_ALLOW_HTTP = True
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = True
    settings.WEBHOOKS_TIMEOUT_SECONDS = 0.5


def make_key(partner, grants=ALL_READ, **fields):
    key, _plaintext = ApiKey.issue(partner=partner, name="integration", grants=list(grants), **fields)
    key.save()
    return key


@pytest.fixture
def partner(organisation):
    return PartnerFactory(organisation=organisation, name="CMP Marseille Centre")


@pytest.fixture
def partner_key(partner):
    return make_key(partner)


@pytest.fixture
def partner_scope(partner, partner_key):
    return PartnerScope(partner, grants=frozenset(partner_key.grants))


@pytest.fixture
def nadia(specialist_sam):
    return JobSeekerFactory(specialist=specialist_sam, first_name="Nadia", last_name="Benali", receives_benefits="yes")


@pytest.fixture
def consent(nadia, partner):
    return SharingConsentFactory(
        job_seeker=nadia, partner=partner, shares_progress=True, shares_support=True, shares_benefits=True
    )


@pytest.fixture
def bakery(organisation):
    return EmployerFactory(organisation=organisation, name="Boulangerie du Port")


# A receiver -----------------------------------------------------------------------------


@dataclass
class Received:
    path: str
    headers: dict
    body: bytes

    @property
    def json(self):
        return json.loads(self.body)


@dataclass
class Receiver:
    """Answers each POST with the next scripted answer (default 200): an int status,
    ("sleep", seconds, status), ("redirect", location) or ("body", status, bytes)."""

    url: str
    requests: list[Received] = field(default_factory=list)
    answers: queue.Queue = field(default_factory=queue.Queue)

    def script(self, *answers):
        for answer in answers:
            self.answers.put(answer)


def _handler_class(receiver_ref):
    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_POST(self):  # noqa: N802 - http.server's naming
            receiver = receiver_ref[0]
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            receiver.requests.append(Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body))
            try:
                answer = receiver.answers.get_nowait()
            except queue.Empty:
                answer = 200
            extra_headers, reply = {}, b'{"ok": true}'
            if isinstance(answer, tuple) and answer[0] == "sleep":
                time.sleep(answer[1])
                status = answer[2]
            elif isinstance(answer, tuple) and answer[0] == "redirect":
                status, extra_headers = 302, {"Location": answer[1]}
            elif isinstance(answer, tuple) and answer[0] == "body":
                status, reply = answer[1], answer[2]
            else:
                status = answer
            try:
                self.send_response(status)
                for name, value in extra_headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)
            except OSError:
                pass  # the client gave up (time-out test)

    return Handler


def _serve(ssl_context=None, host_name="127.0.0.1"):
    ref = [None]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _handler_class(ref))
    server.daemon_threads = True
    scheme = "http"
    if ssl_context is not None:
        server.socket = ssl_context.wrap_socket(server.socket, server_side=True)
        scheme = "https"
    receiver = Receiver(url=f"{scheme}://{host_name}:{server.server_address[1]}/hooks/ips")
    ref[0] = receiver
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, receiver


@pytest.fixture
def receiver():
    server, receiver = _serve()
    yield receiver
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def certificates(tmp_path_factory):
    """A throw-away CA and a certificate it signed for webhooks.example.test."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make test certificates")
    folder = tmp_path_factory.mktemp("tls")

    def run(*args):
        subprocess.run(["openssl", *args], cwd=folder, check=True, capture_output=True)  # noqa: S607

    run(
        "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
        "-subj", "/CN=IPS CRM test CA", "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign",
    )  # fmt: skip
    run("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "leaf.key", "-out", "leaf.csr", "-subj", "/CN=hooks")
    (folder / "ext.cnf").write_text(
        "subjectAltName=DNS:webhooks.example.test\nbasicConstraints=critical,CA:FALSE\n"
        "keyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n"
        "authorityKeyIdentifier=keyid\nsubjectKeyIdentifier=hash\n"
    )
    run(
        "x509", "-req", "-in", "leaf.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
        "-out", "leaf.pem", "-days", "2", "-extfile", "ext.cnf",
    )  # fmt: skip
    return folder


@pytest.fixture
def tls_receiver(certificates):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(certificates / "leaf.pem", certificates / "leaf.key")
    server, receiver = _serve(context, host_name="webhooks.example.test")
    yield receiver
    server.shutdown()
    server.server_close()


# Driving events ------------------------------------------------------------------------


def dispatch_pending() -> list[OutboxEvent]:
    """Run the handlers of every pending event (the worker's job), oldest first."""
    pending = list(OutboxEvent.objects.filter(status=OutboxEvent.Status.PENDING).order_by("created_at", "pk"))
    for event in pending:
        events.dispatch(event.pk)
    return pending


@pytest.fixture
def subscription(partner_scope, receiver, consent):
    return services.subscription_create(
        scope=partner_scope,
        url=receiver.url,
        topics=[
            "placement.offer_accepted",
            "placement.started",
            "placement.milestone_reached",
            "placement.ended",
            "accommodation.status_changed",
            "benefits.step_changed",
        ],
    )


DAY = datetime.timedelta(days=1)
