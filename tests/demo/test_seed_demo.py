"""The demo program, as its users meet it: the logins work, each role lands on pages
with data, placements in every state carry the tasks their event handlers made,
nothing is left for the workers to do, and the same seed gives the same program.

The demo is built once for this module (it plays ten months of a team's work through
the services, which takes a while); every test runs inside its own savepoint on top of
it. Determinism is checked without a second build: two plans drawn with the same seed
are equal, and the database holds exactly what the plan says (so a second build, which
plays the same plan, holds the same job seekers, employers, contacts and jobs)."""

import datetime
from collections import Counter
from decimal import Decimal
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from crm import clock, locations
from crm.access import access_scope
from crm.geocoding import FakeGeocoder
from crm.models import EventHandling, JobSeeker, LocationPrecision, Organisation, OutboxEvent, Team, User
from demo.catalogue import catalogue
from demo.planning import Plan, make_plan
from demo.story import Story
from employers.models import ContactPerson, Employer, EmployerSite, JobOpening
from jobdev.dashboard import DashboardFilters
from jobdev.dashboard.periods import default_period
from jobdev.fidelity import scale
from jobdev.fidelity.items import fidelity_items
from jobdev.models import EmployerContact, FidelityReview, PaceNudge
from placements.models import (
    Accommodation,
    BenefitsStep,
    FollowAlongPlan,
    JobEndReport,
    Placement,
    PlacementMilestone,
    SupportTask,
)

PASSWORD = "ips-demo-2026"
USERNAMES = ["leader", "specialist1", "specialist2", "specialist3", "admin"]
SPECIALISTS = ["specialist1", "specialist2", "specialist3"]
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
PARIS = ZoneInfo("Europe/Paris")


def seed(*args) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def database_summary() -> dict:
    return {
        "job seekers": sorted(JobSeeker.objects.values_list("first_name", "last_name", "specialist__username")),
        "employers": sorted(Employer.objects.values_list("name", flat=True)),
        "employer contacts": Counter(EmployerContact.objects.values_list("specialist__username", "status", "mode")),
        "placements": sorted(Placement.objects.values_list("job_seeker__last_name", "employer__name", "status")),
    }


def plan_summary(plan: Plan) -> dict:
    """What the database must hold once `plan` is played (see database_summary)."""
    return {
        "job seekers": sorted((person.first_name, person.last_name, person.specialist) for person in plan.job_seekers),
        "employers": sorted(employer.name for employer in plan.employers),
        "employer contacts": Counter((contact.specialist, contact.status, contact.mode) for contact in plan.contacts),
        "placements": sorted(
            (person.last_name, plan.employers[placement.employer_index].name, placement.status(plan.today))
            for person in plan.job_seekers
            for placement in person.placements
        ),
    }


def demo_plan(day: datetime.date, seed: int = 2026) -> Plan:
    return make_plan(seed=seed, today=day, zone=PARIS, catalogue=catalogue())


