"""Incremental sync: updated_since + cursor over (updated_at, id) misses nothing and
repeats nothing while rows change during paging; tombstones for deletions and for
what a partner lost when a consent was withdrawn or expired."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from crm import services
from crm.access import access_scope
from crm.models import JobSeeker
from integrations.api.models import Tombstone
from tests.factories import JobSeekerFactory, SharingConsentFactory
from tests.integrations.api.core_fixtures import *  # noqa: F403
from tests.integrations.api.core_fixtures import bearer

pytestmark = pytest.mark.django_db

START = datetime.datetime(2026, 11, 2, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture
def admin(issue_token, program_admin):
    return bearer(issue_token(program_admin))


def at(minutes: float):
    return time_machine.travel(START + datetime.timedelta(minutes=minutes), tick=False)


def page(api, credential, **params):
    query = "&".join(f"{name}={value}" for name, value in params.items())
    response = api.get(f"/api/v1/job-seekers/?{query}", **credential)
    assert response.status_code == 200, response.content
    return response.json()


def touch(person, town, minutes):
    with at(minutes):
        services.job_seeker_update(
            scope=access_scope(person.specialist), job_seeker_id=person.pk, details={"town": town}
        )


def test_a_sync_over_a_changing_data_set_misses_and_repeats_nothing(api, admin, specialist_sam, program_admin):
    with at(0):  # five rows with one timestamp: the id orders them
        people = JobSeekerFactory.create_batch(5, specialist=specialist_sam)
    for minute, _ in enumerate(range(5), start=1):
        with at(minute):
            people.append(JobSeekerFactory(specialist=specialist_sam))
    seen: list[tuple[int, str]] = []
    mirror: dict[int, dict] = {}

    def take(body):
        for row in body["results"]:
            seen.append((row["id"], row["updated_at"]))
            mirror[row["id"]] = row

    body = page(api, admin, page_size=3)
    take(body)
    # While the client pages: a row it has read and a row it has not read change, a row
    # is added, one it has not read is deleted.
    touch(people[0], "Aix", 10)
    touch(people[7], "Arles", 11)
    with at(12):
        added = JobSeekerFactory(specialist=specialist_sam)
    with at(13):
        deleted_id = people[8].pk
        people[8].delete()
    while body["next"]:
        body = page(api, admin, page_size=3, cursor=body["cursor"])
        take(body)
    assert len(seen) == len(set(seen)), "a version was sent twice"
    ids_seen = [pk for pk, _ in seen]
    unchanged = {p.pk for p in people if p.pk is not None} - {people[0].pk, people[7].pk}
    assert len(unchanged) == 7
    assert all(ids_seen.count(pk) == 1 for pk in unchanged)
    assert deleted_id not in ids_seen  # deleted before it was read
    assert ids_seen.count(people[7].pk) == 1  # changed before it was read: read once, new
    assert ids_seen.count(people[0].pk) == 2  # read, changed, read again at the end
    assert mirror[people[0].pk]["town"] == "Aix" and mirror[people[7].pk]["town"] == "Arles"
    assert added.pk in mirror
    tombstones = api.get("/api/v1/tombstones/?since=2026-11-02T09:00:00Z", **admin).json()
    assert [(t["resource_type"], t["object_id"]) for t in tombstones["results"]] == [("job_seeker", deleted_id)]
    for tombstone in tombstones["results"]:
        mirror.pop(tombstone["object_id"], None)
    server = {p.pk: p.updated_at for p in JobSeeker.objects.all()}
    assert set(mirror) == set(server)
    assert all(mirror[pk]["town"] == JobSeeker.objects.get(pk=pk).town for pk in server)

    # Later, from the kept cursor: exactly what changed since.
    cursor = body["cursor"]
    touch(people[3], "Nice", 30)
    later = page(api, admin, cursor=cursor)
    assert [row["id"] for row in later["results"]] == [people[3].pk]
    assert page(api, admin, cursor=later["cursor"])["results"] == []


def test_updated_since_is_inclusive_and_combines_with_the_cursor(api, admin, specialist_sam):
    with at(0):
        old = JobSeekerFactory(specialist=specialist_sam)
    with at(5):
        new = JobSeekerFactory(specialist=specialist_sam)
    assert [r["id"] for r in page(api, admin, updated_since="2026-11-02T09:05:00Z")["results"]] == [new.pk]
    assert [r["id"] for r in page(api, admin, updated_since="2026-11-02T10:05:00%2B01:00")["results"]] == [new.pk]
    # An unencoded '+' arrives as a space: still understood.
    assert [r["id"] for r in page(api, admin, updated_since="2026-11-02T10:05:00+01:00")["results"]] == [new.pk]
    first = page(api, admin, page_size=1, updated_since="2026-11-02T08:00:00Z")
    assert [r["id"] for r in first["results"]] == [old.pk]
    assert first["next"] and "updated_since" not in first["next"]
    rest = page(api, admin, cursor=first["cursor"])
    assert [r["id"] for r in rest["results"]] == [new.pk] and rest["next"] is None


def test_an_empty_answer_still_gives_a_cursor_to_resume_from(api, admin, specialist_sam):
    body = page(api, admin, updated_since="2026-11-02T09:00:00Z")
    assert body["results"] == [] and body["cursor"]
    with at(3):
        person = JobSeekerFactory(specialist=specialist_sam)
    assert [r["id"] for r in page(api, admin, cursor=body["cursor"])["results"]] == [person.pk]


def test_a_cursor_cannot_be_forged(api, admin):
    from django.core import signing

    forged = signing.dumps(["2026-11-02T09:00:00+00:00", 1], salt="another")
    assert api.get(f"/api/v1/job-seekers/?cursor={forged}", **admin).status_code == 400


def test_page_size_is_bounded(api, admin, specialist_sam):
    JobSeekerFactory.create_batch(3, specialist=specialist_sam)
    assert len(page(api, admin)["results"]) == 3
    assert api.get("/api/v1/job-seekers/?page_size=500", **admin).status_code == 400


# Partners: consent recorded later, withdrawn, expired ---------------------------------------


@pytest.fixture
def partner_key(partner, issue_key):
    return bearer(issue_key(partner, ["jobseekers:read", "placements:read"]))


def test_a_consent_recorded_after_the_last_sync_brings_the_person_in(api, partner, partner_key, specialist_bob):
    with at(0):
        person = JobSeekerFactory(specialist=specialist_bob)
    cursor = page(api, partner_key)["cursor"]
    with at(20):
        services.sharing_consent_record(
            scope=access_scope(specialist_bob),
            job_seeker_id=person.pk,
            partner_id=partner.pk,
            consent={"shares_progress": True, "consented_by": "Person", "consented_on": datetime.date(2026, 11, 2)},
        )
    assert [r["id"] for r in page(api, partner_key, cursor=cursor)["results"]] == [person.pk]


def test_withdrawal_is_a_tombstone_with_what_was_lost(api, partner, partner_key, specialist_bob, specialist_sam):
    with at(0):
        consented = JobSeekerFactory(specialist=specialist_bob)
        consent = SharingConsentFactory(
            job_seeker=consented, partner=partner, shares_progress=True, shares_support=True
        )
        referred = JobSeekerFactory(specialist=specialist_sam, referred_by_partner=partner)
        referred_consent = SharingConsentFactory(
            job_seeker=referred, partner=partner, shares_progress=False, shares_benefits=True
        )
    with at(30):
        services.sharing_consent_withdraw(scope=access_scope(specialist_bob), consent_id=consent.pk)
        services.sharing_consent_withdraw(scope=access_scope(specialist_sam), consent_id=referred_consent.pk)
    with at(40):
        body = api.get("/api/v1/tombstones/?since=2026-11-02T09:10:00Z", **partner_key).json()
    entries = {(t["object_id"], t["reason"]): t["lost"] for t in body["results"]}
    # The person it did not refer is gone entirely; the one it referred stays, minus benefits.
    assert entries == {
        (consented.pk, "consent_withdrawn"): ["job_seeker", "progress", "support"],
        (referred.pk, "consent_withdrawn"): ["benefits"],
    }
    with at(40):
        assert api.get("/api/v1/tombstones/?since=2026-11-02T09:31:00Z", **partner_key).json()["results"] == []


def test_a_withdrawal_with_another_consent_in_force_loses_nothing(api, partner, partner_key, specialist_bob):
    with at(0):
        person = JobSeekerFactory(specialist=specialist_bob)
        first = SharingConsentFactory(job_seeker=person, partner=partner, shares_progress=True)
        SharingConsentFactory(job_seeker=person, partner=partner, shares_progress=True)
    with at(30):
        services.sharing_consent_withdraw(scope=access_scope(specialist_bob), consent_id=first.pk)
        assert api.get("/api/v1/tombstones/?since=2026-11-02T09:00:00Z", **partner_key).json()["results"] == []


def test_expiry_is_a_tombstone_at_the_end_of_its_last_day(api, partner, partner_key, specialist_bob, organisation):
    person = JobSeekerFactory(specialist=specialist_bob)
    SharingConsentFactory(
        job_seeker=person, partner=partner, shares_progress=True, valid_until=datetime.date(2026, 11, 5)
    )
    with time_machine.travel(datetime.datetime(2026, 11, 5, 20, 0, tzinfo=datetime.UTC), tick=False):
        assert api.get(f"/api/v1/job-seekers/{person.pk}/", **partner_key).status_code == 200
        assert api.get("/api/v1/tombstones/?since=2026-11-01T00:00:00Z", **partner_key).json()["results"] == []
    with time_machine.travel(datetime.datetime(2026, 11, 6, 8, 0, tzinfo=datetime.UTC), tick=False):
        assert api.get(f"/api/v1/job-seekers/{person.pk}/", **partner_key).status_code == 404
        results = api.get("/api/v1/tombstones/?since=2026-11-01T00:00:00Z", **partner_key).json()["results"]
    assert [(t["object_id"], t["reason"], t["lost"]) for t in results] == [
        (person.pk, "consent_expired", ["job_seeker", "progress"])
    ]
    # Midnight in the program's zone (Europe/Paris, UTC+1 in November).
    assert results[0]["happened_at"] in ("2026-11-05T23:00:00Z", "2026-11-06T00:00:00+01:00")


def test_deletions_are_listed_for_staff_and_for_partners_who_saw_the_person(
    api, admin, partner, other_partner, partner_key, issue_key, specialist_sam
):
    with at(0):
        person = JobSeekerFactory(specialist=specialist_sam, referred_by_partner=partner)
        person_id = person.pk
    with at(10):
        person.delete()
    rows = set(Tombstone.objects.values_list("partner_id", flat=True))
    assert rows == {None, partner.pk}
    since = "2026-11-02T09:05:00Z"
    staff = api.get(f"/api/v1/tombstones/?since={since}", **admin).json()["results"]
    mine = api.get(f"/api/v1/tombstones/?since={since}", **partner_key).json()["results"]
    theirs = api.get(f"/api/v1/tombstones/?since={since}", **bearer(issue_key(other_partner, ["jobseekers:read"])))
    assert [(t["object_id"], t["reason"]) for t in staff] == [(person_id, "deleted")]
    assert [(t["object_id"], t["reason"]) for t in mine] == [(person_id, "deleted")]
    assert theirs.json()["results"] == []


def test_tombstones_start_where_asked_and_stay_in_their_program(api, admin, specialist_louis, issue_token):
    assert api.get("/api/v1/tombstones/?since=garbage", **admin).status_code == 400
    JobSeekerFactory(specialist=specialist_louis).delete()
    assert api.get("/api/v1/tombstones/?since=2000-01-01T00:00:00Z", **admin).json()["results"] == []
    lyon = bearer(issue_token(specialist_louis))
    assert len(api.get("/api/v1/tombstones/?since=2000-01-01T00:00:00Z", **lyon).json()["results"]) == 1
    # Without since or cursor: everything still kept (a first sync).
    assert len(api.get("/api/v1/tombstones/", **lyon).json()["results"]) == 1


def test_tombstones_are_swept_after_their_retention(settings):
    from integrations.api.tasks import sweep_tombstones

    Tombstone.objects.create(organisation_id=1, resource_type="job_seeker", object_id=1, happened_at=timezone.now())
    Tombstone.objects.create(
        organisation_id=1,
        resource_type="job_seeker",
        object_id=2,
        happened_at=timezone.now() - datetime.timedelta(days=settings.API_TOMBSTONE_DAYS + 1),
    )
    sweep_tombstones()
    assert list(Tombstone.objects.values_list("object_id", flat=True)) == [1]


@pytest.mark.parametrize(
    "value",
    ["0001-01-01T00:00:00%2B01:00", "9999-12-31T23:59:59-01:00", "2026-11-30T10:00:60Z", "2026-02-30T00:00:00Z"],
)
def test_instants_out_of_range_are_400(api, admin, value):
    assert api.get(f"/api/v1/job-seekers/?updated_since={value}", **admin).status_code == 400
    assert api.get(f"/api/v1/tombstones/?since={value}", **admin).status_code == 400


def test_instants_at_the_edges_of_time_are_accepted(api, admin):
    assert api.get("/api/v1/job-seekers/?updated_since=0001-01-01T00:00:00Z", **admin).status_code == 200
    assert api.get("/api/v1/tombstones/?since=0001-01-01T00:00:00Z", **admin).status_code == 200


def test_a_partner_asking_for_tombstones_since_the_year_1(api, partner_key, partner, specialist_bob):
    SharingConsentFactory(job_seeker=JobSeekerFactory(specialist=specialist_bob), partner=partner)
    response = api.get("/api/v1/tombstones/?since=0001-01-01T00:00:00Z", **partner_key)
    assert response.status_code == 200 and response.json()["results"] == []


class TestChangesCommittedLate:
    """A service stamps updated_at before its transaction commits: a row stamped at
    9:00:05 may commit after a row stamped at 9:00:08 was read. Lists hold changes
    younger than API_SYNC_SETTLE_SECONDS, so a cursor never passes a row still to come."""

    @pytest.fixture(autouse=True)
    def settle(self, settings):
        settings.API_SYNC_SETTLE_SECONDS = 30

    def test_a_row_committed_after_a_later_one_was_read_is_not_missed(self, api, admin, specialist_sam):
        with at(0):
            first = JobSeekerFactory(specialist=specialist_sam)
        with at(10):
            later = JobSeekerFactory(specialist=specialist_sam)  # stamped 10:00, committed at once
        with at(10.25):  # the client reads 15 s after `later`: `later` is not shown yet
            body = page(api, admin)
        assert [row["id"] for row in body["results"]] == [first.pk]
        with at(9.9):  # a transaction that stamped at 9:09:54 commits only now, after the read
            late = JobSeekerFactory(specialist=specialist_sam)
        with at(11):
            rest = page(api, admin, cursor=body["cursor"])
        assert [row["id"] for row in rest["results"]] == [late.pk, later.pk]
        with at(12):
            assert page(api, admin, cursor=rest["cursor"])["results"] == []

    def test_a_change_shows_once_it_is_settled(self, api, admin, specialist_sam):
        with at(0):
            person = JobSeekerFactory(specialist=specialist_sam)
        with at(0.25):
            assert page(api, admin)["results"] == []
        with at(0.75):
            assert [row["id"] for row in page(api, admin)["results"]] == [person.pk]

    def test_tombstones_hold_deletions_younger_than_the_settle_time(self, api, admin, specialist_sam):
        with at(0):
            person = JobSeekerFactory(specialist=specialist_sam)
            person_id = person.pk
            person.delete()
        with at(0.25):
            early = api.get("/api/v1/tombstones/?since=2026-11-02T08:00:00Z", **admin).json()
        assert early["results"] == [] and early["until"].startswith("2026-11-02T08:59:45")
        with at(1):
            later = api.get(f"/api/v1/tombstones/?since={early['until'].replace('+', '%2B')}", **admin).json()
        assert [t["object_id"] for t in later["results"]] == [person_id]


def test_tombstones_page_by_cursor_over_equal_instants(api, admin, organisation, monkeypatch):
    """Seven deletions at one instant, three per page: each is listed once, and the
    last answer's cursor resumes after them (review of issue 10, item 7)."""
    from integrations.api.viewsets import sync

    monkeypatch.setattr(sync, "LIMIT", 3)
    instant = START + datetime.timedelta(minutes=5)
    kinds = ["placement", "job_seeker", "support_task"]
    Tombstone.objects.bulk_create(
        Tombstone(organisation_id=organisation.pk, resource_type=kinds[n % 3], object_id=100 - n, happened_at=instant)
        for n in range(7)
    )
    seen, pages = [], 0
    with at(30):
        body = api.get("/api/v1/tombstones/?since=2026-11-02T09:00:00Z", **admin).json()
        while True:
            pages += 1
            seen += [(t["resource_type"], t["object_id"]) for t in body["results"]]
            if not body["next"]:
                break
            assert "since=" not in body["next"] and "cursor=" in body["next"]
            body = api.get(body["next"], **admin).json()
    assert pages == 3
    assert len(seen) == len(set(seen)) == 7
    assert seen == sorted(seen, key=lambda entry: (entry[0], entry[1]))  # (happened_at, type, id) order
    cursor = body["cursor"]
    with at(40):
        Tombstone.objects.create(
            organisation_id=organisation.pk, resource_type="placement", object_id=1, happened_at=at_minutes(35)
        )
        later = api.get(f"/api/v1/tombstones/?cursor={cursor}", **admin).json()
    assert [(t["resource_type"], t["object_id"]) for t in later["results"]] == [("placement", 1)]


def test_an_empty_tombstone_answer_gives_a_cursor_to_resume_from(api, admin, organisation):
    with at(30):
        body = api.get("/api/v1/tombstones/?since=2026-11-02T09:00:00Z", **admin).json()
    assert body["results"] == [] and body["next"] is None and body["cursor"]
    Tombstone.objects.create(
        organisation_id=organisation.pk, resource_type="job_seeker", object_id=9, happened_at=at_minutes(31)
    )
    with at(60):
        resumed = api.get(f"/api/v1/tombstones/?cursor={body['cursor']}", **admin).json()
    assert [t["object_id"] for t in resumed["results"]] == [9]


def at_minutes(minutes: float) -> datetime.datetime:
    return START + datetime.timedelta(minutes=minutes)
