"""/api/v1/support-tasks/ and /api/v1/accommodations/: staff read their scope and act
through placements.services; partners with `support:read` read under a consent
covering support, never what may reveal health (task titles naming an adjustment,
adjustment descriptions, notes, cancel reasons)."""

from __future__ import annotations

import datetime

import pytest

from crm import clock
from crm.access import StaffScope
from crm.models import OutboxEvent
from integrations.api.grants import ALL_GRANTS, PLACEMENTS_READ, SUPPORT_READ
from placements import services as placement_services
from placements.models import Accommodation, SupportTask, TaskTitle
from tests.integrations.api.test_placements_fixtures import Api, assert_problem
from tests.integrations.api.world import module_world, world_for_test

TASKS = "/api/v1/support-tasks/"
ADJUSTMENTS = "/api/v1/accommodations/"
SUPPORTED = ("support", "shared", "withdrawn", "sofias")

world = pytest.fixture(scope="module")(module_world)
api_world = pytest.fixture(world_for_test)


@pytest.fixture
def api(client):
    return Api(client)


def _ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def _today(w):
    return clock.program_today(w.marseille.organisation)


def _tasks(w, *names) -> set[int]:
    return set().union(*(w.person(name).ids("support_tasks") for name in names))


def _discuss_task(w, name="shared") -> SupportTask:
    person = w.person(name)
    return placement_services.support_task_create(
        scope=StaffScope(w.staff["ada"]),
        job_seeker_id=person.job_seeker.pk,
        kind=SupportTask.Kind.ACCOMMODATION,
        title_key=TaskTitle.ACCOMMODATION_DISCUSS,
        params={"what": person.accommodation.description},
        due_date=_today(w),
        placement_id=person.placement.pk,
        accommodation_id=person.accommodation.pk,
    )


# Support tasks ------------------------------------------------------------------------


def test_staff_list_their_scopes_tasks(api, api_world, django_assert_max_num_queries):
    token = api_world.issue_token("sam")
    with django_assert_max_num_queries(10):
        seen = _ids(api.get(TASKS, token, {"page_size": 200}))
    assert api_world.person("sofias").support_task.pk in seen  # team cover
    assert not seen & _tasks(api_world, "other_partner", "lyon")
    row = api.get(f"{TASKS}{api_world.person('shared').support_task.pk}/", token).json()
    assert row["title"].startswith("Follow-along contact with Shared")
    assert row["owner"]["id"] == api_world.staff["sam"].pk


def test_task_list_query_count_is_constant(api, api_world, django_assert_max_num_queries):
    for name in ("shared", "progress", "no_consent"):
        for _ in range(5):
            _discuss_task(api_world, name)
    with django_assert_max_num_queries(10):
        rows = api.get(TASKS, api_world.issue_token("ada"), {"page_size": 200}).json()["results"]
    assert len(rows) >= 25


def test_partner_reads_tasks_under_a_consent_covering_support(api, api_world, django_assert_max_num_queries):
    _discuss_task(api_world, "shared")
    key = api_world.issue_key("support", api_world.partner, {SUPPORT_READ})
    with django_assert_max_num_queries(10):
        response = api.get(TASKS, key, {"page_size": 200})
    assert _ids(response) == _tasks(api_world, *SUPPORTED)
    # What an adjustment is, and who the worker is to the team, stay with the team.
    assert b"quiet corner" not in response.content
    for row in response.json()["results"]:
        assert row["title"] in {"Follow-along contact", "Workplace accommodation"}
        assert (row["owner"], row["completion_note"], row["cancel_reason"]) == (None, None, None)
        # The type of support and who gave it may reveal health ("the mental-health team").
        assert (row["support_type"], row["given_by"]) == (None, None)


def test_a_partner_never_reads_the_support_given(api, api_world):
    task = api_world.person("shared").support_task
    placement_services.support_task_complete(
        scope=StaffScope(api_world.staff["sam"]),
        task_id=task.pk,
        completed_on=_today(api_world),
        mode="in_person",
        place="community",
        support_type="health_team",
        given_by="health_team",
    )
    staff_row = api.get(f"{TASKS}{task.pk}/", api_world.issue_token("sam")).json()
    assert (staff_row["place"], staff_row["support_type"], staff_row["given_by"]) == (
        "community",
        "health_team",
        "health_team",
    )
    key = api_world.issue_key("support", api_world.partner, {SUPPORT_READ})
    partner_row = api.get(f"{TASKS}{task.pk}/", key).json()
    assert (partner_row["place"], partner_row["support_type"], partner_row["given_by"]) == ("community", None, None)