def row_counts() -> dict[str, int]:
    models = [
        Organisation,
        User,
        Team,
        JobSeeker,
        Employer,
        EmployerSite,
        ContactPerson,
        JobOpening,
        EmployerContact,
        Placement,
        PlacementMilestone,
        FollowAlongPlan,
        Accommodation,
        BenefitsStep,
        JobEndReport,
        SupportTask,
        OutboxEvent,
    ]
    return {model.__name__: model.objects.count() for model in models}


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo built with the default seed, kept for the module: the command's output
    and the day it was built for."""
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHERS), transaction.atomic():
        output = seed()
        built_for = timezone.localdate(timezone.now(), PARIS)
        yield {"output": output, "today": built_for}
        transaction.set_rollback(True)


@pytest.fixture
def log_in(client, settings, demo):
    """Sign in through the login page, as a user would."""
    settings.PASSWORD_HASHERS = FAST_HASHERS

    def sign_in(username: str):
        response = client.post("/login/", {"username": username, "password": PASSWORD})
        assert response.status_code == 302, f"{username} could not sign in"
        return client

    return sign_in


def today() -> datetime.date:
    return timezone.localdate()


@pytest.mark.django_db
def test_the_command_reports_what_it_made_and_prints_the_logins(demo):
    output = demo["output"]

    assert "Created the demo program 'IPS Marseille — Emploi accompagné'" in output
    for username in USERNAMES:
        assert f"{username} " in output
    assert PASSWORD in output


@pytest.mark.django_db
@pytest.mark.parametrize("username", USERNAMES)
def test_every_demo_login_works_and_lands_on_the_page_of_its_role(log_in, username):
    client = log_in(username)

    response = client.get("/", follow=True)

    assert response.status_code == 200
    # A specialist lands on My week, a team leader on the team dashboard, a program
    # admin on the program overview (docs/job-development.md); each has figures there.
    landing = response.redirect_chain[-1][0]
    if username.startswith("specialist"):
        assert landing == "/my-week/"
        assert len(response.context["days"]) == 7
    elif username.startswith("leader"):
        assert landing == "/dashboard/"
        assert response.context["dashboard"].rows
    else:
        assert landing == "/program/"
        assert sum(summary.figures.caseload for summary in response.context["overview"].teams) > 0


@pytest.mark.django_db
def test_a_specialist_has_visits_this_week_and_open_tasks(log_in):
    client = log_in("specialist1")

    week = client.get("/my-week/")
    tasks = client.get("/tasks/")

    assert week.status_code == 200
    contacts = [item for day in week.context["days"] for item in day.items]
    assert contacts, "no employer contact in specialist1's week"
    assert week.context["in_person_on_behalf"] > 0
    groups = tasks.context["groups"]
    assert sum(len(group) for group in groups.values()) > 0


@pytest.mark.django_db
def test_every_specialist_has_a_caseload_and_open_tasks(demo):
    """Caseloads follow each specialist's time: specialist3 works half time."""
    for username in SPECIALISTS:
        specialist = User.objects.get(username=username)
        full_time = specialist.fte == 1
        assert specialist.caseload.exclude(status=JobSeeker.Status.CLOSED).count() >= (10 if full_time else 5)
        assert SupportTask.objects.filter(owner=specialist, status=SupportTask.Status.OPEN).exists()
    assert User.objects.get(username="specialist3").fte == Decimal("0.5")


