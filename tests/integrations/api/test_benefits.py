"""/api/v1/benefits-steps/: partners with `benefits:read` read the steps of people
whose consent covers benefits; with `benefits:write` they move on the steps assigned to
them, through placements.services (the same event as the app). Staff create, assign
and move on the steps of their caseload."""

from __future__ import annotations

import pytest

from crm import clock
from crm.access import StaffScope
from crm.models import OutboxEvent
from integrations.api.grants import ALL_GRANTS, BENEFITS_READ, BENEFITS_WRITE, SUPPORT_READ
from placements import services as placement_services
from placements.models import BenefitsStep
from tests.integrations.api.test_placements_fixtures import Api, assert_problem
from tests.integrations.api.world import module_world, world_for_test

URL = "/api/v1/benefits-steps/"
SHARED = ("benefits", "shared", "withdrawn", "sofias")

world = pytest.fixture(scope="module")(module_world)
api_world = pytest.fixture(world_for_test)


@pytest.fixture
def api(client):
    return Api(client)


def _ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def _steps(w, *names) -> set[int]:
    return {w.person(name).benefits_step.pk for name in names}


def _today(w):
    return clock.program_today(w.marseille.organisation)


def _step_note(w, name: str, note: str) -> BenefitsStep:
    step = w.person(name).benefits_step
    BenefitsStep.objects.filter(pk=step.pk).update(note=note)
    return step


def test_partner_reads_under_a_consent_covering_benefits(api, api_world, django_assert_max_num_queries):
    _step_note(api_world, "shared", "Worried about losing the disability allowance")
    key = api_world.issue_key("benefits", api_world.partner, {BENEFITS_READ})
    with django_assert_max_num_queries(10):
        response = api.get(URL, key, {"page_size": 200})
    assert _ids(response) == _steps(api_world, *SHARED)
    assert b"allowance" not in response.content
    row = response.json()["results"][0]
    assert row["note"] is None
    assert row["counsellor"] == api_world.partner.pk


def test_staff_read_their_scope_with_notes(api, api_world, django_assert_max_num_queries):
    _step_note(api_world, "shared", "Appointment booked")
    with django_assert_max_num_queries(10):
        rows = api.get(URL, api_world.issue_token("sam"), {"page_size": 200}).json()["results"]
    assert len(rows) == 9
    assert {row["note"] for row in rows} == {"", "Appointment booked"}


def test_list_query_count_is_constant(api, api_world, django_assert_max_num_queries):
    scope = StaffScope(api_world.staff["ada"])
    for name in ("shared", "benefits", "no_consent"):
        for _ in range(5):
            placement_services.benefits_step_create(
                scope=scope,
                job_seeker_id=api_world.person(name).job_seeker.pk,
                placement_id=None,
                reason="other",
                offered_on=_today(api_world),
                counsellor_id=api_world.partner.pk,
            )
    key = api_world.issue_key("benefits", api_world.partner, {BENEFITS_READ})
    with django_assert_max_num_queries(10):
        assert len(_ids(api.get(URL, key, {"page_size": 200}))) == 14
    with django_assert_max_num_queries(10):
        assert len(_ids(api.get(URL, api_world.issue_token("ada"), {"page_size": 200}))) == 25


@pytest.mark.parametrize("name", ["referred", "progress", "support", "expired", "no_consent", "other_partner", "lyon"])
def test_partner_gets_404_without_a_consent_covering_benefits(api, api_world, name):
    key = api_world.credentials["partner"]
    step = api_world.person(name).benefits_step
    before = BenefitsStep.objects.get(pk=step.pk).status
    assert_problem(api.get(f"{URL}{step.pk}/", key), 404)
    assert_problem(api.post(f"{URL}{step.pk}/advance/", key, {}), 404)
    step.refresh_from_db()
    assert step.status == before


