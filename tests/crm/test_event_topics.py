"""Topics are declared once; handlers have stable names; an event is never marked
handled without its handlers, and a misspelt topic stops the start-up."""

import importlib
import os
import subprocess
import sys
import types
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.db import connection, transaction
from django.urls import reverse
from django.utils import translation

from crm import events
from crm.models import EventHandling, OutboxEvent

ROOT = Path(__file__).resolve().parents[2]
ENROLLED = {"job_seeker_id": 1, "job_search_since": None, "reentry": False}
STARTED = {
    "placement_id": 1,
    "job_seeker_id": 1,
    "start_date": "2026-03-02",
    "hours_per_week": "20",
    "hourly_pay": None,
}


def emit(organisation, topic="jobseeker.enrolled", payload=None, **fields):
    with transaction.atomic():
        return events.emit(
            topic=topic,
            organisation_id=organisation.pk,
            aggregate_type="jobseeker",
            aggregate_id=1,
            payload=ENROLLED if payload is None else payload,
            **fields,
        )


@pytest.fixture
def temporary_handler():
    """Subscribe a function for one test: temporary_handler("topic", function, name=...)."""
    names = []

    def subscribe(*topics, function, name="tests.temporary"):
        events.handles(*topics, name=name)(function)
        names.append(name)
        return function

    yield subscribe
    for name in names:
        events.unregister(name)


RECORDED = {"what": "kept"}


@pytest.fixture
def recorded_only_topic():
    """A topic recorded for the timeline and partners only, declared for one test: since
    jobseeker.enrolled got its handler (the disclosure talk at enrolment), no topic of
    the apps is declared so."""
    declared = events.declare_topic(
        "tests.recorded",
        fields=["what"],
        label="Recorded",
        may_have_no_handler=True,
        no_handler_reason="Recorded for the events feed only.",
    )
    yield declared
    events._topics.pop(declared.name)


@pytest.fixture
def without_handler():
    """Take a registered handler away for one test (as if its module were not imported)."""
    removed = []

    def remove(name):
        removed.append(events._handlers.pop(name))

    yield remove
    for subscription in removed:
        events._handlers[subscription.name] = subscription


# Declarations ---------------------------------------------------------------------------


def test_every_topic_is_declared_once_by_its_app():
    declared = {t.name: t.declared_in for t in events.declared_topics()}
    assert declared == {
        "jobseeker.enrolled": "crm.topics",
        "jobseeker.reassigned": "crm.topics",
        "placement.offer_accepted": "placements.topics",
        "placement.started": "placements.topics",
        "placement.terms_changed": "placements.topics",
        "placement.milestone_reached": "placements.topics",
        "placement.ended": "placements.topics",
        "accommodation.status_changed": "placements.topics",
        "benefits.step_changed": "placements.topics",
        "employer_contact.held": "jobdev.topics",
    }
    assert events.topic("jobseeker.reassigned").fields == {"job_seeker_id", "from_specialist_id", "to_specialist_id"}


def test_topics_without_handlers_are_the_declared_ones(recorded_only_topic):
    flagged = {t.name for t in events.declared_topics() if t.may_have_no_handler}
    # jobseeker.reassigned, then jobseeker.enrolled, were flagged only until their handlers landed.
    assert flagged == {"tests.recorded"}
    assert all(events.handlers_for(name) == [] for name in flagged)
    assert "events feed" in events.topic("tests.recorded").no_handler_reason


def test_timeline_label_comes_from_the_declaration():
    with translation.override("en"):
        assert OutboxEvent(topic="placement.started").topic_label == "Job started"
        assert OutboxEvent(topic="benefits.step_changed").topic_label == "Benefits-counselling step changed"
        assert OutboxEvent(topic="something.retired").topic_label == "something.retired"
    with translation.override("fr"):
        assert OutboxEvent(topic="placement.started").topic_label == translation.gettext("Job started")
        assert OutboxEvent(topic="placement.started").topic_label != "Job started"