@pytest.mark.django_db
def test_the_records_the_fidelity_items_read_are_all_there(demo):
    """What the fidelity scale asks about, made through the services as a team would."""
    placements = Placement.objects.all()
    # Competitive and permanent or temporary, asked on every offer.
    assert not placements.filter(is_competitive__isnull=True).exists()
    assert set(placements.values_list("term", flat=True)) == set(Placement.Term.values)
    assert placements.filter(is_competitive=False).exists()
    # Follow-along by type, giver and place; most face to face, some by phone or message.
    done = SupportTask.objects.filter(kind=SupportTask.Kind.FOLLOW_ALONG, status=SupportTask.Status.DONE)
    assert not done.filter(support_type="").exists()
    assert len(set(done.values_list("support_type", flat=True))) >= 6
    assert len(set(done.values_list("given_by", flat=True))) >= 3
    in_person = done.filter(completion_mode=SupportTask.Mode.IN_PERSON)
    assert set(in_person.values_list("place", flat=True)) == set(SupportTask.Place.values)
    assert done.exclude(completion_mode=SupportTask.Mode.IN_PERSON).filter(place="").exists()
    assert in_person.count() > done.count() / 2
    # A step-down completed: the person, still working, left the active caseload.
    stepped_down = FollowAlongPlan.objects.get(status=FollowAlongPlan.Status.STEPPED_DOWN)
    assert stepped_down.stepped_down_on < today()
    assert stepped_down.placement.status == Placement.Status.ACTIVE
    assert stepped_down.placement.job_seeker.status == JobSeeker.Status.CLOSED
    # Work-incentives planning delivered before the start for most jobs, not all.
    planned = BenefitsStep.objects.filter(reason=BenefitsStep.Reason.BEFORE_START, placement__start_date__isnull=False)
    before = [step for step in planned if step.completed_on and step.completed_on <= step.placement.start_date]
    assert len(planned) > len(before) > len(planned) / 2
    recheck = BenefitsStep.objects.get(reason=BenefitsStep.Reason.TERMS_CHANGED)
    assert recheck.status == BenefitsStep.Status.PLAN_IN_PLACE
    # After a job end: face to face within 3 days mostly, once a week later; a report.
    seen = [
        (task.completed_on - task.placement.end_date).days
        for task in SupportTask.objects.filter(kind=SupportTask.Kind.JOB_END_CONTACT, status=SupportTask.Status.DONE)
    ]
    assert sum(days <= 3 for days in seen) > sum(days > 3 for days in seen) >= 1
    assert JobEndReport.objects.filter(face_to_face_contact_on__isnull=False).count() >= 3
    # Disclosure talked over at enrolment or within days (the enrolment's task done),
    # before the first employer contact for most, not for all.
    talks = SupportTask.objects.filter(
        kind=SupportTask.Kind.DISCLOSURE_CONVERSATION, source_event__topic="jobseeker.enrolled"
    )
    assert talks.filter(status=SupportTask.Status.DONE).count() >= 5
    assert JobSeeker.objects.filter(disclosure_discussed_on__isnull=False).count() >= 35
    late = [
        person
        for person in JobSeeker.objects.filter(first_employer_contact_on__isnull=False)
        if person.disclosure_discussed_on > person.first_employer_contact_on
    ]
    assert 1 <= len(late) <= 3
    # Contacts with someone who can hire, and hiring needs learned.
    held = EmployerContact.objects.held().filter(mode=EmployerContact.Mode.IN_PERSON)
    assert held.filter(met_hiring_authority=True).exists() and held.filter(met_hiring_authority=False).exists()
    assert held.exclude(learned_hiring_needs="").count() > held.count() / 2
    # A few people in education; the pace nudges of the weeks a specialist fell behind.
    assert JobSeeker.objects.filter(in_education=True).count() == 3
    assert PaceNudge.objects.exists()


@pytest.mark.django_db
def test_the_team_leader_dashboard_shows_contacts_of_the_last_twelve_weeks(log_in):
    client = log_in("leader")

    response = client.get("/dashboard/")

    assert response.status_code == 200
    dashboard = response.context["dashboard"]
    assert len(dashboard.chart_weeks) == 12
    assert sum(week.count for week in dashboard.chart_weeks) > 50
    rows = {row.specialist.username: row for row in dashboard.rows}
    assert set(SPECIALISTS) <= set(rows)  # both teams the leader leads
    for username in SPECIALISTS:
        assert rows[username].in_person > 0  # their own visits on behalf of job seekers
        assert rows[username].caseload > 0


@pytest.mark.django_db
def test_some_weeks_meet_the_six_visits_target_and_some_do_not(demo):
    monday = today() - datetime.timedelta(days=today().weekday())
    # The specialist's own visits (fidelity item 17): not the job seeker's alone.
    held = EmployerContact.objects.held().filter(mode=EmployerContact.Mode.IN_PERSON, purpose="on_behalf")
    counts = []
    for username in SPECIALISTS:
        for weeks_ago in range(1, 13):
            start = monday - datetime.timedelta(weeks=weeks_ago)
            counts.append(
                held.filter(
                    specialist__username=username,
                    starts_at__date__gte=start,
                    starts_at__date__lt=start + datetime.timedelta(days=7),
                ).count()
            )
    assert any(count >= 6 for count in counts)
    assert any(0 < count < 6 for count in counts)


