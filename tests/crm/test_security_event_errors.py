"""A failed event handling shows program admins what failed (the exception's type and
message), not the server's traceback; platform operators and the logs get the whole
traceback. The stored value is the whole traceback, as before."""

import logging
import traceback

import pytest
from django.urls import reverse

from crm import events
from crm.events import failure_summary
from crm.models import EventHandling, OutboxEvent
from tests.crm.test_events import offer
from tests.factories import UserFactory

SUMMARY = "RuntimeError: partner system unavailable"


@pytest.fixture
def failing_handler(settings):
    settings.EVENT_HANDLER_MAX_ATTEMPTS = 1

    def failing(event):
        raise RuntimeError("partner system unavailable")

    events.handles("placement.offer_accepted", name="tests.failing_partner")(failing)
    yield
    events.unregister("tests.failing_partner")


@pytest.fixture
def failed_handling(specialist_sam, failing_handler, caplog):
    offer(specialist_sam)
    event = OutboxEvent.objects.get()
    with caplog.at_level(logging.WARNING, logger="crm.events"):
        events.dispatch(event.pk)
    handling = EventHandling.objects.get(handler="tests.failing_partner")
    assert handling.status == "failed"
    return handling


@pytest.fixture
def operator(db):
    return UserFactory(username="olga", organisation=None, is_superuser=True, is_staff=True)


def admin_pages(handling):
    return [
        reverse("admin:crm_eventhandling_change", args=[handling.pk]),
        reverse("admin:crm_outboxevent_change", args=[handling.event_id]),  # the handlings inline
    ]


def test_the_stored_error_is_the_whole_traceback(failed_handling):
    assert failed_handling.last_error.startswith("Traceback (most recent call last):")
    assert failed_handling.last_error.rstrip().endswith(SUMMARY)


def test_program_admins_see_the_summary_only(client_for, program_admin, failed_handling):
    client = client_for(program_admin)
    for url in admin_pages(failed_handling):
        body = client.get(url).content.decode()
        assert SUMMARY in body, url
        assert "Traceback" not in body and 'File "' not in body and "File &quot;" not in body, url
        assert "test_security_event_errors.py" not in body, url


def test_operators_see_the_whole_traceback(client_for, operator, failed_handling):
    client = client_for(operator)
    for url in admin_pages(failed_handling):
        body = client.get(url).content.decode()
        assert SUMMARY in body, url
        assert "Traceback (most recent call last):" in body and "test_security_event_errors.py" in body, url


def test_the_log_has_the_whole_traceback(failed_handling, caplog):
    # Logged while the failed_handling fixture dispatched the event.
    (record,) = [r for r in caplog.get_records("setup") if "tests.failing_partner" in r.getMessage()]
    assert record.levelno == logging.ERROR
    assert record.exc_info is not None and str(record.exc_info[1]) == "partner system unavailable"


def _formatted(raiser) -> str:
    try:
        raiser()
    except Exception as error:  # noqa: BLE001
        return "".join(traceback.format_exception(error))[-4000:]
    raise AssertionError("did not raise")


def _chained():
    try:
        raise KeyError("placement 12")
    except KeyError as cause:
        raise ValueError("could not notify\nthe partner") from cause


def _deep(depth=200):
    if depth == 0:
        raise ConnectionError("partner unreachable")
    _deep(depth - 1)


def _group():
    raise ExceptionGroup("two partners failed", [ValueError("first"), OSError("second")])


@pytest.mark.parametrize(
    "text,summary",
    [
        (_formatted(_chained), "ValueError: could not notify\nthe partner"),
        (_formatted(_deep), "ConnectionError: partner unreachable"),  # its start was cut off
        (
            _formatted(_group),
            "ExceptionGroup: two partners failed (2 sub-exceptions)\nValueError: first\nOSError: second",
        ),
        ("Attempt 2, started at 2026-11-02T09:00:00+00:00, did not finish.", None),
        ("No handler is registered for topic 'placement.started'.", None),
    ],
)
def test_failure_summary(text, summary):
    result = failure_summary(text)
    assert result == (summary or text)
    assert 'File "' not in result


def test_program_admins_cannot_search_the_traceback(client_for, program_admin, operator, failed_handling):
    """A filter on the stored traceback would let a program admin read it a guess at a
    time (`?last_error__contains=...`): refused for them, kept for operators."""
    for model in ("eventhandling", "outboxevent"):
        url = reverse(f"admin:crm_{model}_changelist")
        in_traceback_only = {"last_error__contains": "test_security_event_errors.py"}
        assert client_for(program_admin).get(url, in_traceback_only).status_code == 400, model
        assert client_for(program_admin).get(url).status_code == 200, model
        assert client_for(operator).get(url, in_traceback_only).status_code == 200, model
    operator_view = client_for(operator).get(
        reverse("admin:crm_eventhandling_changelist"), {"last_error__contains": "test_security_event_errors.py"}
    )
    assert operator_view.context["cl"].result_count == 1