def test_a_topic_cannot_be_declared_twice():
    with pytest.raises(events.TopicError, match="declared twice"):
        events.declare_topic("placement.started", fields=["placement_id"], label="Again")
    assert events.topic("placement.started").declared_in == "placements.topics"


@pytest.mark.parametrize(
    "arguments, message",
    [
        ({"name": "Placement Started", "fields": ["a"]}, "lower-case dotted"),
        ({"name": "tests.topic", "fields": "a,b"}, "list of names"),
        ({"name": "tests.topic", "fields": []}, "field names"),
        ({"name": "tests.topic", "fields": ["a"], "version": 0}, "version"),
        ({"name": "tests.topic", "fields": ["a"], "may_have_no_handler": True}, "say why"),
        ({"name": "tests.topic", "fields": ["a"], "no_handler_reason": "because"}, "expects a handler"),
    ],
)
def test_a_declaration_must_be_complete(arguments, message):
    with pytest.raises(events.TopicError, match=message):
        events.declare_topic(label="x", **arguments)
    assert "tests.topic" not in {t.name for t in events.declared_topics()}


# Emitting -------------------------------------------------------------------------------


def test_emit_refuses_an_undeclared_topic(organisation):
    with pytest.raises(events.UnknownTopic, match="Did you mean 'placement.started'"):
        emit(organisation, topic="placement.startd", payload=STARTED)
    assert not OutboxEvent.objects.exists()


@pytest.mark.parametrize(
    "payload, message",
    [
        ({"job_seeker_id": 1, "reentry": False}, r"missing \['job_search_since'\], unexpected \[\]"),
        ({**ENROLLED, "specialist_id": 2}, r"missing \[\], unexpected \['specialist_id'\]"),
        ({"job_seeker": 1, "job_search_since": None, "reentry": False}, r"missing \['job_seeker_id'\]"),
        (["job_seeker_id", "job_search_since", "reentry"], "must be a dict"),
    ],
)
def test_emit_refuses_a_payload_that_differs_from_the_declaration(organisation, payload, message):
    with pytest.raises(events.PayloadMismatch, match=message):
        emit(organisation, payload=payload)
    assert not OutboxEvent.objects.exists()


def test_emit_records_the_declared_payload_version(organisation):
    event = emit(organisation)
    assert event.payload_version == events.topic("jobseeker.enrolled").version == 1


# Subscribing ----------------------------------------------------------------------------


def test_handles_refuses_an_undeclared_topic():
    with pytest.raises(events.UnknownTopic, match="Did you mean 'employer_contact.held'"):
        events.handles("employer_contact.hold", name="tests.misspelt")
    assert "tests.misspelt" not in events._handlers


def test_a_handler_needs_a_stable_name():
    with pytest.raises(TypeError):
        events.handles("placement.started")
    for name in ("start_follow_along", "placements.handlers.start_follow_along", "Placements.Start", ""):
        with pytest.raises(events.TopicError, match="<app>.<what it does>"):
            events.handles("placement.started", name=name)


def test_a_handler_name_belongs_to_one_function(temporary_handler):
    def first(event):
        pass

    def second(event):
        pass

    temporary_handler("placement.started", function=first, name="tests.once")
    temporary_handler("placement.started", function=first, name="tests.once")  # re-import: same function
    with pytest.raises(events.HandlerNameTaken, match="tests.once"):
        events.handles("placement.started", name="tests.once")(second)
    with pytest.raises(events.HandlerNameTaken):
        events.handles("placement.started", name="placements.start_follow_along")(second)


def test_handlers_are_registered_by_their_apps_under_stable_names():
    assert [s.name for s in events.handlers_for("placement.started")] == [
        "placements.start_follow_along",
        "webhooks.record_deliveries",
    ]
    assert [s.name for s in events.handlers_for("employer_contact.held")] == [
        "jobdev.move_relationship_forward",
        "jobdev.start_the_rapid_search_clock",
    ]
    assert [s.name for s in events.handlers_for("jobseeker.enrolled")] == ["placements.disclosure_talk_at_enrolment"]