def test_partner_moves_on_a_step_assigned_to_it(api, api_world):
    key = api_world.issue_key("counsellor", api_world.partner, {BENEFITS_READ, BENEFITS_WRITE})
    step = api_world.person("shared").benefits_step
    before = BenefitsStep.objects.get(pk=step.pk)
    etag = api.get(f"{URL}{step.pk}/", key)["ETag"]
    response = api.post(f"{URL}{step.pk}/advance/", key, {"note": "First session booked"}, If_Match=etag)
    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["note"]) == (before.next_status, None)
    step.refresh_from_db()
    assert (step.status, step.note) == (before.next_status, "First session booked")
    event = OutboxEvent.objects.filter(topic="benefits.step_changed", payload__benefits_step_id=step.pk).latest("pk")
    assert (event.payload["from"], event.payload["to"], event.actor) == (before.status, step.status, None)
    assert_problem(api.post(f"{URL}{step.pk}/advance/", key, {"status": "plan_in_place"}, If_Match=etag), 412)
    assert api.post(f"{URL}{step.pk}/advance/", key, {"status": "plan_in_place"}).json()["status"] == "plan_in_place"
    finished = assert_problem(api.post(f"{URL}{step.pk}/advance/", key, {}), 409, "status")
    assert finished["errors"]["status"]


def test_write_without_read_still_acts_on_its_steps(api, api_world):
    key = api_world.issue_key("write only", api_world.partner, {BENEFITS_WRITE})
    step = api_world.person("benefits").benefits_step
    assert_problem(api.get(f"{URL}{step.pk}/", key), 403)
    assert api.post(f"{URL}{step.pk}/advance/", key, {}).status_code == 200


def test_a_step_not_assigned_to_the_partner_is_404(api, api_world):
    scope = StaffScope(api_world.staff["sam"])
    step = api_world.person("shared").benefits_step
    placement_services.benefits_step_assign(scope=scope, step_id=step.pk, counsellor_id=api_world.other_partner.pk)
    key = api_world.credentials["partner"]
    assert api.get(f"{URL}{step.pk}/", key).status_code == 200  # shared, so read
    assert_problem(api.post(f"{URL}{step.pk}/advance/", key, {}), 404)
    step.refresh_from_db()
    assert step.status == api_world.person("shared").benefits_step.status


def test_partner_without_benefits_write_gets_403(api, api_world):
    key = api_world.issue_key("reader", api_world.partner, {BENEFITS_READ, SUPPORT_READ})
    step = api_world.person("shared").benefits_step
    body = assert_problem(api.post(f"{URL}{step.pk}/advance/", key, {}), 403)
    assert "benefits:write" in body["detail"]
    assert_problem(api.get(URL, api_world.issue_key("none", api_world.partner, {SUPPORT_READ})), 403)


def test_partner_cannot_create_or_assign(api, api_world):
    key = api_world.issue_key("all", api_world.partner, ALL_GRANTS)
    step = api_world.person("shared").benefits_step
    assert_problem(api.post(f"{URL}{step.pk}/assign/", key, {"counsellor": api_world.partner.pk}), 403)
    body = {"job_seeker": step.job_seeker_id, "reason": "other", "offered_on": _today(api_world).isoformat()}
    assert_problem(api.post(URL, key, body), 403)


def test_withdrawal_stops_the_partner_at_the_next_request(api, api_world):
    key = api_world.credentials["partner"]
    step = api_world.person("withdrawn").benefits_step
    api_world.withdraw("withdrawn")
    assert_problem(api.post(f"{URL}{step.pk}/advance/", key, {}), 404)


def test_staff_create_assign_and_move_on(api, api_world):
    token = api_world.issue_token("sam")
    person = api_world.person("no_consent")
    created = api.post(
        URL,
        token,
        {
            "job_seeker": person.job_seeker.pk,
            "placement": person.placement.pk,
            "reason": "terms_changed",
            "offered_on": _today(api_world).isoformat(),
        },
    )
    assert created.status_code == 201, created.content
    step = BenefitsStep.objects.get(pk=created.json()["id"])
    assert step.counsellor is None
    assigned = api.post(
        f"{URL}{step.pk}/assign/", token, {"counsellor": api_world.other_partner.pk}, If_Match=created["ETag"]
    )
    assert assigned.status_code == 200, assigned.content
    assert assigned.json()["counsellor"] == api_world.other_partner.pk
    moved = api.post(f"{URL}{step.pk}/advance/", token, {"status": "declined", "note": "Not now"})
    assert (moved.json()["status"], moved.json()["note"]) == ("declined", "Not now")
    assert (
        OutboxEvent.objects.get(topic="benefits.step_changed", payload__benefits_step_id=step.pk).actor
        == (api_world.staff["sam"])
    )


