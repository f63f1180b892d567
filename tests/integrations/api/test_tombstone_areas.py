"""Tombstones by what each caller saw when the record was deleted (review of issue 10,
items 3, 7, 9, 11): a partner's deletion tombstone only for the rows its scope
included then (the consent area of the row's kind), staff's only for the caseloads
they read; tombstones paged by a cursor that gets past any number of entries at one
instant; an idempotent replay answered only while its target is still visible."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from crm import clock
from crm.access import PartnerScope, StaffScope
from crm.models import JobSeeker, SharingConsent
from integrations.api.grants import BENEFITS_READ, BENEFITS_WRITE, JOBSEEKERS_READ
from integrations.api.models import Tombstone
from integrations.api.viewsets import sync
from placements.models import Accommodation, Placement, SupportTask
from tests.integrations.api.test_placements_fixtures import Api
from tests.integrations.api.world import module_world, world_for_test

world = pytest.fixture(scope="module")(module_world)
api_world = pytest.fixture(world_for_test)

#: resource type -> what a consent must cover for a partner to see such a row (None:
#: the person's own record; PartnerScope.caseload's `shared`).
AREAS = {
    "job_seeker": None,
    "placement": "progress",
    "placement_milestone": "progress",
    "support_task": "support",
    "accommodation": "support",
    "benefits_step": "benefits",
}
MARSEILLE = ("referred", "progress", "support", "benefits", "shared", "withdrawn", "expired", "no_consent", "sofias")


@pytest.fixture
def api(client):
    return Api(client)


def since():
    return (timezone.now() - datetime.timedelta(minutes=5)).isoformat()


def delete_people(job_seeker_ids):
    """As a program deletes people: their jobs first (a placement protects its person;
    deleting it reaches its milestones, adjustments, tasks and benefits steps)."""
    Placement.objects.filter(job_seeker_id__in=job_seeker_ids).delete()
    JobSeeker.objects.filter(pk__in=job_seeker_ids).delete()


def read_all(api, key, params):
    """Every entry, following `next`, and the pages read."""
    url, pages = "/api/v1/tombstones/", []
    while True:
        response = api.get(url, key, params)
        assert response.status_code == 200, response.content
        body = response.json()
        pages.append(body["results"])
        if not body["next"]:
            return [row for page in pages for row in page], pages, body
        assert len(pages) < 50, "paging does not end"
        url, params = body["next"].replace("http://testserver", ""), None


# Item 3: a partner hears of a deletion only when it saw the deleted row ------------------------


def test_a_referring_partner_without_consent_hears_of_no_workplace_adjustment(api, api_world):
    person = api_world.person("referred")  # referred by `partner`, no consent at all
    key = api_world.issue_key("t", api_world.partner, {JOBSEEKERS_READ})
    assert api.get(f"/api/v1/accommodations/{person.accommodation.pk}/", key).status_code in (403, 404)
    Accommodation.objects.filter(pk=person.accommodation.pk).delete()
    rows = api.get("/api/v1/tombstones/", key, {"since": since()}).json()["results"]
    assert not any(row["resource_type"] == "accommodation" for row in rows)
    # The staff tombstone is there all the same.
    assert Tombstone.objects.filter(
        resource_type="accommodation", object_id=person.accommodation.pk, partner_id__isnull=True
    ).exists()


def test_a_partner_whose_consent_was_withdrawn_hears_of_no_deletion(api, api_world):
    api_world.withdraw("withdrawn")
    person = api_world.person("withdrawn")
    key = api_world.issue_key("t2", api_world.partner, {JOBSEEKERS_READ})
    assert api.get(f"/api/v1/job-seekers/{person.job_seeker.pk}/", key).status_code == 404
    SupportTask.objects.filter(job_seeker=person.job_seeker).delete()
    rows = api.get("/api/v1/tombstones/", key, {"since": since()}).json()["results"]
    assert not any(row["reason"] == "deleted" for row in rows)


def test_deletion_tombstones_follow_the_partner_scope_of_each_area(api_world):
    """Each person deleted whole (the cascade reaches a row of every kind): a partner has
    a tombstone for a row exactly when PartnerScope(partner).caseload(shared=area) had
    the person just before."""
    partners = [api_world.partner, api_world.other_partner, api_world.lyon_partner]
    expected, objects = set(), {}
    for name in MARSEILLE:
        job_seeker_id = api_world.person(name).job_seeker.pk
        for partner in partners:
            scope = PartnerScope(partner)
            for area in {None, *SharingConsent.COVERS}:
                if JobSeeker.objects.filter(scope.caseload(shared=area), pk=job_seeker_id).exists():
                    expected |= {
                        (partner.pk, job_seeker_id, kind) for kind, kind_area in AREAS.items() if kind_area == area
                    }
        objects[job_seeker_id] = name
    assert {kind for _p, _j, kind in expected} == set(AREAS)  # the world reaches every kind
    Tombstone.objects.all().delete()
    delete_people(list(objects))
    written = set(
        Tombstone.objects.filter(partner_id__isnull=False).values_list("partner_id", "job_seeker_id", "resource_type")
    )
    assert written == expected
    # Staff: one tombstone per row deleted, whatever the partners saw.
    staff_kinds = set(Tombstone.objects.filter(partner_id__isnull=True).values_list("resource_type", flat=True))
    assert staff_kinds == set(AREAS)


def test_a_cascade_reads_the_person_and_the_consents_once(api_world):
    person = api_world.person("shared")
    rows = Tombstone.objects.count()
    with CaptureQueriesContext(connection) as queries:
        Placement.objects.filter(job_seeker=person.job_seeker).delete()
    written = Tombstone.objects.count() - rows
    # Staff + partner, for the placement, its milestones, task, adjustment and step.
    assert written >= 10
    consent_reads = [q for q in queries if "sharingconsent" in q["sql"].lower() and q["sql"].startswith("SELECT")]
    # One to decide which partners saw the person (and the cascade's own collection of
    # the consents, which are deleted with the person).
    tombstone_reads = [q for q in consent_reads if "valid_until" in q["sql"] and "withdrawn_at" in q["sql"]]
    assert len(tombstone_reads) <= 2, [q["sql"] for q in tombstone_reads]
    person_reads = [
        q
        for q in queries
        if q["sql"].startswith("SELECT") and '"referred_by_partner_id"' in q["sql"] and "LIMIT 1" in q["sql"]
    ]
    assert len(person_reads) == 1, [q["sql"] for q in person_reads]


# Item 11: staff read the deletions of the caseloads they read ----------------------------------


def test_staff_tombstones_follow_the_caseloads_they_read(api, api_world):
    sams = api_world.person("shared").job_seeker  # on Sam's caseload (team A)
    sofias = api_world.person("sofias").job_seeker  # on Sofia's (team A)
    before = {
        name: {pk for pk in (sams.pk, sofias.pk) if StaffScope(user).job_seekers().filter(pk=pk).exists()}
        for name, user in api_world.staff.items()
    }
    delete_people([sams.pk, sofias.pk])
    api_world.marseille.employer_contact.delete()  # the program's contact log: every staff member's
    for name, visible in before.items():
        token = api_world.issue_token(name)
        rows = api.get("/api/v1/tombstones/", token, {"since": since()}).json()["results"]
        people = {row["object_id"] for row in rows if row["resource_type"] == "job_seeker"}
        assert people == visible, name
        assert {row["job_seeker_id"] for row in rows if row["job_seeker_id"] is not None} == visible, name
        in_marseille = api_world.staff[name].organisation_id == api_world.marseille.organisation.pk
        assert any(row["resource_type"] == "employer_contact" for row in rows) == in_marseille, name
    assert before["sam"] >= {sams.pk} and sams.pk not in before["bob"] and before["ada"] == {sams.pk, sofias.pk}


# Item 7: paging gets past any number of entries at one instant ---------------------------------


def test_tombstone_paging_gets_past_more_than_a_page_of_equal_instants(api, api_world, monkeypatch):
    monkeypatch.setattr(sync, "LIMIT", 3)
    today = clock.program_today(api_world.marseille.organisation)
    yesterday = today - datetime.timedelta(days=1)
    names = ("progress", "support", "benefits", "shared", "sofias")
    for name in names:  # five consents ending at one midnight (one renewal date, say)
        SharingConsent.objects.filter(pk=api_world.person(name).consent.pk).update(valid_until=yesterday)
    key = api_world.issue_key("tl", api_world.partner, {JOBSEEKERS_READ})
    start = {"since": f"{today - datetime.timedelta(days=3)}T00:00:00Z"}
    rows, pages, last = read_all(api, key, start)
    ids = [row["object_id"] for row in rows if row["reason"] == "consent_expired"]
    expected = {api_world.person(name).job_seeker.pk for name in names} | {api_world.person("expired").job_seeker.pk}
    assert sorted(ids) == sorted(expected)  # each once
    assert len(pages) >= 2
    # The last answer's cursor resumes after everything: nothing again.
    assert api.get("/api/v1/tombstones/", key, {"cursor": last["cursor"]}).json()["results"] == []


def test_a_tombstone_cursor_is_signed_and_its_own(api, api_world):
    key = api_world.issue_key("tc", api_world.partner, {JOBSEEKERS_READ})
    assert api.get("/api/v1/tombstones/", key, {"cursor": "garbage"}).status_code == 400
    list_cursor = api.get("/api/v1/job-seekers/", key).json()["cursor"]
    assert api.get("/api/v1/tombstones/", key, {"cursor": list_cursor}).status_code == 400
    assert api.get("/api/v1/tombstones/", key).status_code == 200  # a first sync: everything still kept
    assert api.get("/api/v1/tombstones/?since=", key).status_code == 400


# Item 9: a replay only while its target is visible ---------------------------------------------


def test_an_idempotent_replay_after_the_consent_was_withdrawn_is_404(api, api_world):
    person = api_world.person("withdrawn")
    key = api_world.issue_key("t3", api_world.partner, {BENEFITS_READ, BENEFITS_WRITE})
    url = f"/api/v1/benefits-steps/{person.benefits_step.pk}/advance/"
    first = api.post(url, key, {}, Idempotency_Key="k-1")
    assert first.status_code == 200, first.content
    again = api.post(url, key, {}, Idempotency_Key="k-1")
    assert again.status_code == 200 and again["Idempotent-Replayed"] == "true"
    api_world.withdraw("withdrawn")
    assert api.get(f"/api/v1/benefits-steps/{person.benefits_step.pk}/", key).status_code == 404
    after = api.post(url, key, {}, Idempotency_Key="k-1")
    assert after.status_code == 404
    assert after.json()["type"] == "urn:ips-crm:problem:not-found"
    assert not after.has_header("Idempotent-Replayed")