def test_apps_import_their_event_modules_in_ready():
    """No discovery by guessing: each app's ready() names its topics, handlers and tasks
    modules (crm.events.import_app_modules), topics first."""
    for label in ("crm", "placements", "jobdev"):
        config = apps.get_app_config(label)
        source = Path(sys.modules[type(config).__module__].__file__).read_text()
        assert 'import_app_modules(self, "topics"' in source, label
    for module in ("crm.topics", "placements.topics", "placements.handlers", "jobdev.topics", "jobdev.handlers"):
        assert module in sys.modules
    assert "find_spec" not in Path(events.__file__).read_text()


def test_handler_names_are_the_ones_the_data_migration_maps_to():
    migration = importlib.import_module("crm.migrations.0006_event_retries_and_handler_names")
    registered = {s.name: f"{s.function.__module__}.{s.function.__qualname__}" for s in events._handlers.values()}
    # Every old name (module.qualname) maps to the name its function is now registered
    # under (handlers written since have no old name).
    for old, new in migration.HANDLER_NAMES.items():
        assert registered.get(new) == old


def test_the_data_migration_renames_recorded_handlers(organisation):
    migration = importlib.import_module("crm.migrations.0006_event_retries_and_handler_names")
    first, second = emit(organisation), emit(organisation, dedup_key="second")
    EventHandling.objects.create(event=first, handler="placements.handlers.start_follow_along", status="succeeded")
    EventHandling.objects.create(event=second, handler="jobdev.handlers.move_relationship_forward", status="retrying")
    EventHandling.objects.create(event=second, handler="jobdev.move_relationship_forward", status="succeeded")
    EventHandling.objects.create(event=second, handler="jobdev.handlers.move_relationship_forward_v0", status="failed")
    editor = types.SimpleNamespace(connection=connection)

    migration.name_handlers(apps, editor)
    assert set(EventHandling.objects.values_list("event", "handler", "status")) == {
        (first.pk, "placements.start_follow_along", "succeeded"),
        (second.pk, "jobdev.move_relationship_forward", "succeeded"),  # the new name already ran
        (second.pk, "jobdev.handlers.move_relationship_forward_v0", "failed"),  # unknown: left alone
    }
    migration.unname_handlers(apps, editor)
    assert set(EventHandling.objects.values_list("handler", flat=True)) == {
        "placements.handlers.start_follow_along",
        "jobdev.handlers.move_relationship_forward",
        "jobdev.handlers.move_relationship_forward_v0",
    }


def test_renaming_a_handler_function_does_not_run_it_again(organisation, temporary_handler, recorded_only_topic):
    calls = []

    def count_enrolments(event):
        calls.append("before the rename")

    temporary_handler("tests.recorded", function=count_enrolments, name="tests.count_enrolments")
    event = emit(organisation, topic="tests.recorded", payload=RECORDED)
    events.dispatch(event.pk)
    events.unregister("tests.count_enrolments")

    def count_enrolments_renamed(event):  # same name given to @handles: the same handler
        calls.append("after the rename")

    temporary_handler("tests.recorded", function=count_enrolments_renamed, name="tests.count_enrolments")
    OutboxEvent.objects.filter(pk=event.pk).update(status="pending")  # delivered again
    events.dispatch(event.pk)
    assert calls == ["before the rename"]
    assert list(event.handlings.values_list("handler", flat=True)) == ["tests.count_enrolments"]


# Dispatching without handlers -----------------------------------------------------------


def test_an_event_whose_topic_may_have_no_handler_is_handled(organisation, recorded_only_topic):
    event = emit(organisation, topic="tests.recorded", payload=RECORDED)
    assert events.dispatch(event.pk).status == "handled"
    assert not event.handlings.exists()


