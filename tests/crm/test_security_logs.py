"""Calendar feed tokens (and password-reset tokens) never reach a log line: the app's
logging filter (settings.LOGGING) and gunicorn's logger (config/gunicorn.conf.py)
mask them."""

import datetime
import io
import logging
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import quote

import pytest
from django.db import connection
from django.urls import reverse
from gunicorn.app.base import Application

from config.log_masking import MaskSecretsInPaths, mask_secrets
from crm.access import access_scope
from integrations.calendar import services as calendar_services

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "Qm9uam91ciBsZXMgYW1pcyBkdSBjYWxlbmRyaWVy-_x"  # 43 characters, as a real feed token
FEED_PATH = f"/calendar/{TOKEN}.ics"


def record(msg, args):
    return logging.LogRecord("django.server", logging.INFO, __file__, 1, msg, args, None)


def masked(msg, args=()):
    log_record = record(msg, args)
    assert MaskSecretsInPaths().filter(log_record) is True
    return log_record.getMessage()


@pytest.mark.parametrize(
    "text,expected",
    [
        (f"GET {FEED_PATH} HTTP/1.1", "GET /calendar/***.ics HTTP/1.1"),
        (f"GET {FEED_PATH}?x=1 HTTP/1.1", "GET /calendar/***.ics?x=1 HTTP/1.1"),
        (f"https://crm.example.org{FEED_PATH}", "https://crm.example.org/calendar/***.ics"),
        (f"webcal://crm.example.org{FEED_PATH}", "webcal://crm.example.org/calendar/***.ics"),
        (f"GET /calendar/{TOKEN} HTTP/1.1", "GET /calendar/*** HTTP/1.1"),  # a truncated link
        ("GET /calendar/visit/12.ics HTTP/1.1", "GET /calendar/visit/12.ics HTTP/1.1"),
        ("GET /calendar/appointment/7.ics HTTP/1.1", "GET /calendar/appointment/7.ics HTTP/1.1"),
        ("POST /settings/calendar/feeds/3/rotate/ HTTP/1.1", "POST /settings/calendar/feeds/3/rotate/ HTTP/1.1"),
        (
            "GET /account/password/reset/MQ/cz8xyz-0123456789abcdef/ HTTP/1.1",
            "GET /account/password/reset/MQ/***/ HTTP/1.1",
        ),
        (
            "GET /account/password/reset/MQ/set-password/ HTTP/1.1",
            "GET /account/password/reset/MQ/set-password/ HTTP/1.1",
        ),
        ("GET /account/password/reset/sent/ HTTP/1.1", "GET /account/password/reset/sent/ HTTP/1.1"),
    ],
)
def test_mask_secrets(text, expected):
    assert mask_secrets(text) == expected


# Mistyped feed and reset links: whatever precedes the token or follows it.
MISTYPED = [
    f"/calendar//{TOKEN}.ics",
    f"//calendar/{TOKEN}.ics",
    f"/calendar/{TOKEN}.ics/junk",
    f"/calendar/{TOKEN}.icsx",
    f"/calendar/x/{TOKEN}.ics",
    f"/calendar/visit/{TOKEN}.ics",
    f"/settings/calendar/{TOKEN}.ics",
    f"/CALENDAR/{TOKEN}.ICS",
    f"/calendar%2F{TOKEN}.ics",
    f"/calendar%252F{TOKEN}.ics",
    f"/%63alendar/{TOKEN}%2Eics",
    f"/calendar\\{TOKEN}.ics",
    f"/login/?next=%2Fcalendar%2F{TOKEN}.ics&a=1",
    f"/account/password/reset//MQ/{TOKEN}/",
    f"/account//password/reset/MQ/{TOKEN}/",
    f"/account/password/reset/{TOKEN}/",
    f"/account/password/reset/MQ/{TOKEN}/junk/",
    f"/account/password/reset/MQ%2F{TOKEN}/",
    f"/calendar/%20{TOKEN}.ics",
    f"/calendar/%20%20{TOKEN}.ics",
    f"/calendar/ {TOKEN}.ics",
    f'/calendar/"{TOKEN}".ics',
    f"/calendar/%22{TOKEN}%22.ics",
    f"/calendar/<{TOKEN}>.ics",
    f"/calendar/***.ics?token={TOKEN}",
    f"/settings/calendar/?t={TOKEN}",
    f"/xyz/{TOKEN}",
]


def test_the_token_length_masked_anywhere_is_the_length_of_a_feed_token():
    from config.log_masking import FEED_TOKEN_LENGTH
    from integrations.calendar.tokens import new_token

    assert {len(new_token()) for _ in range(200)} == {FEED_TOKEN_LENGTH}


def test_other_long_values_are_kept():
    uuid = "3f2b8c1e-6a4d-4f7e-9b2a-1c5d8e9f0a7b"
    sha256 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
    assert mask_secrets(f"message {uuid} {sha256}") == f"message {uuid} {sha256}"