@pytest.mark.parametrize("name", ["referred", "progress", "benefits", "expired", "no_consent", "other_partner", "lyon"])
def test_partner_gets_404_without_a_consent_covering_support(api, api_world, name):
    key = api_world.issue_key("support", api_world.partner, {SUPPORT_READ})
    assert_problem(api.get(f"{TASKS}{api_world.person(name).support_task.pk}/", key), 404)
    assert_problem(api.get(f"{ADJUSTMENTS}{api_world.person(name).accommodation.pk}/", key), 404)


def test_partner_without_support_read_gets_403(api, api_world):
    key = api_world.issue_key("placements", api_world.partner, {PLACEMENTS_READ})
    assert_problem(api.get(TASKS, key), 403)
    assert_problem(api.get(ADJUSTMENTS, key), 403)


def test_partner_keys_cannot_act(api, api_world):
    key = api_world.credentials["partner"]
    task = api_world.person("shared").support_task
    body = {"completed_on": _today(api_world).isoformat(), "completion_mode": "phone"}
    assert_problem(api.post(f"{TASKS}{task.pk}/complete/", key, body), 403)
    accommodation = api_world.person("shared").accommodation
    assert_problem(api.post(f"{ADJUSTMENTS}{accommodation.pk}/advance/", key, {}), 403)
    assert_problem(api.post(ADJUSTMENTS, key, {"placement": accommodation.placement_id, "description": "x"}), 403)


def test_withdrawal_hides_tasks_at_the_next_request(api, api_world):
    key = api_world.issue_key("support", api_world.partner, {SUPPORT_READ})
    task = api_world.person("withdrawn").support_task
    assert api.get(f"{TASKS}{task.pk}/", key).status_code == 200
    api_world.withdraw("withdrawn")
    assert_problem(api.get(f"{TASKS}{task.pk}/", key), 404)


def test_complete_with_if_match(api, api_world):
    token = api_world.issue_token("sam")
    task = api_world.person("shared").support_task
    etag = api.get(f"{TASKS}{task.pk}/", token)["ETag"]
    body = {
        "completed_on": _today(api_world).isoformat(),
        "completion_mode": "in_person",
        "place": "workplace",
        "support_type": "employer",
        "given_by": "workplace",
        "completion_note": "Fine",
    }
    assert_problem(api.post(f"{TASKS}{task.pk}/complete/", token, body, If_Match='"stale"'), 412)
    done = api.post(f"{TASKS}{task.pk}/complete/", token, body, If_Match=etag)
    assert done.status_code == 200, done.content
    row = done.json()
    assert (row["status"], row["completion_note"], row["place"], row["support_type"], row["given_by"]) == (
        "done",
        "Fine",
        "workplace",
        "employer",
        "workplace",
    )
    task.refresh_from_db()
    assert (task.status, task.completion_mode, task.sequence) == ("done", "in_person", 1)
    assert (task.place, task.support_type, task.given_by) == ("workplace", "employer", "workplace")
    assert_problem(api.post(f"{TASKS}{task.pk}/complete/", token, body), 409)  # done already: a state conflict


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"completed_on": "2099-01-01", "completion_mode": "phone", "support_type": "coping"}, "completed_on"),
        ({"completed_on": "3000-01-01", "completion_mode": "phone", "support_type": "coping"}, "completed_on"),
        ({"completed_on": "2026-11-31", "completion_mode": "phone", "support_type": "coping"}, "completed_on"),
        ({"completed_on": "2026-11-01", "completion_mode": "telepathy", "support_type": "coping"}, "completion_mode"),
        ({"completed_on": "2026-11-01", "support_type": "coping"}, "completion_mode"),
        # A follow-along contact says what support was given, from the list.
        ({"completed_on": "2026-11-01", "completion_mode": "phone"}, "support_type"),
        ({"completed_on": "2026-11-01", "completion_mode": "phone", "support_type": "magic"}, "support_type"),
        ({"completed_on": "2026-11-01", "completion_mode": "phone", "support_type": None}, "support_type"),
        (
            {"completed_on": "2026-11-01", "completion_mode": "phone", "support_type": "coping", "given_by": "cat"},
            "given_by",
        ),
        # A place only for a contact in person, from the list.
        (
            {"completed_on": "2026-11-01", "completion_mode": "phone", "support_type": "coping", "place": "office"},
            "place",
        ),
        (
            {"completed_on": "2026-11-01", "completion_mode": "in_person", "support_type": "coping", "place": "moon"},
            "place",
        ),
    ],
)
def test_bad_completions_are_400_and_change_nothing(api, api_world, body, field):
    task = api_world.person("shared").support_task
    assert_problem(api.post(f"{TASKS}{task.pk}/complete/", api_world.issue_token("sam"), body), 400, field)
    task.refresh_from_db()
    assert (task.status, task.support_type, task.place) == ("open", "", "")