def test_an_event_whose_expected_handler_is_missing_fails_visibly_and_can_be_retried(
    specialist_sam, program_admin, client_for, without_handler, temporary_handler, django_capture_on_commit_callbacks
):
    event = emit(specialist_sam.organisation, topic="placement.started", payload=STARTED)
    without_handler("placements.start_follow_along")
    without_handler("webhooks.record_deliveries")
    report = events.dispatch(event.pk)
    event.refresh_from_db()
    assert report.status == event.status == "failed"  # not "handled" with nothing run
    assert "No handler is registered for topic 'placement.started'" in event.last_error

    client = client_for(program_admin)
    listing = client.get(reverse("admin:crm_outboxevent_changelist"), {"status": "failed"}).content.decode()
    assert "placement.started" in listing
    detail = client.get(reverse("admin:crm_outboxevent_change", args=[event.pk])).content.decode()
    assert "No handler is registered for topic" in detail

    temporary_handler("placement.started", function=lambda event: None, name="tests.fixed")  # a fixed deployment
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("admin:crm_outboxevent_changelist"),
            {"action": "retry_failed_handlers", "_selected_action": [event.pk]},
        )
    event.refresh_from_db()
    assert (event.status, event.last_error) == ("pending", "")
    assert events.dispatch(event.pk).status == "handled"


def test_an_event_of_an_undeclared_topic_fails_visibly(organisation):
    event = OutboxEvent.objects.create(
        organisation=organisation, topic="placement.retired", aggregate_type="placement", aggregate_id=1, dedup_key="x"
    )
    assert events.dispatch(event.pk).status == "failed"
    event.refresh_from_db()
    assert "Topic 'placement.retired' is not declared" in event.last_error


# Start-up -------------------------------------------------------------------------------


def test_the_system_check_passes_with_the_apps_as_they_are():
    assert events.check_topics_and_handlers() == []


def test_a_topic_that_lost_its_expected_handler_stops_manage_py(without_handler):
    without_handler("placements.start_follow_along")
    without_handler("webhooks.record_deliveries")
    messages = events.check_topics_and_handlers()
    assert [(m.id, m.msg) for m in messages] == [
        ("crm.E001", "Topic 'placement.started' expects a handler but none is registered: its events would fail.")
    ]
    with pytest.raises(SystemCheckError, match="crm.E001"):
        call_command("check")


def test_a_topic_declared_without_handler_that_gets_one_is_flagged(temporary_handler, recorded_only_topic):
    temporary_handler("tests.recorded", function=lambda event: None, name="tests.recorded_handler")
    messages = events.check_topics_and_handlers()
    assert [(m.id, m.obj) for m in messages] == [("crm.W002", recorded_only_topic.declared_in)]
    assert "remove may_have_no_handler" in messages[0].hint.lower()


def test_an_app_whose_handlers_module_is_not_imported_stops_manage_py(monkeypatch):
    monkeypatch.delitem(sys.modules, "jobdev.handlers")
    messages = events.check_topics_and_handlers()
    assert [(m.id, m.obj) for m in messages] == [("crm.E003", "jobdev")]


def _start(settings_module: str, *command: str) -> subprocess.CompletedProcess:
    environment = dict(os.environ, DJANGO_SETTINGS_MODULE=settings_module)
    environment.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return subprocess.run(  # noqa: S603 - our own manage.py
        [sys.executable, *command], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize(
    "command",
    [
        ("manage.py", "check"),  # every manage.py command, the web server's migrate and collectstatic
        ("-c", "import django_dramatiq.setup"),  # what each worker process runs first
        ("-c", "import config.wsgi"),  # gunicorn
    ],
)
def test_a_misspelt_topic_in_a_handler_stops_every_process(command):
    result = _start("tests.crm.startup.settings_misspelt", *command)
    assert result.returncode != 0
    assert "Topic 'placement.startd' is not declared. Did you mean 'placement.started'?" in result.stderr


@pytest.mark.parametrize("command", ["check", "runscheduler", "rundramatiq"])
def test_a_topic_without_its_expected_handler_stops_manage_py_commands(command):
    result = _start("tests.crm.startup.settings_unhandled", "manage.py", command)
    assert result.returncode != 0
    assert "crm.E001" in result.stderr and "'tests.forgotten'" in result.stderr