def test_assign_to_another_programs_partner_is_a_field_error(api, api_world):
    step = api_world.person("shared").benefits_step
    token = api_world.issue_token("sam")
    assert_problem(
        api.post(f"{URL}{step.pk}/assign/", token, {"counsellor": api_world.lyon_partner.pk}), 400, "counsellor"
    )
    assert_problem(api.post(f"{URL}{step.pk}/assign/", token, {"counsellor": "three"}), 400, "counsellor")
    assert_problem(api.post(f"{URL}{step.pk}/assign/", token, {}), 400, "counsellor")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"reason": "lottery"}, "reason"),
        ({"offered_on": "1999-01-01"}, "offered_on"),
        ({"offered_on": "2026-02-29"}, "offered_on"),
        ({"placement": "x"}, "placement"),
        ({"counsellor": 9223372036854775807}, "counsellor"),
        ({"job_seeker": 99999999999999999999}, "job_seeker"),
    ],
)
def test_bad_steps_are_400_on_their_field(api, api_world, changes, field):
    person = api_world.person("no_consent")
    body = {"job_seeker": person.job_seeker.pk, "reason": "other", "offered_on": _today(api_world).isoformat()}
    assert_problem(api.post(URL, api_world.issue_token("sam"), {**body, **changes}), 400, field)


def test_a_step_for_someone_elses_job_seeker_or_job_is_refused(api, api_world):
    token = api_world.issue_token("sam")
    today = _today(api_world).isoformat()
    for name in ("other_partner", "lyon", "sofias"):
        body = {"job_seeker": api_world.person(name).job_seeker.pk, "reason": "other", "offered_on": today}
        assert_problem(api.post(URL, token, body), 400, "job_seeker")
    mine = api_world.person("no_consent").job_seeker.pk
    theirs = api_world.person("shared").placement.pk
    body = {"job_seeker": mine, "placement": theirs, "reason": "other", "offered_on": today}
    assert_problem(api.post(URL, token, body), 400, "placement")


def test_filters(api, api_world):
    token = api_world.issue_token("ada")
    shared = api_world.person("shared")
    assert _ids(api.get(URL, token, {"job_seeker": shared.job_seeker.pk})) == {shared.benefits_step.pk}
    assert _ids(api.get(URL, token, {"counsellor": api_world.other_partner.pk})) == {
        api_world.person("other_partner").benefits_step.pk
    }
    assert len(_ids(api.get(URL, token, {"status": ["offered", "referred"], "reason": "before_start"}))) == 10
    assert _ids(api.get(URL, token, {"offered_on_after": "2100-01-01"})) == set()
    assert_problem(api.get(URL, token, {"status": "done"}), 400)


def test_a_partner_does_not_learn_which_other_partner_a_step_is_assigned_to(api, api_world):
    step = api_world.person("shared").benefits_step
    placement_services.benefits_step_assign(
        scope=StaffScope(api_world.staff["sam"]), step_id=step.pk, counsellor_id=api_world.other_partner.pk
    )
    key = api_world.credentials["partner"]
    assert api.get(f"{URL}{step.pk}/", key).json()["counsellor"] is None
    mine = api_world.person("benefits").benefits_step
    assert api.get(f"{URL}{mine.pk}/", key).json()["counsellor"] == api_world.partner.pk
    assert api.get(f"{URL}{step.pk}/", api_world.issue_token("sam")).json()["counsellor"] == api_world.other_partner.pk