@pytest.mark.django_db
def test_visits_are_planned_for_the_coming_days(demo):
    planned = EmployerContact.objects.filter(status=EmployerContact.Status.PLANNED)

    assert planned.count() >= 10
    assert not planned.filter(starts_at__lt=timezone.now() - datetime.timedelta(days=1)).exists()
    next_monday = today() + datetime.timedelta(days=7 - today().weekday())
    assert planned.filter(starts_at__date__gte=next_monday).exists()


@pytest.mark.django_db
def test_the_admin_sees_the_whole_program_across_two_teams(log_in):
    client = log_in("admin")

    response = client.get("/job-seekers/")

    assert response.context["page"].paginator.count == JobSeeker.objects.count() == 40
    teams = Team.objects.filter(organisation__slug="ips-marseille")
    assert teams.count() == 2
    assert all(JobSeeker.objects.filter(specialist__team=team).exists() for team in teams)
    assert OutboxEvent.objects.filter(topic="jobseeker.reassigned").exists()


@pytest.mark.django_db
def test_placements_in_every_status_carry_the_tasks_their_handlers_made(demo):
    placements = Placement.objects.all()

    assert set(placements.values_list("status", flat=True)) == set(Placement.Status.values)
    for placement in placements:
        made_by_handlers = placement.support_tasks.filter(source_event__isnull=False)
        assert made_by_handlers.filter(source_event__topic="placement.offer_accepted").exists()
        if placement.start_date is not None:
            assert made_by_handlers.filter(
                kind=SupportTask.Kind.FOLLOW_ALONG, source_event__topic="placement.started"
            ).exists()
            assert placement.milestones.count() == 6
    for placement in placements.filter(status=Placement.Status.ENDED):
        assert made_by_handlers_of(placement, "placement.ended") >= 2
        assert placement.follow_along_plan.status == FollowAlongPlan.Status.ENDED


def made_by_handlers_of(placement: Placement, topic: str) -> int:
    return placement.support_tasks.filter(source_event__topic=topic).count()


@pytest.mark.django_db
def test_follow_along_and_support_show_every_stage(demo):
    tasks = SupportTask.objects.all()
    assert tasks.filter(status=SupportTask.Status.DONE).count() > 50
    assert tasks.filter(status=SupportTask.Status.OPEN, due_date__lt=today()).exists()  # overdue
    assert tasks.filter(status=SupportTask.Status.CANCELLED).exists()
    assert tasks.filter(due_time__isnull=False).exists()  # appointments
    assert PlacementMilestone.objects.filter(reached_at__isnull=False).count() > 20
    assert len(set(Accommodation.objects.values_list("status", flat=True))) >= 5
    assert len(set(BenefitsStep.objects.values_list("status", flat=True))) >= 3
    assert JobEndReport.objects.exists()
    plans = FollowAlongPlan.objects.all()
    assert plans.filter(frequency=FollowAlongPlan.Frequency.MONTHLY).exists()
    assert plans.filter(status=FollowAlongPlan.Status.PAUSED).exists()
    assert plans.filter(step_down_agreed=True).exists()


@pytest.mark.django_db
def test_every_data_answerable_fidelity_item_gets_a_plausible_score(demo):
    """The demo program, as a reviewer reads it over the dashboard's default 12 weeks:
    every item the records answer has a score, mostly 3 to 5 as a program in good
    standing would, and not all at the top (docs/development.md, "Demo data")."""
    organisation = Organisation.objects.get(slug="ips-marseille")
    date_from, date_to = default_period(demo["today"])
    with clock.in_program_zone(organisation):
        items = fidelity_items(
            access_scope(User.objects.get(username="admin")),
            DashboardFilters(date_from=date_from, date_to=date_to),
            today=demo["today"],
        )

    scores = {key: result.score for key, result in items.items()}
    assert set(scores) == {item.key for item in scale.DATA_ITEMS}
    assert None not in scores.values(), scores
    assert min(scores.values()) >= 2, scores
    assert sum(score >= 3 for score in scores.values()) >= len(scores) - 1, scores
    assert sum(score == 5 for score in scores.values()) < len(scores), scores
    assert sum(scores.values()) >= 48, scores