def test_schedule_an_appointment(api, api_world):
    token = api_world.issue_token("sam")
    task = api_world.person("shared").support_task
    day = (_today(api_world) + datetime.timedelta(days=2)).isoformat()
    response = api.post(f"{TASKS}{task.pk}/schedule/", token, {"due_date": day, "due_time": "10:30"})
    assert response.status_code == 200, response.content
    assert (response.json()["due_time"], response.json()["duration_minutes"]) == ("10:30:00", 60)
    assert_problem(
        api.post(f"{TASKS}{task.pk}/schedule/", token, {"due_date": day, "duration_minutes": 721}),
        400,
        "duration_minutes",
    )
    assert_problem(
        api.post(f"{TASKS}{task.pk}/schedule/", token, {"due_date": day, "due_time": "25:00"}), 400, "due_time"
    )


def test_an_integer_may_be_written_with_a_zero_fraction(api, api_world):
    """OpenAPI 3.1's JSON Schema counts 45.0 as an integer, so the API takes it; 45.5 is
    not one (400 on the field)."""
    token = api_world.issue_token("sam")
    task = api_world.person("shared").support_task
    day = (_today(api_world) + datetime.timedelta(days=2)).isoformat()
    assert_problem(
        api.post(f"{TASKS}{task.pk}/schedule/", token, {"due_date": day, "duration_minutes": 45.5}),
        400,
        "duration_minutes",
    )
    response = api.post(f"{TASKS}{task.pk}/schedule/", token, {"due_date": day, "duration_minutes": 45.0})
    assert response.status_code == 200, response.content
    assert response.json()["duration_minutes"] == 45


def test_a_team_mates_task_is_read_not_completed(api, api_world):
    token = api_world.issue_token("sam")
    task = api_world.person("sofias").support_task
    body = {"completed_on": _today(api_world).isoformat(), "completion_mode": "phone"}
    assert_problem(api.post(f"{TASKS}{task.pk}/complete/", token, body), 404)
    assert_problem(api.post(f"{TASKS}{api_world.person('lyon').support_task.pk}/complete/", token, body), 404)


def test_task_filters(api, api_world):
    token = api_world.issue_token("ada")
    shared = api_world.person("shared")
    assert _ids(api.get(TASKS, token, {"job_seeker": shared.job_seeker.pk})) == {shared.support_task.pk}
    assert _ids(api.get(TASKS, token, {"placement": shared.placement.pk, "kind": "follow_along"})) == {
        shared.support_task.pk
    }
    assert _ids(api.get(TASKS, token, {"status": "done"})) == set()
    assert len(_ids(api.get(TASKS, token, {"specialist": api_world.staff["bob"].pk}))) == 1
    assert _ids(api.get(TASKS, token, {"due_date_before": "2001-01-01"})) == set()
    assert_problem(api.get(TASKS, token, {"kind": "chores"}), 400)
    assert_problem(api.get(TASKS, token, {"due_date_after": "soon"}), 400)


# Accommodations -----------------------------------------------------------------------


def test_partner_reads_adjustments_status_and_dates_only(api, api_world, django_assert_max_num_queries):
    key = api_world.issue_key("support", api_world.partner, {SUPPORT_READ})
    with django_assert_max_num_queries(10):
        response = api.get(ADJUSTMENTS, key, {"page_size": 200})
    assert _ids(response) == {api_world.person(name).accommodation.pk for name in SUPPORTED}
    assert b"quiet corner" not in response.content
    for row in response.json()["results"]:
        assert (row["description"], row["note"], row["worker_consents_to_disclosure"]) == (None, None, None)
        assert row["status"] == "identified"
        assert row["updated_at"]


def test_staff_read_adjustments_in_full(api, api_world, django_assert_max_num_queries):
    token = api_world.issue_token("sam")
    with django_assert_max_num_queries(10):
        rows = api.get(ADJUSTMENTS, token, {"page_size": 200}).json()["results"]
    assert {row["description"] for row in rows} == {"A quiet corner for breaks"}
    assert len(rows) == 9
    shared = api_world.person("shared")
    assert next(row for row in rows if row["id"] == shared.accommodation.pk)["job_seeker"] == shared.job_seeker.pk


