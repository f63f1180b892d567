"""/api/v1/placements/ with their milestones: staff read their scope and act through
placements.services (offer, start, terms, end) with the UI's events and audit history;
partners with `placements:read` read under a consent covering progress, without what
may reveal health."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from crm import clock
from crm import services as crm_services
from crm.access import StaffScope
from crm.models import OutboxEvent
from integrations.api.grants import ALL_GRANTS, PLACEMENTS_READ, SUPPORT_READ
from placements import services as placement_services
from placements.models import Placement
from tests.integrations.api.test_placements_fixtures import Api, assert_problem
from tests.integrations.api.world import module_world, world_for_test

URL = "/api/v1/placements/"

world = pytest.fixture(scope="module")(module_world)
api_world = pytest.fixture(world_for_test)


@pytest.fixture
def api(client):
    return Api(client)


def _ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def _placements(w, *names) -> set[int]:
    return {w.person(name).placement.pk for name in names}


def _today(w):
    return clock.program_today(w.marseille.organisation)


def test_staff_read_their_scope(api, api_world, django_assert_max_num_queries):
    token = api_world.issue_token("sam")
    with django_assert_max_num_queries(12):
        seen = _ids(api.get(URL, token, {"page_size": 200}))
    # Sam's caseload and, with team cover, Sofia's; not Bob's (team B) nor Lyon's.
    mine = ["referred", "progress", "support", "benefits", "shared", "withdrawn", "expired", "no_consent", "sofias"]
    assert seen == _placements(api_world, *mine)
    row = api.get(f"{URL}{api_world.person('shared').placement.pk}/", token).json()
    assert row["employer"] == {"id": api_world.marseille.employer.pk, "name": api_world.marseille.employer.name}
    assert row["specialist"]["id"] == api_world.staff["sam"].pk
    assert [m["name"] for m in row["milestones"]] == ["day_3", "week_1", "day_30", "day_90", "day_182", "day_365"]


def test_program_admin_list_query_count_is_constant(api, api_world, django_assert_max_num_queries):
    token = api_world.issue_token("ada")
    with django_assert_max_num_queries(12):
        rows = api.get(URL, token, {"page_size": 200}).json()["results"]
    assert len(rows) == 10  # every Marseille person's job


def test_partner_reads_under_a_consent_covering_progress(api, api_world, django_assert_max_num_queries):
    key = api_world.issue_key("reader", api_world.partner, {PLACEMENTS_READ})
    with django_assert_max_num_queries(12):
        seen = _ids(api.get(URL, key, {"page_size": 200}))
    assert seen == _placements(api_world, "progress", "shared", "withdrawn", "sofias")
    row = api.get(f"{URL}{api_world.person('progress').placement.pk}/", key).json()
    assert (row["employer"], row["site"], row["specialist"]) == (None, None, None)
    assert row["status"] == "active"
    assert len(row["milestones"]) == 6


@pytest.mark.parametrize("name", ["referred", "support", "benefits", "expired", "no_consent", "other_partner", "lyon"])
def test_partner_gets_404_without_a_consent_covering_progress(api, api_world, name):
    key = api_world.issue_key("reader", api_world.partner, {PLACEMENTS_READ})
    assert_problem(api.get(f"{URL}{api_world.person(name).placement.pk}/", key), 404)


def test_a_withdrawn_consent_takes_effect_at_the_next_request(api, api_world):
    key = api_world.issue_key("reader", api_world.partner, {PLACEMENTS_READ})
    path = f"{URL}{api_world.person('withdrawn').placement.pk}/"
    assert api.get(path, key).status_code == 200
    api_world.withdraw("withdrawn")
    assert_problem(api.get(path, key), 404)
    assert api_world.person("withdrawn").placement.pk not in _ids(api.get(URL, key))


def test_partner_without_the_grant_gets_403(api, api_world):
    key = api_world.issue_key("support only", api_world.partner, {SUPPORT_READ})
    body = assert_problem(api.get(URL, key), 403)
    assert "placements:read" in body["detail"]


def test_partner_keys_cannot_write(api, api_world):
    key = api_world.issue_key("everything", api_world.partner, ALL_GRANTS)
    placement = api_world.person("shared").placement
    assert_problem(api.post(f"{URL}{placement.pk}/end/", key, {"end_date": "2026-11-01", "end_reason": "fired"}), 403)
    assert_problem(api.post(URL, key, {}), 403)


def test_health_end_reasons_are_generalised_for_partners(api, api_world):
    placement = api_world.person("shared").placement
    placement_services.placement_end(
        scope=StaffScope(api_world.staff["sam"]),
        placement_id=placement.pk,
        end_date=_today(api_world),
        end_reason=Placement.EndReason.QUIT_HEALTH,
    )
    key = api_world.issue_key("reader", api_world.partner, {PLACEMENTS_READ})
    assert api.get(f"{URL}{placement.pk}/", key).json()["end_reason"] == "quit"
    staff = api.get(f"{URL}{placement.pk}/", api_world.issue_token("sam")).json()
    assert staff["end_reason"] == "quit_health"
    assert b"quit_health" not in api.get(URL, key, {"status": "ended"}).content


def test_other_caseloads_and_programs_are_404_for_staff(api, api_world):
    token = api_world.issue_token("sam")
    for name in ("other_partner", "lyon"):
        placement = api_world.person(name).placement
        assert_problem(api.get(f"{URL}{placement.pk}/", token), 404)
        assert_problem(
            api.post(f"{URL}{placement.pk}/end/", token, {"end_date": "2026-11-01", "end_reason": "fired"}), 404
        )


def test_a_team_mates_placement_is_read_not_changed(api, api_world):
    token = api_world.issue_token("sam")
    placement = api_world.person("sofias").placement
    assert api.get(f"{URL}{placement.pk}/", token).status_code == 200
    body = {"end_date": _today(api_world).isoformat(), "end_reason": "fired"}
    assert_problem(api.post(f"{URL}{placement.pk}/end/", token, body), 404)


def test_filters(api, api_world):
    token = api_world.issue_token("ada")
    shared = api_world.person("shared")
    assert _ids(api.get(URL, token, {"job_seeker": shared.job_seeker.pk})) == {shared.placement.pk}
    assert _ids(api.get(URL, token, {"status": "ended"})) == set()
    assert len(_ids(api.get(URL, token, {"specialist": api_world.staff["bob"].pk}))) == 1
    assert len(_ids(api.get(URL, token, {"employer": api_world.marseille.employer.pk, "page_size": 200}))) == 10
    today = _today(api_world)
    assert _ids(api.get(URL, token, {"start_date_after": (today + datetime.timedelta(days=1)).isoformat()})) == set()
    assert len(_ids(api.get(URL, token, {"offer_date_before": today.isoformat(), "page_size": 200}))) == 10


def test_partner_filters_on_staff_fields_do_nothing(api, api_world):
    key = api_world.issue_key("reader", api_world.partner, {PLACEMENTS_READ})
    everything = _ids(api.get(URL, key))
    assert _ids(api.get(URL, key, {"employer": 1, "specialist": 1})) == everything


@pytest.mark.parametrize(
    "params", [{"status": "lost"}, {"offer_date_after": "yesterday"}, {"job_seeker": "me"}, {"page_size": "500"}]
)
def test_bad_filters_are_400(api, api_world, params):
    assert_problem(api.get(URL, api_world.issue_token("sam"), params), 400)


def _offer(w, name="no_consent", **changes):
    return {
        "job_seeker": w.person(name).job_seeker.pk,
        "employer": w.marseille.employer.pk,
        "site": w.marseille.site.pk,
        "job_title": "Baker's assistant",
        "job_type": "kitchen_helper",
        "is_competitive": True,
        "term": "permanent",
        "hours_per_week": "15.5",
        "hourly_pay": "12.10",
        "offer_date": _today(w).isoformat(),
        **changes,
    }


def test_offer_start_terms_end_emit_the_uis_events_and_history(api, api_world):
    token = api_world.issue_token("sam")
    sam = api_world.staff["sam"]
    created = api.post(URL, token, _offer(api_world))
    assert created.status_code == 201, created.content
    placement = Placement.objects.get(pk=created.json()["id"])
    assert created.json()["status"] == "offer_accepted"
    assert OutboxEvent.objects.get(topic="placement.offer_accepted", aggregate_id=placement.pk).actor == sam
    etag = created["ETag"]
    today = _today(api_world).isoformat()

    started = api.post(f"{URL}{placement.pk}/start/", token, {"start_date": today}, If_Match=etag)
    assert started.status_code == 200, started.content
    assert started.json()["status"] == "active"
    assert len(started.json()["milestones"]) == 6
    assert OutboxEvent.objects.filter(topic="placement.started", aggregate_id=placement.pk).count() == 1
    placement.job_seeker.refresh_from_db()
    assert placement.job_seeker.status == "working"

    terms = api.post(
        f"{URL}{placement.pk}/change-terms/",
        token,
        {"hours_per_week": "20.0", "hourly_pay": "12.10", "effective_on": today},
        If_Match=started["ETag"],
    )
    assert terms.status_code == 200, terms.content
    event = OutboxEvent.objects.get(topic="placement.terms_changed", aggregate_id=placement.pk)
    assert event.payload["new"]["hours_per_week"] == "20.0"

    ended = api.post(
        f"{URL}{placement.pk}/end/", token, {"end_date": today, "end_reason": "laid_off"}, If_Match=terms["ETag"]
    )
    assert ended.status_code == 200, ended.content
    assert ended.json()["end_reason"] == "laid_off"
    assert (
        OutboxEvent.objects.get(topic="placement.ended", aggregate_id=placement.pk).payload["end_reason"] == "laid_off"
    )
    history = list(placement.history.order_by("history_date").values_list("status", "history_user_id"))
    assert [status for status, _user in history] == ["offer_accepted", "active", "active", "ended"]


def test_start_with_a_stale_etag_is_412_and_changes_nothing(api, api_world):
    token = api_world.issue_token("sam")
    created = api.post(URL, token, _offer(api_world))
    placement_id = created.json()["id"]
    stale = created["ETag"]
    api.post(
        f"{URL}{placement_id}/change-terms/",
        token,
        {"hours_per_week": "30", "hourly_pay": "12.10", "effective_on": _today(api_world).isoformat()},
    )
    body = assert_problem(
        api.post(f"{URL}{placement_id}/start/", token, {"start_date": _today(api_world).isoformat()}, If_Match=stale),
        412,
    )
    assert body["type"].endswith("precondition-failed")
    assert Placement.objects.get(pk=placement_id).status == "offer_accepted"
    assert not OutboxEvent.objects.filter(topic="placement.started", aggregate_id=placement_id).exists()


def test_offer_for_someone_elses_job_seeker_is_a_field_error(api, api_world):
    token = api_world.issue_token("sam")
    assert_problem(api.post(URL, token, _offer(api_world, "other_partner")), 400, "job_seeker")
    assert_problem(api.post(URL, token, _offer(api_world, "sofias")), 400, "job_seeker")
    assert_problem(
        api.post(URL, token, _offer(api_world, job_seeker=api_world.person("lyon").job_seeker.pk)), 400, "job_seeker"
    )


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"employer": 99999999999999999999}, "employer"),
        ({"employer": 9223372036854775807}, "employer"),
        ({"site": 9223372036854775807}, "site"),
        ({"job_type": "astronaut"}, "job_type"),
        ({"hours_per_week": "81"}, "hours_per_week"),
        ({"hourly_pay": "-1"}, "hourly_pay"),
        ({"offer_date": "2026-02-30"}, "offer_date"),
        ({"offer_date": "1999-12-31"}, "offer_date"),
        ({"offer_date": "10000-01-01"}, "offer_date"),
        ({"expected_start_date": "2000-01-01"}, "expected_start_date"),
        ({"job_title": ["a", "list"]}, "job_title"),
        ({"job_title": 12}, "job_title"),
        ({"hours_per_week": 20}, "hours_per_week"),
        ({"is_competitive": "yes"}, "is_competitive"),
        ({"is_competitive": None}, "is_competitive"),
        ({"term": "forever"}, "term"),
        ({"term": ""}, "term"),
        ({"job_seeker": "12"}, "job_seeker"),
        ({"offer_date": 20261130}, "offer_date"),
    ],
)
def test_bad_offers_are_400_on_their_field(api, api_world, changes, field):
    assert_problem(api.post(URL, api_world.issue_token("sam"), _offer(api_world, **changes)), 400, field)


@pytest.mark.parametrize("missing", ["is_competitive", "term"])
def test_an_offer_says_whether_the_job_is_competitive_and_permanent(api, api_world, missing):
    """Asked on every job, never assumed (fidelity item "competitive jobs")."""
    body = _offer(api_world)
    del body[missing]
    before = Placement.objects.count()
    assert_problem(api.post(URL, api_world.issue_token("sam"), body), 400, missing)
    assert Placement.objects.count() == before


def test_an_offer_records_both_answers(api, api_world):
    created = api.post(URL, api_world.issue_token("sam"), _offer(api_world, is_competitive=False, term="temporary"))
    assert created.status_code == 201, created.content
    assert (created.json()["is_competitive"], created.json()["term"]) == (False, "temporary")
    placement = Placement.objects.get(pk=created.json()["id"])
    assert (placement.is_competitive, placement.term) == (False, "temporary")


def test_another_programs_employer_is_a_field_error(api, api_world):
    body = _offer(api_world, employer=api_world.lyon.employer.pk, site=None)
    assert_problem(api.post(URL, api_world.issue_token("sam"), body), 400, "employer")


@pytest.mark.parametrize(
    ("action", "body", "field"),
    [
        ("start", {"start_date": "yesterday"}, "start_date"),
        ("end", {"end_date": "2026-11-01", "end_reason": "bored"}, "end_reason"),
        ("end", {"end_date": "1900-01-01", "end_reason": "fired"}, "end_date"),
        (
            "change-terms",
            {"hours_per_week": None, "hourly_pay": "12.00", "effective_on": "2026-11-30"},
            "hours_per_week",
        ),
    ],
)
def test_bad_actions_are_400(api, api_world, action, body, field):
    placement = api_world.person("shared").placement
    fields = (field,) if field else ()
    assert_problem(api.post(f"{URL}{placement.pk}/{action}/", api_world.issue_token("sam"), body), 400, *fields)


def test_an_action_not_possible_now_is_a_409_conflict_in_english_and_french(api, api_world):
    placement = api_world.person("shared").placement  # already started
    path, token = f"{URL}{placement.pk}/start/", api_world.issue_token("sam")
    body = {"start_date": _today(api_world).isoformat()}
    english = assert_problem(api.post(path, token, body), 409)
    french = assert_problem(api.post(path, token, body, Accept_Language="fr"), 409)
    assert english["type"].endswith(":state-conflict")
    unchanged = {"hours_per_week": "20.0", "hourly_pay": "12.00", "effective_on": "2026-11-30"}
    assert_problem(api.post(f"{URL}{placement.pk}/change-terms/", token, unchanged), 409)
    assert english["detail"] == "This job is working: that action is not possible now."
    assert french["detail"] != english["detail"]
    assert french["errors"]["non_field_errors"] == [french["detail"]]


def test_partner_incremental_sync_meets_a_newly_consented_placement(api, api_world):
    key = api_world.issue_key("reader", api_world.partner, {PLACEMENTS_READ})
    first = api.get(URL, key, {"page_size": 200}).json()
    assert api.get(URL, key, {"cursor": first["cursor"]}).json()["results"] == []
    # A consent covering progress for "support" (which covered support only) is recorded.
    crm_services.sharing_consent_record(
        scope=StaffScope(api_world.staff["sam"]),
        job_seeker_id=api_world.person("support").job_seeker.pk,
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
    later = api.get(URL, key, {"cursor": first["cursor"]}).json()["results"]
    assert [row["id"] for row in later] == [api_world.person("support").placement.pk]


def test_staff_sync_meets_a_milestone_reached(api, api_world):
    token = api_world.issue_token("sam")
    first = api.get(URL, token, {"page_size": 200}).json()
    assert api.get(URL, token, {"cursor": first["cursor"]}).json()["results"] == []
    placement_services.milestones_emit_due(today=_today(api_world) + datetime.timedelta(days=30))
    later = {row["id"] for row in api.get(URL, token, {"cursor": first["cursor"], "page_size": 200}).json()["results"]}
    assert api_world.person("shared").placement.pk in later


def test_the_offer_keeps_decimal_values(api, api_world):
    created = api.post(URL, api_world.issue_token("sam"), _offer(api_world, hours_per_week="17.5"))
    assert Placement.objects.get(pk=created.json()["id"]).hours_per_week == Decimal("17.5")
    assert created.json()["hours_per_week"] == "17.5"


def test_a_replayed_start_answers_the_first_response_and_starts_once(api, api_world):
    token = api_world.issue_token("sam")
    placement_id = api.post(URL, token, _offer(api_world)).json()["id"]
    body = {"start_date": _today(api_world).isoformat()}
    first = api.post(f"{URL}{placement_id}/start/", token, body, Idempotency_Key="start-77")
    again = api.post(f"{URL}{placement_id}/start/", token, body, Idempotency_Key="start-77")
    assert first.status_code == again.status_code == 200
    assert again["Idempotent-Replayed"] == "true"
    assert first.json() == again.json()
    assert OutboxEvent.objects.filter(topic="placement.started", aggregate_id=placement_id).count() == 1


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_placements_are_changed_by_their_actions_only(api, api_world, method):
    placement = api_world.person("shared").placement
    response = getattr(api.client, method)(
        f"{URL}{placement.pk}/",
        data="{}",
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {api_world.issue_token('sam')}",
    )
    assert_problem(response, 405)


@pytest.mark.parametrize("value", ["30/11/2026", "11/30/2026", "2026-11-30T00:00:00Z", "20261130"])
def test_days_in_filters_are_iso_dates_only(api, api_world, value):
    assert_problem(api.get(URL, api_world.issue_token("sam"), {"start_date_before": value}), 400, "start_date_before")
