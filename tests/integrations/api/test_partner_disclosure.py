"""What a partner may know (integrations.api.disclosure): the events feed's allow-listed
partner payloads (the webhooks' own), list filters only on what the partner reads, the
counsellor filter, support tasks under a support consent, receives_benefits under a
benefits consent, and the events feed's sync after a consent recorded later."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
import yaml
from django.core.management import call_command
from django.utils import timezone

from crm import clock
from crm import services as crm_services
from crm.access import StaffScope
from crm.models import JobSeeker, OutboxEvent, SharingConsent
from integrations.api.disclosure import PARTNER_TOPICS, general_end_reason, partner_payload
from integrations.api.grants import (
    BENEFITS_READ,
    EVENTS_READ,
    JOBSEEKERS_READ,
    PLACEMENTS_READ,
    SUPPORT_READ,
)
from integrations.webhooks import payloads
from placements import services as placement_services
from placements.models import Placement, SupportTask
from tests.integrations.api.test_placements_fixtures import Api
from tests.integrations.api.world import module_world, world_for_test

world = pytest.fixture(scope="module")(module_world)
api_world = pytest.fixture(world_for_test)

EVENTS = "/api/v1/events/"
JOB_SEEKERS = "/api/v1/job-seekers/"
ALL = {"page_size": 200}

#: What no partner payload may carry, whatever the topic.
NEVER = {
    "hourly_pay",
    "hours_per_week",
    "old",
    "new",
    "disclosure_preference",
    "receives_benefits",
    "end_reason",
    "employer_id",
    "note",
    "from_specialist_id",
    "to_specialist_id",
}


@pytest.fixture
def api(client):
    return Api(client)


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def rows(response) -> list[dict]:
    assert response.status_code == 200, response.content
    return response.json()["results"]


def _about(row: dict, job_seeker_id: int) -> bool:
    return row["payload"].get("job_seeker_id") == job_seeker_id


# Events: allow-listed partner payloads ---------------------------------------------------


def test_events_feed_gives_partners_the_allow_listed_payload_only(api, api_world):
    """Review item 1: the feed sent `end_reason: quit_health`, the disclosure preference,
    receives_benefits, pay and hours to a partner under a progress consent."""
    person = api_world.person("shared")
    admin = StaffScope(api_world.staff["ada"])
    today = clock.program_today(api_world.marseille.organisation)
    placement_services.placement_change_terms(
        scope=admin,
        placement_id=person.placement.pk,
        hours_per_week=Decimal("24.0"),
        hourly_pay=Decimal("12.50"),
        effective_on=today,
    )
    placement_services.placement_end(
        scope=admin, placement_id=person.placement.pk, end_date=today, end_reason=Placement.EndReason.QUIT_HEALTH
    )
    key = api_world.issue_key("ev", api_world.partner, {EVENTS_READ, PLACEMENTS_READ})
    response = api.get(EVENTS, key, ALL)
    assert b"quit_health" not in response.content
    mine = [row for row in rows(response) if _about(row, person.job_seeker.pk)]
    topics = {row["topic"] for row in mine}
    assert {"placement.offer_accepted", "placement.started", "placement.terms_changed", "placement.ended"} <= topics
    for row in rows(response):
        assert row["topic"] in PARTNER_TOPICS, row
        assert not NEVER & set(row["payload"]), row
    ended = next(row for row in mine if row["topic"] == "placement.ended")
    assert ended["payload"]["end_kind"] == "quit"
    # The same payload the webhooks send (less their envelope's version).
    for row in mine:
        event = OutboxEvent.objects.get(pk=row["id"])
        data = dict(payloads.build(event)["data"]) if event.topic in payloads.TOPICS else None
        if data is not None:
            data.pop("version")
            assert row["payload"] == data


def test_events_feed_shows_partners_no_topic_without_a_partner_payload(api, api_world):
    """jobseeker.reassigned (it names staff) has no partner payload: partners never see it;
    program admins read the internal payload, without notes."""
    person = api_world.person("shared")
    crm_services.job_seeker_update(
        scope=StaffScope(api_world.staff["ada"]),
        job_seeker_id=person.job_seeker.pk,
        specialist_id=api_world.staff["sofia"].pk,
    )
    key = api_world.issue_key("ev", api_world.partner, {EVENTS_READ, JOBSEEKERS_READ, PLACEMENTS_READ})
    partner_topics = {row["topic"] for row in rows(api.get(EVENTS, key, ALL))}
    assert "jobseeker.reassigned" not in partner_topics
    admin_rows = rows(api.get(EVENTS, api_world.issue_token("ada"), ALL))
    reassigned = [row for row in admin_rows if row["topic"] == "jobseeker.reassigned"]
    assert reassigned and reassigned[0]["payload"]["to_specialist_id"] == api_world.staff["sofia"].pk
    started = next(row for row in admin_rows if row["topic"] == "placement.started")
    assert "hourly_pay" in started["payload"]  # staff keep the internal payload


def test_enrolment_event_needs_a_consent_covering_progress(api, api_world):
    """jobseeker.enrolled tells the person's status: job progress, not the referral."""
    key = api_world.issue_key("ev", api_world.partner, {EVENTS_READ, JOBSEEKERS_READ, PLACEMENTS_READ})
    enrolled = {
        row["payload"]["job_seeker_id"]
        for row in rows(api.get(EVENTS, key, ALL))
        if row["topic"] == "jobseeker.enrolled"
    }
    assert api_world.person("progress").job_seeker.pk in enrolled
    for name in ("referred", "support", "benefits"):
        assert api_world.person(name).job_seeker.pk not in enrolled, name
    # And with the progress area's grant.
    narrow = api_world.issue_key("ev2", api_world.partner, {EVENTS_READ, JOBSEEKERS_READ})
    assert not [row for row in rows(api.get(EVENTS, narrow, ALL)) if row["topic"] == "jobseeker.enrolled"]