@pytest.mark.django_db
def test_two_fidelity_reviews_of_the_program_show_a_trend(demo):
    """The admin reviewed the program twice (the worksheet pre-filled from the records,
    the reviewers' scores on the other items): all 25 items scored, a total and a band."""
    reviews = list(FidelityReview.objects.order_by("review_date"))

    assert len(reviews) == 2
    totals = []
    for review in reviews:
        items = list(review.items.all())
        assert sorted(item.item for item in items) == list(range(1, 26))
        assert all(item.score for item in items)
        computed = [item for item in items if scale.ITEMS_BY_NUMBER[item.item].data_answerable]
        assert all(item.score == item.computed_score and item.evidence for item in computed)
        totals.append(sum(item.score for item in items))
    assert all(scale.band_for(total).key in ("fair", "good") for total in totals), totals
    assert totals[0] != totals[1]


@pytest.mark.django_db
def test_some_job_seekers_are_past_day_thirty_without_a_first_employer_contact(log_in):
    client = log_in("leader")

    past_30 = client.get("/job-seekers/", {"rapid_search": "waiting_30"})
    past_14 = client.get("/job-seekers/", {"rapid_search": "waiting_14"})

    assert past_30.context["page"].paginator.count >= 1
    assert past_14.context["page"].paginator.count > past_30.context["page"].paginator.count
    waiting = JobSeeker.objects.filter(status=JobSeeker.Status.JOB_SEARCH, first_employer_contact_on__isnull=True)
    assert SupportTask.objects.filter(kind=SupportTask.Kind.JOB_SEARCH_NUDGE, job_seeker__in=waiting).exists()


@pytest.mark.django_db
def test_employers_have_sites_with_coordinates_and_contact_persons(demo):
    employers = Employer.objects.all()

    assert 55 <= employers.count() <= 70
    assert all(employer.sites.exists() and employer.contact_persons.exists() for employer in employers)
    assert employers.exclude(nace_code="").count() >= employers.count() - 1  # one files under no class
    stages = set(employers.values_list("relationship_stage", flat=True))
    assert stages == set(Employer.RelationshipStage.values)
    assert set(JobOpening.objects.values_list("status", flat=True)) == set(JobOpening.Status.values)


@pytest.mark.django_db
@pytest.mark.parametrize("model", [JobSeeker, EmployerSite])
def test_every_job_seeker_and_site_is_located_for_its_address(demo, model):
    """Distances are real in the demo: every home and site has a point, found for the
    address it holds (nothing left for the background job), to the street number or the
    street, within the Bouches-du-Rhône."""
    rows = list(model.objects.all())

    assert rows
    for row in rows:
        assert row.latitude is not None and row.longitude is not None, row
        assert row.location_precision in {LocationPrecision.HOUSE_NUMBER, LocationPrecision.STREET}, row
        assert row.located_address == locations.address_text(row), row
        assert not locations.needs_locating(row), row
        assert Decimal("43.1") < row.latitude < Decimal("43.6") and Decimal("5.0") < row.longitude < Decimal("5.7"), row
    precisions = Counter(row.location_precision for row in rows)
    assert precisions[LocationPrecision.HOUSE_NUMBER] > 0 and precisions[LocationPrecision.STREET] > 0


@pytest.mark.django_db
def test_every_demo_address_is_known_to_the_fake_geocoder(demo):
    """CI and the demo run on the fake geocoder: it finds each demo address again, on
    its street, close to the point the demo stored."""
    geocoder = FakeGeocoder(catalogue().places["towns"])

    for row in [*JobSeeker.objects.all(), *EmployerSite.objects.all()]:
        found = geocoder.locate(locations.address_of(row))
        assert found is not None and found.precision == LocationPrecision.HOUSE_NUMBER, row
        assert abs(found.latitude - row.latitude) < Decimal("0.003"), row
        assert abs(found.longitude - row.longitude) < Decimal("0.003"), row