@pytest.mark.parametrize("path", MISTYPED)
def test_mistyped_links_are_masked_by_the_filter(path):
    assert TOKEN not in masked("Not Found: %s", (path,))
    assert TOKEN not in masked('"%s" %s %s', (f"GET {path} HTTP/1.1", "404", "179"))


@pytest.mark.parametrize("path", MISTYPED)
def test_mistyped_links_are_masked_in_gunicorns_access_log(gunicorn_logger, tmp_path, path):
    line = access_line(gunicorn_logger, tmp_path, path, referer=f"https://crm.example.org{path}")
    assert TOKEN not in line and "***" in line


def test_the_filter_masks_the_message():
    assert masked(f"Feed read: {FEED_PATH}") == "Feed read: /calendar/***.ics"


def test_the_filter_masks_the_arguments():
    # runserver's request line (django.server) and Django's "Not Found" (django.request).
    assert (
        masked('"%s" %s %s', (f"GET {FEED_PATH} HTTP/1.1", "404", "179")) == '"GET /calendar/***.ics HTTP/1.1" 404 179'
    )
    assert masked("Not Found: %s", (FEED_PATH,)) == "Not Found: /calendar/***.ics"
    assert (
        masked("%(path)s answered %(status)d", {"path": FEED_PATH, "status": 404}) == "/calendar/***.ics answered 404"
    )


def test_the_filter_masks_objects_and_keeps_numbers():
    request = type("Request", (), {"__str__": lambda self: f"<WSGIRequest: GET '{FEED_PATH}'>"})()
    assert (
        masked("%s took %d ms (%.1f)", (request, 12, 1.5)) == "<WSGIRequest: GET '/calendar/***.ics'> took 12 ms (1.5)"
    )


def test_every_configured_handler_masks(settings):
    handlers = {
        name
        for name, handler in settings.LOGGING["handlers"].items()
        if "mask_secrets_in_paths" in handler.get("filters", [])
    }
    assert handlers == set(settings.LOGGING["handlers"])
    for name in ("", "django.server"):
        live = logging.getLogger(name).handlers
        ours = [h for h in live if type(h) is logging.StreamHandler]
        assert ours and all(any(isinstance(f, MaskSecretsInPaths) for f in h.filters) for h in ours), name


@pytest.fixture
def written():
    """What the configured handlers (settings.LOGGING) of the root logger and of
    django.server write."""
    handlers = [
        handler
        for name in ("", "django.server")
        for handler in logging.getLogger(name).handlers
        if any(isinstance(f, MaskSecretsInPaths) for f in handler.filters)
    ]
    stream = io.StringIO()
    previous = [handler.setStream(stream) for handler in handlers]
    yield stream
    for handler, old in zip(handlers, previous, strict=True):
        handler.setStream(old)


def test_a_404_on_a_feed_url_is_logged_masked(client, db, written):
    response = client.get(reverse("calendar_feed", args=[TOKEN]))
    assert response.status_code == 404
    assert "Not Found: /calendar/***.ics" in written.getvalue()
    assert TOKEN not in written.getvalue()


def test_runserver_request_lines_are_masked(written):
    logging.getLogger("django.server").info(
        '"%s" %s %s', f"GET {FEED_PATH} HTTP/1.1", "200", "512", extra={"server_time": "02/Nov/2026 09:00:00"}
    )
    assert '[02/Nov/2026 09:00:00] "GET /calendar/***.ics HTTP/1.1" 200 512' in written.getvalue()
    assert TOKEN not in written.getvalue()


# gunicorn (make serve) --------------------------------------------------------------------


class ConfiguredFromFile(Application):
    """gunicorn's own loading of config/gunicorn.conf.py, as `gunicorn -c` does."""

    def __init__(self, **overrides):
        self.overrides = overrides
        super().__init__()

    def init(self, parser, opts, args):
        return None

    def load_config(self):
        self.load_config_from_file(str(ROOT / "config" / "gunicorn.conf.py"))
        for key, value in self.overrides.items():
            self.cfg.set(key, value)

    def load(self):
        raise NotImplementedError


@pytest.fixture
def gunicorn_logger(tmp_path):
    cfg = ConfiguredFromFile(accesslog=str(tmp_path / "access.log"), errorlog=str(tmp_path / "error.log")).cfg
    logger = cfg.logger_class(cfg)
    yield logger
    for log in (logger.access_log, logger.error_log):
        for handler in log.handlers:
            handler.close()