def test_general_end_reason_tells_the_kind_only():
    assert general_end_reason(Placement.EndReason.QUIT_HEALTH) == "quit"
    assert general_end_reason(Placement.EndReason.QUIT_BETTER_JOB) == "quit"
    assert general_end_reason(Placement.EndReason.FIRED) == "fired"
    assert general_end_reason("") == ""
    assert general_end_reason("something_new") == "other"


def test_an_unknown_internal_version_gives_partners_nothing():
    event = OutboxEvent(topic="placement.ended", payload_version=99, payload={"end_reason": "quit_health"})
    assert partner_payload(event) is None
    assert partner_payload(OutboxEvent(topic="jobseeker.reassigned", payload_version=1, payload={})) is None


# Events: sync after a consent recorded later --------------------------------------------


def test_events_recorded_before_a_consent_come_after_the_cursor(api, api_world):
    """An event shared by a consent recorded after the partner's last sync comes in the
    next sync (its sync instant is the consent's change), not behind the cursor."""
    person = api_world.person("no_consent")
    key = api_world.issue_key("ev", api_world.partner, {EVENTS_READ, PLACEMENTS_READ})
    assert not [row for row in rows(api.get(EVENTS, key, ALL)) if _about(row, person.job_seeker.pk)]
    since = timezone.now()
    today = clock.program_today(api_world.marseille.organisation)
    crm_services.sharing_consent_record(
        scope=StaffScope(api_world.staff["sam"]),
        job_seeker_id=person.job_seeker.pk,
        partner_id=api_world.partner.pk,
        consent={
            **{f"shares_{area}": area == "progress" for area in SharingConsent.COVERS},
            "consented_by": "The job seeker, in person",
            "consented_on": today,
            "valid_until": None,
        },
    )
    fresh = rows(api.get(EVENTS, key, {**ALL, "updated_since": since.isoformat()}))
    topics = {row["topic"] for row in fresh if _about(row, person.job_seeker.pk)}
    assert {"placement.offer_accepted", "placement.started"} <= topics


# Job-seeker filters ------------------------------------------------------------------------


def test_job_seeker_filters_a_partner_does_not_read_are_ignored(api, api_world):
    """Review item 2: status, specialist and enrolment filters told a partner without a
    progress consent that the person works, on whose caseload, enrolled when."""
    key = api_world.issue_key("js", api_world.partner, {JOBSEEKERS_READ})
    every = ids(api.get(JOB_SEEKERS, key, ALL))
    assert api_world.person("referred").job_seeker.pk in every
    for params in (
        {"status": "closed"},
        {"status": JobSeeker.Status.WORKING},
        {"specialist": api_world.staff["bob"].pk},
        {"specialist": api_world.staff["sam"].pk},
        {"enrolment_date_after": "2099-01-01"},
        {"enrolment_date_before": "2000-01-01"},
    ):
        assert ids(api.get(JOB_SEEKERS, key, {**ALL, **params})) == every, params
    # A malformed value is a 400, as the schema says (the same whatever the data).
    assert api.get(JOB_SEEKERS, key, {"status": "AAA"}).status_code == 400
    # The referral date, which the partner reads, still filters.
    assert ids(api.get(JOB_SEEKERS, key, {**ALL, "referral_date_after": "2099-01-01"})) == set()
    # Staff keep every filter.
    sam = api_world.issue_token("sam")
    assert ids(api.get(JOB_SEEKERS, sam, {**ALL, "status": "closed"})) != ids(api.get(JOB_SEEKERS, sam, ALL))