@pytest.mark.django_db
def test_the_shared_contact_log_names_no_job_seeker_in_its_free_text(demo):
    """The employer contact log is read across the program, while a job seeker is seen
    only by their team: the demo's texts refer to the people a contact was for by
    their initials, never by name."""
    from jobdev.models import EmployerContact

    checked = 0
    for contact in EmployerContact.objects.prefetch_related("job_seekers").select_related("contact_person"):
        text = " ".join([contact.result, contact.next_step, contact.learned_hiring_needs, contact.cancel_reason])
        met = contact.contact_person.name if contact.contact_person else ""
        for job_seeker in contact.job_seekers.all():
            if job_seeker.first_name not in met:
                assert job_seeker.first_name not in text, (contact.pk, text)
            checked += 1
    assert checked > 200


@pytest.mark.django_db
def test_every_event_the_demo_wrote_was_handled(demo):
    assert OutboxEvent.objects.count() > 300
    assert not OutboxEvent.objects.exclude(status=OutboxEvent.Status.HANDLED).exists()
    assert not EventHandling.objects.exclude(status=EventHandling.Status.SUCCEEDED).exists()


@pytest.mark.django_db
def test_the_same_seed_gives_the_same_program(demo):
    first, second = demo_plan(demo["today"]), demo_plan(demo["today"])

    assert plan_summary(first) == plan_summary(second)
    assert database_summary() == plan_summary(first)
    assert plan_summary(demo_plan(demo["today"], seed=7)) != plan_summary(first)


@pytest.mark.django_db
def test_running_it_again_only_prints_the_logins(demo):
    before = row_counts()

    output = seed()

    assert row_counts() == before
    assert "already exists" in output
    assert "specialist1" in output and PASSWORD in output


def look_like_another_program() -> None:
    """The demo program renamed: for the command, another program holds the database."""
    Organisation.objects.filter(slug="ips-marseille").update(slug="another-program", name="Another program")


@pytest.mark.django_db
def test_if_empty_leaves_another_program_alone(demo):
    look_like_another_program()
    before = row_counts()

    output = seed("--if-empty")

    assert "already holds a program" in output
    assert row_counts() == before


@pytest.mark.django_db
def test_usernames_of_another_program_are_not_taken_over(demo):
    look_like_another_program()
    before = row_counts()

    with pytest.raises(CommandError, match="already used outside the demo program"):
        seed()

    assert row_counts() == before


@pytest.mark.parametrize("weekday", range(7))
def test_the_story_can_be_played_whatever_the_day_of_the_week(weekday):
    """The plan, without a database: every action falls before today, in an order the
    services accept (an employer exists before anyone plans a visit to it, a visit is
    planned before it is moved, cancelled or recorded)."""
    day = datetime.date(2026, 11, 30) + datetime.timedelta(days=weekday)  # a Monday, then each day after
    plan = demo_plan(day)
    story = Story(driver=None, plan=plan, seed=2026, catalogue=catalogue())

    story.schedule()

    assert max(moment for moment, _order, _action in story.agenda).date() < day
    created = {employer.index: employer.created_on for employer in plan.employers}
    for contact in plan.contacts:
        first = contact.planned_at or contact.recorded_at
        assert created[contact.employer_index] <= first.date()
        later = [moment for moment in (contact.rescheduled_at, contact.cancelled_at, contact.recorded_at) if moment]
        assert all(first <= moment for moment in later)
        if contact.status == EmployerContact.Status.PLANNED:
            assert contact.starts_at.date() >= day and contact.recorded_at is None
        else:
            assert contact.starts_at.date() < day or contact.status == EmployerContact.Status.CANCELLED
    assert {placement.status(day) for person in plan.job_seekers for placement in person.placements} == set(
        Placement.Status.values
    )