def test_add_and_advance_an_adjustment_emit_the_uis_events(api, api_world):
    token = api_world.issue_token("sam")
    placement = api_world.person("no_consent").placement
    created = api.post(ADJUSTMENTS, token, {"placement": placement.pk, "description": "Written instructions"})
    assert created.status_code == 201, created.content
    accommodation = Accommodation.objects.get(pk=created.json()["id"])
    events = OutboxEvent.objects.filter(
        topic="accommodation.status_changed", payload__accommodation_id=accommodation.pk
    )
    assert [(e.payload["from"], e.payload["to"]) for e in events] == [("", "identified")]
    moved = api.post(
        f"{ADJUSTMENTS}{accommodation.pk}/advance/", token, {"note": "Talked it through"}, If_Match=created["ETag"]
    )
    assert moved.status_code == 200, moved.content
    assert moved.json()["status"] == "discussed"
    refused = assert_problem(
        api.post(f"{ADJUSTMENTS}{accommodation.pk}/advance/", token, {"status": "requested"}, If_Match=moved["ETag"]),
        400,
        "status",
    )
    assert "consent" in refused["errors"]["status"][0]
    assert_problem(api.post(f"{ADJUSTMENTS}{accommodation.pk}/advance/", token, {}, If_Match=created["ETag"]), 412)
    consented = api.post(
        f"{ADJUSTMENTS}{accommodation.pk}/advance/",
        token,
        {"status": "requested", "worker_consents_to_disclosure": True},
        If_Match=moved["ETag"],
    )
    assert consented.json()["status"] == "requested"
    events = events.all()  # read again
    assert [(e.payload["from"], e.payload["to"]) for e in events.order_by("pk")] == [
        ("", "identified"),
        ("identified", "discussed"),
        ("discussed", "requested"),
    ]
    assert events.order_by("pk").last().actor == api_world.staff["sam"]


def test_adjustments_on_other_caseloads_are_refused(api, api_world):
    token = api_world.issue_token("sam")
    for name in ("other_partner", "lyon", "sofias"):
        person = api_world.person(name)
        assert_problem(
            api.post(ADJUSTMENTS, token, {"placement": person.placement.pk, "description": "x"}), 400, "placement"
        )
    assert_problem(api.post(f"{ADJUSTMENTS}{api_world.person('lyon').accommodation.pk}/advance/", token, {}), 404)
    assert_problem(api.post(f"{ADJUSTMENTS}{api_world.person('sofias').accommodation.pk}/advance/", token, {}), 404)


@pytest.mark.parametrize(
    "body",
    [
        {"placement": "x", "description": "x"},
        {"placement": 99999999999999999999, "description": "x"},
        {"placement": 1, "description": "x" * 301},
        {"placement": 1},
    ],
)
def test_bad_adjustments_are_400(api, api_world, body):
    assert_problem(api.post(ADJUSTMENTS, api_world.issue_token("sam"), body), 400)


def test_partner_sync_meets_adjustments_newly_shared(api, api_world):
    from crm import services as crm_services

    key = api_world.issue_key("support", api_world.partner, {SUPPORT_READ})
    first = api.get(ADJUSTMENTS, key, {"page_size": 200}).json()
    crm_services.sharing_consent_record(
        scope=StaffScope(api_world.staff["sam"]),
        job_seeker_id=api_world.person("progress").job_seeker.pk,
        partner_id=api_world.partner.pk,
        consent={
            "shares_progress": True,
            "shares_support": True,
            "shares_benefits": False,
            "consented_by": "The job seeker",
            "consented_on": _today(api_world),
            "valid_until": None,
        },
    )
    later = api.get(ADJUSTMENTS, key, {"cursor": first["cursor"]}).json()["results"]
    assert [row["id"] for row in later] == [api_world.person("progress").accommodation.pk]


def test_every_grant_key_reads_nothing_more(api, api_world):
    key = api_world.issue_key("all", api_world.partner, ALL_GRANTS)
    assert _ids(api.get(ADJUSTMENTS, key, {"page_size": 200})) == {
        api_world.person(name).accommodation.pk for name in SUPPORTED
    }


@pytest.mark.parametrize("value", ["-5.407542060044205e+98", "1e400", "0", "2.5", "9223372036854775808"])
def test_ids_that_cannot_be_ids_find_nothing(api, api_world, value):
    token = api_world.issue_token("ada")
    for path in (TASKS, ADJUSTMENTS):
        response = api.get(path, token, {"placement": value, "job_seeker": value})
        assert response.status_code == 200, response.content
        assert response.json()["results"] == []


@pytest.mark.parametrize("param", ["due_date_before", "placement", "status", "kind"])
def test_a_filter_given_empty_is_400(api, api_world, param):
    assert_problem(api.get(TASKS, api_world.issue_token("sam"), {param: ""}), 400)