def test_the_schema_still_documents_the_staff_filters():
    out = io.StringIO()
    call_command("spectacular", stdout=out)
    schema = yaml.safe_load(out.getvalue())
    names = {parameter["name"] for parameter in schema["paths"][JOB_SEEKERS]["get"]["parameters"]}
    assert {"status", "specialist", "enrolment_date_after", "referral_date_after", "updated_since"} <= names
    steps = {parameter["name"] for parameter in schema["paths"]["/api/v1/benefits-steps/"]["get"]["parameters"]}
    assert "counsellor" in steps


def test_support_task_owner_filter_is_ignored_for_partners(api, api_world):
    key = api_world.issue_key("s", api_world.partner, {SUPPORT_READ})
    every = ids(api.get("/api/v1/support-tasks/", key, ALL))
    assert every
    assert ids(api.get("/api/v1/support-tasks/", key, {**ALL, "specialist": api_world.staff["bob"].pk})) == every


# Benefits steps: ?counsellor= --------------------------------------------------------------


def test_counsellor_filter_matches_only_the_partners_own_id(api, api_world):
    """Review item 5: ?counsellor=<another partner> listed the steps that partner holds."""
    person = api_world.person("shared")
    admin = StaffScope(api_world.staff["ada"])
    step = person.benefits_step
    placement_services.benefits_step_assign(scope=admin, step_id=step.pk, counsellor_id=api_world.other_partner.pk)
    key = api_world.issue_key("b", api_world.partner, {BENEFITS_READ})
    assert api.get(f"/api/v1/benefits-steps/{step.pk}/", key).json()["counsellor"] is None
    assert ids(api.get("/api/v1/benefits-steps/", key, {"counsellor": api_world.other_partner.pk})) == set()
    own = ids(api.get("/api/v1/benefits-steps/", key, {**ALL, "counsellor": api_world.partner.pk}))
    assert api_world.person("benefits").benefits_step.pk in own and step.pk not in own
    # Staff filter on any counsellor.
    token = api_world.issue_token("ada")
    assert step.pk in ids(api.get("/api/v1/benefits-steps/", token, {"counsellor": api_world.other_partner.pk}))


# Support tasks under a support-only consent -----------------------------------------------


def test_support_consent_shares_follow_along_tasks_not_benefits_or_job_end(api, api_world):
    person = api_world.person("support")
    admin = StaffScope(api_world.staff["ada"])
    today = clock.program_today(api_world.marseille.organisation)
    hidden = set()
    for kind in (SupportTask.Kind.BENEFITS_PLANNING, SupportTask.Kind.JOB_END_CONTACT, SupportTask.Kind.JOB_END_REPORT):
        task = placement_services.support_task_create(
            scope=admin,
            job_seeker_id=person.job_seeker.pk,
            kind=kind,
            title="Budget after the new job",
            due_date=today + datetime.timedelta(days=2),
            placement_id=person.placement.pk,
            benefits_step_id=person.benefits_step.pk if kind == SupportTask.Kind.BENEFITS_PLANNING else None,
        )
        hidden.add(task.pk)
    key = api_world.issue_key("s", api_world.partner, {SUPPORT_READ})
    listed = rows(api.get("/api/v1/support-tasks/", key, {**ALL, "job_seeker": person.job_seeker.pk}))
    assert {row["id"] for row in listed} == {person.support_task.pk}
    assert all(row["benefits_step"] is None for row in listed)
    for pk in hidden:
        assert api.get(f"/api/v1/support-tasks/{pk}/", key).status_code == 404
    # Staff see them all.
    token = api_world.issue_token("sam")
    assert hidden <= ids(api.get("/api/v1/support-tasks/", token, {**ALL, "job_seeker": person.job_seeker.pk}))


# receives_benefits on the partner's record ------------------------------------------------


def test_receives_benefits_shows_only_under_a_consent_covering_benefits(api, api_world):
    names = ("referred", "progress", "support", "benefits", "shared")
    JobSeeker.objects.filter(pk__in=[api_world.person(name).job_seeker.pk for name in names]).update(
        receives_benefits=JobSeeker.Benefits.YES
    )
    key = api_world.issue_key("js", api_world.partner, {JOBSEEKERS_READ})
    listed = {row["id"]: row for row in rows(api.get(JOB_SEEKERS, key, ALL))}
    for name in names:
        pk = api_world.person(name).job_seeker.pk
        expected = JobSeeker.Benefits.YES if name in ("benefits", "shared") else None
        assert listed[pk]["receives_benefits"] == expected, name
        assert api.get(f"{JOB_SEEKERS}{pk}/", key).json()["receives_benefits"] == expected, name
