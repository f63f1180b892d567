"""/api/v1/events/: program admins read the program's events; partners the topics
shared with partners (integrations.api.disclosure.PARTNER_TOPICS) about the people they
see, by consent and grant, with the allow-listed partner payload; staff payloads
without notes. More in test_partner_disclosure.py."""

import itertools

import pytest

from crm.models import OutboxEvent
from tests.factories import JobSeekerFactory, PlacementFactory, SharingConsentFactory
from tests.integrations.api.core_fixtures import *  # noqa: F403
from tests.integrations.api.core_fixtures import bearer

pytestmark = pytest.mark.django_db

_dedup = itertools.count()


def emit(topic, person, *, placement=None, **payload):
    if placement is not None:
        aggregate = ("placement", placement.pk)
        payload = {"placement_id": placement.pk, "job_seeker_id": person.pk, **payload}
    else:
        aggregate = ("jobseeker", person.pk)
        payload = {"job_seeker_id": person.pk, **payload}
    return OutboxEvent.objects.create(
        organisation_id=person.organisation_id,
        topic=topic,
        aggregate_type=aggregate[0],
        aggregate_id=aggregate[1],
        payload=payload,
        dedup_key=f"test:{next(_dedup)}",
    )


def topics(response):
    assert response.status_code == 200, response.content
    return sorted((row["topic"], row["aggregate_id"]) for row in response.json()["results"])


@pytest.fixture
def world(partner, specialist_sam, specialist_bob):
    progress = JobSeekerFactory(specialist=specialist_sam)
    SharingConsentFactory(job_seeker=progress, partner=partner, shares_progress=True)
    benefits = JobSeekerFactory(specialist=specialist_sam)
    SharingConsentFactory(job_seeker=benefits, partner=partner, shares_progress=False, shares_benefits=True)
    referred = JobSeekerFactory(specialist=specialist_bob, referred_by_partner=partner)
    stranger = JobSeekerFactory(specialist=specialist_bob)
    jobs = {p: PlacementFactory(job_seeker=p) for p in (progress, benefits, referred, stranger)}
    events = {
        "progress_started": emit("placement.started", progress, placement=jobs[progress], start_date="2026-11-23"),
        "progress_enrolled": emit("jobseeker.enrolled", progress, reentry=False),
        "benefits_started": emit("placement.started", benefits, placement=jobs[benefits]),
        "benefits_step": emit(
            "benefits.step_changed", benefits, placement=jobs[benefits], benefits_step_id=5, note="private", to="done"
        ),
        "referred_started": emit("placement.started", referred, placement=jobs[referred]),
        "referred_reassigned": emit(
            "jobseeker.reassigned", referred, from_specialist_id=specialist_bob.pk, to_specialist_id=specialist_sam.pk
        ),
        "stranger_started": emit("placement.started", stranger, placement=jobs[stranger]),
        "contact_held": OutboxEvent.objects.create(
            organisation_id=stranger.organisation_id,
            topic="employer_contact.held",
            aggregate_type="employer_contact",
            aggregate_id=1,
            payload={"employer_id": 1},
            dedup_key="test:contact",
        ),
    }
    return events


def test_program_admins_read_every_event_of_the_program(api, program_admin, issue_token, world, specialist_louis):
    emit("jobseeker.enrolled", JobSeekerFactory(specialist=specialist_louis))
    body = api.get("/api/v1/events/", **bearer(issue_token(program_admin))).json()
    assert sorted(row["id"] for row in body["results"]) == sorted(event.pk for event in world.values())


def test_other_staff_read_no_events(api, specialist_sam, issue_token, world):
    assert topics(api.get("/api/v1/events/", **bearer(issue_token(specialist_sam)))) == []


def test_partners_read_events_by_consent_area_and_grant(api, partner, issue_key, world):
    key = bearer(issue_key(partner, ["events:read", "jobseekers:read", "placements:read", "benefits:read"]))
    got = {row["id"] for row in api.get("/api/v1/events/", **key).json()["results"]}
    # jobseeker.reassigned has no partner payload: never shown to partners.
    expected = {"progress_started", "progress_enrolled", "benefits_step"}
    assert got == {world[name].pk for name in expected}
    # Without the area's read grant, not its events either.
    narrow = bearer(issue_key(partner, ["events:read", "jobseekers:read"]))
    got = {row["id"] for row in api.get("/api/v1/events/", **narrow).json()["results"]}
    assert got == set()


def test_events_need_the_grant(api, partner, issue_key, world):
    assert api.get("/api/v1/events/", **bearer(issue_key(partner, ["jobseekers:read"]))).status_code == 403


def test_payloads_keep_ids_and_facts_never_notes_nor_staff_for_partners(
    api, partner, issue_key, program_admin, issue_token, world
):
    key = bearer(issue_key(partner, ["events:read", "jobseekers:read", "benefits:read"]))
    step = api.get(f"/api/v1/events/{world['benefits_step'].pk}/", **key).json()
    assert step["payload"] == {
        "placement_id": world["benefits_step"].aggregate_id,
        "job_seeker_id": world["benefits_step"].payload["job_seeker_id"],
        "benefits_step_id": 5,
        "from_status": None,
        "to_status": "done",
    }
    assert api.get(f"/api/v1/events/{world['referred_reassigned'].pk}/", **key).status_code == 404
    staff = bearer(issue_token(program_admin))
    assert "note" not in api.get(f"/api/v1/events/{world['benefits_step'].pk}/", **staff).json()["payload"]
    assert (
        "to_specialist_id" in api.get(f"/api/v1/events/{world['referred_reassigned'].pk}/", **staff).json()["payload"]
    )


def test_events_of_people_out_of_reach_are_404(api, partner, issue_key, world):
    key = bearer(issue_key(partner, ["events:read", "jobseekers:read", "placements:read"]))
    for name in ("stranger_started", "contact_held", "benefits_started"):
        assert api.get(f"/api/v1/events/{world[name].pk}/", **key).status_code == 404


def test_filter_by_topic_and_page(api, program_admin, issue_token, world):
    staff = bearer(issue_token(program_admin))
    assert {t for t, _ in topics(api.get("/api/v1/events/?topic=placement.", **staff))} == {"placement.started"}
    first = api.get("/api/v1/events/?page_size=3", **staff).json()
    rest = api.get(f"/api/v1/events/?cursor={first['cursor']}&page_size=100", **staff).json()
    ids = [row["id"] for row in first["results"] + rest["results"]]
    assert sorted(ids) == sorted(event.pk for event in world.values()) and len(ids) == len(set(ids))


def test_events_list_query_count_does_not_grow(
    api, partner, issue_key, program_admin, issue_token, world, django_assert_max_num_queries
):
    key = bearer(issue_key(partner, ["events:read", "jobseekers:read", "placements:read", "benefits:read"]))
    staff = bearer(issue_token(program_admin))
    with django_assert_max_num_queries(5):
        api.get("/api/v1/events/", **key)
    with django_assert_max_num_queries(5):
        api.get("/api/v1/events/", **staff)
    person = JobSeekerFactory(
        organisation=partner.organisation, specialist=partner.referrals_to, referred_by_partner=partner
    )
    SharingConsentFactory(job_seeker=person, partner=partner, shares_progress=True)
    for _ in range(20):
        emit("jobseeker.enrolled", person)
    with django_assert_max_num_queries(5):
        assert len(api.get("/api/v1/events/?page_size=200", **key).json()["results"]) == 23
    with django_assert_max_num_queries(5):
        assert len(api.get("/api/v1/events/?page_size=200", **staff).json()["results"]) == 28