def access_line(logger, tmp_path, path, referer="-"):
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": path,
        "PATH_INFO": path.split("?")[0],
        "QUERY_STRING": "",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "10.0.0.2",
        "HTTP_REFERER": referer,
        "HTTP_USER_AGENT": "Google-Calendar-Importer",
    }
    response = SimpleNamespace(status="200 OK", headers=[("Content-Type", "text/calendar")], sent=2048)
    request = SimpleNamespace(headers=[("USER-AGENT", "Google-Calendar-Importer"), ("X-FORWARDED-FOR", "203.0.113.10")])
    logger.access(response, request, environ, datetime.timedelta(milliseconds=35))
    return (tmp_path / "access.log").read_text()


def test_gunicorn_access_log_masks_feed_tokens(gunicorn_logger, tmp_path):
    line = access_line(gunicorn_logger, tmp_path, FEED_PATH, referer=f"https://crm.example.org{FEED_PATH}")
    assert '"GET /calendar/***.ics HTTP/1.1" 200 2048 "https://crm.example.org/calendar/***.ics"' in line
    assert '"Google-Calendar-Importer" 35ms' in line
    assert TOKEN not in line


def test_gunicorn_access_log_keeps_other_paths(gunicorn_logger, tmp_path):
    assert '"GET /calendar/visit/12.ics HTTP/1.1" 200' in access_line(
        gunicorn_logger, tmp_path, "/calendar/visit/12.ics"
    )


def test_gunicorn_error_log_masks_feed_tokens(gunicorn_logger, tmp_path):
    gunicorn_logger.error("Error handling request %s", FEED_PATH)
    text = (tmp_path / "error.log").read_text()
    assert "Error handling request /calendar/***.ics" in text and TOKEN not in text


def test_make_serve_uses_the_config_file():
    result = subprocess.run(["make", "-n", "serve"], cwd=ROOT, capture_output=True, text=True, check=True)  # noqa: S607
    (gunicorn,) = [line for line in result.stdout.splitlines() if "gunicorn" in line]
    assert "-c config/gunicorn.conf.py" in gunicorn


def _database_url() -> str:
    """The test database, for another process."""
    database = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{database['NAME']}"
    credentials = quote(database["USER"] or "", safe="")
    if database["PASSWORD"]:
        credentials += ":" + quote(database["PASSWORD"], safe="")
    return f"postgres://{credentials}@{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}/{database['NAME']}"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(url, **headers) -> int:
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 (http, our own server)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (our own server)
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.mark.django_db(transaction=True)
def test_a_real_gunicorn_writes_no_token(specialist_sam, tmp_path):
    """`make serve`'s gunicorn, with the app and its logging, on a free port against
    the test database: a subscribed calendar reads its feed, a mistyped feed URL
    answers 404 (Django logs "Not Found"), a reset link is opened. Neither the access
    log (standard output) nor the error and app logs (standard error) hold a token."""
    _feed, token = calendar_services.calendar_feed_create(scope=access_scope(specialist_sam), kind="personal")
    reset_token = "cz8xyz-0123456789abcdef0123456789abcdef"
    port = _free_port()
    environment = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "SECRET_KEY", "ALLOWED_HOSTS"}}
    environment.update(DATABASE_URL=_database_url(), DEBUG="1", LOG_LEVEL="INFO", PYTHONUNBUFFERED="1")
    out, err = tmp_path / "stdout.log", tmp_path / "stderr.log"
    command = [sys.executable, "-m", "gunicorn", "config.wsgi:application", "-c", "config/gunicorn.conf.py"]
    command += ["--bind", f"127.0.0.1:{port}", "--workers", "1"]
    with out.open("w") as stdout, err.open("w") as stderr:
        server = subprocess.Popen(command, cwd=ROOT, env=environment, stdout=stdout, stderr=stderr)  # noqa: S603
        try:
            base = f"http://127.0.0.1:{port}"
            for _ in range(300):
                if server.poll() is not None:
                    pytest.fail(f"gunicorn exited: {err.read_text()}")
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    time.sleep(0.1)
            feed_url = f"{base}/calendar/{token}.ics"
            assert _get(feed_url, **{"User-Agent": "Google-Calendar-Importer"}) == 200
            assert _get(f"{base}/calendar/{token}x.ics", Referer=feed_url) == 404
            assert _get(f"{base}/account/password/reset/MQ/{reset_token}/") == 200  # "this link no longer works"
        finally:
            server.terminate()
            server.wait(timeout=30)
    access_log, other_logs = out.read_text(), err.read_text()
    for secret in (token, reset_token):
        assert secret not in access_log and secret not in other_logs
    assert '"GET /calendar/***.ics HTTP/1.1" 200 ' in access_log
    assert '"Google-Calendar-Importer" ' in access_log
    assert '"GET /calendar/***.ics HTTP/1.1" 404 ' in access_log
    assert f'"http://127.0.0.1:{port}/calendar/***.ics"' in access_log  # the referrer
    assert '"GET /account/password/reset/MQ/***/ HTTP/1.1" 200 ' in access_log
    assert "Not Found: /calendar/***.ics" in other_logs  # django.request, through settings.LOGGING
