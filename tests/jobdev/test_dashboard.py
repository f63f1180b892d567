"""The team leader's fidelity dashboard: each figure against numbers worked out by
hand from a small, hand-built program; access rules; filters; CSV; query count.

Today is frozen at Wednesday 18 March 2026, 10:00 in Paris (ISO week 2026-W12).
Two periods are used:
- WEEKS: Monday 2 March to Sunday 15 March 2026 (ISO weeks W10 and W11), for the
  employer contacts;
- QUARTER: Monday 5 January to Sunday 15 March 2026 (W02 to W11, 10 weeks), for the
  rapid-job-search cohort, placements, retention and follow-along.
Paris is UTC+1 until 29 March 2026.
"""

import csv
import datetime
import io
import re
import zoneinfo
from html import unescape
from html.parser import HTMLParser

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from crm.access import access_scope
from crm.models import JobType
from jobdev.dashboard import TABLES, DashboardFilters, TeamDashboard, default_period
from jobdev.models import EmployerContact
from placements.models import BenefitsStep, PlacementMilestone, SupportTask
from tests.factories import (
    EmployerContactFactory,
    EmployerFactory,
    JobSeekerFactory,
    PlacementFactory,
    SupportTaskFactory,
    TeamFactory,
    UserFactory,
)

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
TODAY = datetime.date(2026, 3, 18)
WEEKS = (datetime.date(2026, 3, 2), datetime.date(2026, 3, 15))
QUARTER = (datetime.date(2026, 1, 5), datetime.date(2026, 3, 15))


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(datetime.datetime(2026, 3, 18, 10, 0, tzinfo=PARIS), tick=False) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def in_english():
    # The figures built outside a request are read in English, whatever language an
    # earlier test's request left active in this thread (a French export, say).
    with translation.override("en"):
        yield


def d(month, day, year=2026):
    return datetime.date(year, month, day)


def at(month, day, hour=10, minute=0, year=2026):
    return datetime.datetime(year, month, day, hour, minute, tzinfo=PARIS)


def contact(specialist, employer, when, *, mode="in_person", purpose="on_behalf", status="held", job_seekers=()):
    return EmployerContactFactory(
        specialist=specialist,
        employer=employer,
        starts_at=when,
        mode=mode,
        purpose=purpose,
        status=status,
        cancel_reason="Employer ill" if status == "cancelled" else "",
        job_seekers=list(job_seekers),
    )


def job_seeker(specialist, name, status="job_search", since=None, benefits="unknown"):
    first, last = name.split()
    return JobSeekerFactory(
        specialist=specialist,
        first_name=first,
        last_name=last,
        status=status,
        job_search_since=since,
        receives_benefits=benefits,
        referral_date=d(1, 2, 2025),
        enrolment_date=d(1, 3, 2025),
    )


def placement(person, employer, start, *, job_type="kitchen_helper", competitive=True, end=None, offer=None):
    fields = {
        "job_seeker": person,
        "employer": employer,
        "job_type": JobType.objects.get(code=job_type) if job_type else None,
        "is_competitive": competitive,
        "offer_date": offer or (start - datetime.timedelta(days=7) if start else d(3, 10)),
        "start_date": start,
        "status": "active" if start else "offer_accepted",
    }
    if end:
        fields.update(status="ended", end_date=end, end_reason="quit_other")
    return PlacementFactory(**fields)


def task(person, due, *, status="open", completed_on=None, kind="follow_along"):
    return SupportTaskFactory(job_seeker=person, due_date=due, status=status, completed_on=completed_on, kind=kind)


def milestone(placement, reached, still_working, name="day_90"):
    return PlacementMilestone.objects.create(
        placement=placement, name=name, due_date=reached.date(), reached_at=reached, still_working=still_working
    )


@pytest.fixture
def program(organisation, leader_a, leader_b, specialist_sam, specialist_sofia, specialist_bob, program_admin):
    """The hand-built program. Numbers in comments are the ones the tests expect."""
    organisation.caseload_limit = 4  # so that Sam (5) is over it and Sofia (3) is not
    organisation.save()
    sam, sofia, bob = specialist_sam, specialist_sofia, specialist_bob
    e = {n: EmployerFactory(organisation=organisation, name=f"E{n}") for n in range(1, 10)}

    # Caseloads. Sam: 5 active (3 in job search, 2 working), 1 closed. Sofia: 3 in job search.
    nadia = job_seeker(sam, "Nadia Benali", since=d(3, 2))
    omar = job_seeker(sam, "Omar Diallo", since=d(1, 5))
    lina = job_seeker(sam, "Lina Petit", status="working", benefits="yes")
    hugo = job_seeker(sam, "Hugo Martin", status="follow_along", benefits="unknown")
    job_seeker(sam, "Chloé Roux", status="closed")
    yanis = job_seeker(sam, "Yanis Moreau", since=d(3, 10))
    ines = job_seeker(sofia, "Inès Garcia", since=d(1, 20))
    paul = job_seeker(sofia, "Paul Blanc", since=d(2, 2), benefits="no")
    emma = job_seeker(sofia, "Emma Laurent", since=d(2, 9), benefits="yes")
    # Bob (team B): 1 in job search, 1 working.
    bruno_js = job_seeker(bob, "Jules Fabre", since=d(1, 12))
    zoe = job_seeker(bob, "Zoé Henry", status="working")

    # Sam's held face-to-face contacts on behalf of job seekers: W10 = 6, W11 = 4.
    contact(sam, e[1], at(3, 2, 0, 30))  # Monday 00:30 in Paris, Sunday 23:30 UTC: still W10
    contact(sam, e[1], at(3, 3))
    contact(sam, e[2], at(3, 4), job_seekers=[nadia])  # Nadia's first contact: day 2
    contact(sam, e[2], at(3, 5))
    contact(sam, e[3], at(3, 6))
    contact(sam, e[1], at(3, 7))
    contact(sam, e[1], at(3, 9), mode="job_seeker")
    contact(sam, e[3], at(3, 10))
    contact(sam, e[4], at(3, 11))
    contact(sam, e[4], at(3, 15, 23, 30))  # Sunday 23:30 in Paris: W11
    # Sam's other held contacts: 2 (a call on behalf, a relationship visit).
    contact(sam, e[5], at(3, 12), mode="phone")
    contact(sam, e[5], at(3, 13), purpose="relationship")
    # Not held: not counted.
    contact(sam, e[1], at(3, 12, 14), status="planned")
    contact(sam, e[2], at(3, 13, 14), status="cancelled")
    contact(sam, e[3], at(3, 11, 14), status="no_show")
    # Outside WEEKS: E1 was first met in February (so E1 is not new); Monday 16 March
    # 00:30 in Paris is W12 (still Sunday in UTC).
    contact(sam, e[1], at(2, 20), purpose="relationship")
    contact(sam, e[1], at(3, 16, 0, 30))

    # Sofia: W10 = 7 at E6 (Inès's first contact on 5 March: day 44), W11 = 6 at E2.
    for day in range(2, 9):
        contact(sofia, e[6], at(3, day), job_seekers=[ines] if day == 5 else [])
    for day in range(9, 15):
        contact(sofia, e[2], at(3, day))
    # Other: an email on Emma's behalf (held, but not face to face).
    contact(sofia, e[7], at(3, 10), mode="email", job_seekers=[emma])
    # Paul's first contact, 12 February (day 10), in W07.
    contact(sofia, e[9], at(2, 12), job_seekers=[paul])

    # Bob: W10 = 9 at E8; and E6 in February, so E6 is not new for Sofia.
    for hour in range(9, 18):
        contact(bob, e[8], at(3, 3, hour))
    contact(bob, e[6], at(2, 10), purpose="relationship")

    # Placements started in QUARTER (team A): 4. Job types: kitchen helper twice,
    # cleaner, none. Employers: E1 twice, E2, E3. Competitive: 3.
    p1 = placement(lina, e[1], d(1, 12))
    p2 = placement(hugo, e[2], d(2, 2), job_type="office_cleaner")
    placement(paul, e[1], d(3, 9), competitive=False, end=d(3, 12))
    p4 = placement(emma, e[3], d(2, 20), job_type=None, end=d(2, 27))
    placement(lina, e[4], None)  # offer accepted, not started: not counted
    placement(bruno_js, e[8], d(2, 16))  # team B
    # Benefits planning: due for Lina (yes), Hugo (unknown), Emma (yes); not Paul (no).
    # Offered before the start for Lina only.
    BenefitsStep.objects.create(
        organisation=organisation, job_seeker=lina, placement=p1, reason="before_start", offered_on=d(1, 5)
    )
    BenefitsStep.objects.create(
        organisation=organisation, job_seeker=lina, placement=p1, reason="before_start", offered_on=d(1, 6)
    )
    BenefitsStep.objects.create(
        organisation=organisation, job_seeker=hugo, placement=p2, reason="before_start", offered_on=d(2, 3)
    )
    BenefitsStep.objects.create(
        organisation=organisation, job_seeker=emma, placement=p4, reason="terms_changed", offered_on=d(2, 10)
    )

    # 13-week milestones reached in QUARTER (team A): 3, still working 1, 1 not recorded.
    p6 = placement(hugo, e[5], d(12, 1, 2025))
    milestone(p6, at(3, 1), True)
    p8 = placement(lina, e[5], d(10, 1, 2025), end=d(1, 20))
    milestone(p8, at(12, 30, year=2025), False)  # before QUARTER
    p9 = placement(ines, e[6], d(11, 10, 2025), end=d(1, 15))
    milestone(p9, at(2, 8), False)
    p10 = placement(emma, e[7], d(11, 20, 2025), end=d(2, 25))
    milestone(p10, at(2, 18), None)
    milestone(p1, at(2, 11), True, name="day_30")  # another milestone: not counted
    p11 = placement(zoe, e[8], d(11, 1, 2025))
    milestone(p11, at(2, 1), True)  # team B

    # Follow-along due in QUARTER. Sam: 4 due (cancelled one left out), 2 on time.
    task(lina, d(1, 20), status="done", completed_on=d(1, 19))
    task(lina, d(2, 10), status="done", completed_on=d(2, 10))
    task(hugo, d(2, 24), status="done", completed_on=d(2, 26))
    task(hugo, d(3, 10))  # open: late, and overdue
    task(hugo, d(3, 12), status="cancelled")
    task(hugo, d(3, 17))  # after QUARTER, overdue today
    task(nadia, d(3, 1), kind="benefits_planning")  # overdue, another kind
    task(lina, d(1, 2), status="done", completed_on=d(1, 9))  # before QUARTER
    task(lina, d(3, 20))  # not due yet
    # Sofia: 2 due, 2 on time.
    task(ines, d(3, 2), status="done", completed_on=d(3, 2))
    task(paul, d(3, 5), status="done", completed_on=d(3, 1))
    # Bob: 1 due, none on time, 1 overdue.
    task(zoe, d(2, 10))

    return {
        "employers": e,
        "people": {
            "nadia": nadia,
            "omar": omar,
            "yanis": yanis,
            "ines": ines,
            "paul": paul,
            "emma": emma,
            "jules": bruno_js,
        },
    }


def dashboard_for(user, period=WEEKS, **filters):
    return TeamDashboard(
        access_scope(user), DashboardFilters(date_from=period[0], date_to=period[1], **filters), today=TODAY
    )


def names(rows):
    return [row.specialist.first_name for row in rows]


def value(dashboard, key):
    return dashboard.figures_by_key[key]


class TestJobDevelopment:
    def test_weekly_face_to_face_contacts_per_specialist(self, program, leader_a):
        dashboard = dashboard_for(leader_a)
        assert [monday.isoformat() for monday in dashboard.weeks] == ["2026-03-02", "2026-03-09"]
        # Léa leads the team but holds no caseload and made no contact: no row.
        assert names(dashboard.rows) == ["Sam", "Sofia"]
        sam, sofia = dashboard.rows
        assert sam.weeks == [6, 4]  # Monday 00:30 counted in W10, Monday 16 March 00:30 not in W11
        assert sofia.weeks == [7, 6]
        assert (sam.face_to_face, sam.average_per_week, sam.meets_weekly_target) == (10, 5.0, False)
        assert (sofia.face_to_face, sofia.average_per_week, sofia.meets_weekly_target) == (13, 6.5, True)
        assert dashboard.weekly_totals == [13, 10]

    def test_team_average_against_the_target(self, program, leader_a):
        figure = value(dashboard_for(leader_a), "contacts_per_week")
        # (10 + 13) contacts / (2 specialists x 2 weeks) = 5.75, shown as 5.8; target 6.
        assert figure.value == 5.8
        assert figure.meets is False and figure.status == "below"
        assert "1 of 2" in figure.note

    def test_other_contacts_and_employers(self, program, leader_a):
        dashboard = dashboard_for(leader_a)
        sam, sofia = dashboard.rows
        # Sam: a call on behalf, a relationship visit. Sofia: an email.
        assert (sam.other_contacts, sofia.other_contacts) == (2, 1)
        assert value(dashboard, "other_contacts").value == 3
        # Sam held contacts at E1..E5 (5), Sofia at E6, E2, E7 (3); team: E1..E7.
        assert (sam.employers, sofia.employers) == (5, 3)
        assert value(dashboard, "distinct_employers").value == 7
        # New: first held contact in the program in the period. Sam: E2, E3, E4, E5
        # (E1 met in February). Sofia: E7 (E6 met by Bob in February, E2 by Sam first).
        assert (sam.new_employers, sofia.new_employers) == (4, 1)
        assert value(dashboard, "new_employers").value == 5

    def test_chart_covers_the_12_weeks_ending_with_the_period(self, program, leader_a):
        points = dashboard_for(leader_a).chart_weeks
        assert [point.label for point in points][:2] == ["2025-W52", "2026-W01"]
        assert points[-1].label == "2026-W11"
        counts = {point.label: point.count for point in points if point.count}
        # Paul's contact on 12 February (W07); W10: 6 + 7; W11: 4 + 6.
        assert counts == {"2026-W07": 1, "2026-W10": 13, "2026-W11": 10}
        # Team target: 6 a week x 2 specialists.
        assert {point.target for point in points} == {12}
        assert [point.meets for point in points[-2:]] == [True, False]


class TestCaseloads:
    def test_caseload_per_specialist_against_the_limit(self, program, leader_a):
        dashboard = dashboard_for(leader_a)
        sam, sofia = dashboard.rows
        assert (sam.caseload, sam.job_search, sam.working) == (5, 3, 2)  # Chloé is closed
        assert (sofia.caseload, sofia.job_search, sofia.working) == (3, 3, 0)
        figure = value(dashboard, "largest_caseload")
        assert (figure.value, figure.meets) == (5, False)  # limit set to 4
        assert "1 of 2" in figure.note

    def test_share_of_caseload_working(self, program, leader_a):
        figure = value(dashboard_for(leader_a), "working_share")
        # Lina and Hugo of 8 active: 25%, below 40%.
        assert (figure.share.numerator, figure.share.denominator, figure.value, figure.meets) == (2, 8, 25.0, False)

    def test_no_employer_contact_in_the_last_30_days(self, program, leader_a):
        dashboard = dashboard_for(leader_a)
        # In job search, no held contact on their behalf since 16 February: Omar and
        # Yanis (never), Paul (12 February). Nadia, Inès, Emma (an email) had one.
        assert [person.first_name for person in dashboard.no_recent_contact] == ["Omar", "Yanis", "Paul"]
        assert [person.last_contact_on for person in dashboard.no_recent_contact] == [None, None, d(2, 12)]
        assert value(dashboard, "no_recent_contact").value == 3
        assert [row.no_recent_contact for row in dashboard.rows] == [2, 1]


class TestRapidJobSearch:
    def test_days_to_first_contact_for_the_cohort(self, program, leader_a):
        dashboard = dashboard_for(leader_a, QUARTER)
        cohort = dashboard.first_contact_cohort
        assert [person.first_name for person in cohort] == ["Omar", "Inès", "Paul", "Emma", "Nadia", "Yanis"]
        # Inès 20 Jan -> 5 Mar: 44; Paul 2 Feb -> 12 Feb: 10; Nadia 2 Mar -> 4 Mar: 2.
        assert [person.days_to_first_contact for person in cohort] == [None, 44, 10, None, 2, None]
        # Omar and Emma passed day 30 without one (Emma's email is not face to face);
        # Yanis is at day 8: not counted yet.
        assert [person.within_limit for person in cohort] == [False, False, True, False, True, None]
        median = value(dashboard, "median_days_to_first_contact")
        assert (median.value, median.meets) == (10, True)  # median of 2, 10, 44
        within = value(dashboard, "first_contact_within")
        assert (within.share.numerator, within.share.denominator, within.value) == (2, 5, 40.0)

    def test_who_passed_day_30_without_a_contact(self, program, leader_a):
        dashboard = dashboard_for(leader_a)
        # Whatever the period: Omar (since 5 Jan, day 72) and Emma (since 9 Feb, day 37).
        assert [(person.first_name, person.days_in_search) for person in dashboard.no_first_contact] == [
            ("Omar", 72),
            ("Emma", 37),
        ]
        assert (value(dashboard, "no_first_contact").value, value(dashboard, "no_first_contact").meets) == (2, False)

    def test_the_threshold_is_the_program_setting(self, program, leader_a, organisation):
        organisation.days_to_first_employer_contact = 40
        organisation.save()
        leader_a.refresh_from_db()
        dashboard = dashboard_for(leader_a, QUARTER)
        # Day 40: Emma (37) drops out of the list; Inès (44) is still late.
        assert [person.first_name for person in dashboard.no_first_contact] == ["Omar"]
        assert value(dashboard, "first_contact_within").share.denominator == 4  # Emma not counted yet


class TestJobsAndRetention:
    def test_job_starts_per_month(self, program, leader_a):
        dashboard = dashboard_for(leader_a, QUARTER)
        # Lina 12 Jan; Hugo 2 Feb, Emma 20 Feb; Paul 9 Mar.
        assert dashboard.starts_by_month == [(d(1, 1), 1), (d(2, 1), 2), (d(3, 1), 1)]
        assert value(dashboard, "job_starts").value == 4
        assert [row.job_starts for row in dashboard.rows] == [2, 2]

    def test_thirteen_week_retention(self, program, leader_a):
        figure = value(dashboard_for(leader_a, QUARTER), "retention_13_weeks")
        # Reached in the quarter: Hugo's (working), Inès's (not), Emma's (not recorded).
        assert (figure.share.numerator, figure.share.denominator) == (1, 3)
        assert (figure.value, figure.meets) == (33.3, False)
        assert "1 without a recorded answer" in figure.note


class TestFollowAlong:
    def test_follow_along_on_time(self, program, leader_a):
        dashboard = dashboard_for(leader_a, QUARTER)
        sam, sofia = dashboard.rows
        assert (sam.follow_along.numerator, sam.follow_along.denominator) == (2, 4)
        assert (sofia.follow_along.numerator, sofia.follow_along.denominator) == (2, 2)
        figure = value(dashboard, "follow_along_on_time")
        assert (figure.value, figure.meets) == (66.7, False)  # 4 of 6

    def test_overdue_tasks_today(self, program, leader_a):
        dashboard = dashboard_for(leader_a, WEEKS)
        # Sam: follow-along due 10 and 17 March, benefits planning due 1 March.
        assert [row.overdue_tasks for row in dashboard.rows] == [3, 0]
        assert (value(dashboard, "overdue_tasks").value, value(dashboard, "overdue_tasks").meets) == (3, False)

    def test_due_tasks_stop_at_yesterday(self, program, leader_a):
        dashboard = dashboard_for(leader_a, (d(3, 16), d(3, 22)))
        # Hugo's task due 17 March (yesterday) is due in the period: counted;
        # Lina's due 20 March is not due yet.
        assert [row.follow_along.denominator for row in dashboard.rows] == [1, 0]


class TestQualityOfJobs:
    def test_diversity_competitive_and_benefits(self, program, leader_a):
        dashboard = dashboard_for(leader_a, QUARTER)
        job_types = value(dashboard, "job_type_diversity")
        # Kitchen helper x2 and cleaner among the 3 with a job type (Emma's has none).
        assert (job_types.share.numerator, job_types.share.denominator, job_types.value) == (2, 3, 66.7)
        assert job_types.meets is False and "1 placements without a job type" in job_types.note
        employers = value(dashboard, "employer_diversity")
        assert (employers.share.numerator, employers.share.denominator, employers.value) == (3, 4, 75.0)
        competitive = value(dashboard, "competitive_share")
        assert (competitive.share.numerator, competitive.share.denominator, competitive.meets) == (3, 4, False)
        benefits = value(dashboard, "benefits_before_start")
        # Due: Lina, Hugo, Emma (Paul is not on benefits). Lina's offered 5 Jan for a
        # 12 Jan start; Hugo's the day after his start; Emma's is not "before start".
        assert (benefits.share.numerator, benefits.share.denominator, benefits.value) == (1, 3, 33.3)

    def test_thresholds_are_program_settings(self, program, leader_a, organisation):
        organisation.employer_diversity_percent = 75
        organisation.competitive_jobs_percent = 75
        organisation.save()
        leader_a.refresh_from_db()
        dashboard = dashboard_for(leader_a, QUARTER)
        # 3 of 4 is exactly 75%: meets.
        assert value(dashboard, "employer_diversity").meets is True
        assert value(dashboard, "competitive_share").meets is True

    def test_no_placements_means_no_data(self, program, leader_a):
        figure = value(dashboard_for(leader_a, (d(6, 1, 2025), d(6, 30, 2025))), "competitive_share")
        assert (figure.value, figure.meets, figure.status) == (None, None, "no_data")


class TestAccess:
    def test_team_leader_sees_their_team_only(self, program, client_for, leader_a):
        response = client_for(leader_a).get(
            reverse("team_dashboard"), {"date_from": "2026-03-02", "date_to": "2026-03-15"}
        )
        assert response.status_code == 200
        dashboard = response.context["dashboard"]
        assert names(dashboard.rows) == ["Sam", "Sofia"]
        assert "Jules Fabre" not in response.content.decode()
        assert "team" not in response.context["form"].fields

    def test_program_admin_sees_every_team_and_can_pick_one(self, program, client_for, program_admin, team_a):
        client = client_for(program_admin)
        dashboard = client.get(reverse("team_dashboard"), {"date_from": "2026-03-02", "date_to": "2026-03-15"}).context[
            "dashboard"
        ]
        assert names(dashboard.rows) == ["Bob", "Sam", "Sofia"]
        # (10 + 13 + 9) / (3 x 2) = 5.33; employers E1..E8; new: Sam 4, Sofia 1, Bob E8.
        assert value(dashboard, "contacts_per_week").value == 5.3
        assert value(dashboard, "distinct_employers").value == 8
        assert value(dashboard, "new_employers").value == 6
        picked = client.get(reverse("team_dashboard"), {"team": team_a.pk}).context["dashboard"]
        assert names(picked.rows) == ["Sam", "Sofia"]

    def test_program_admin_retention_covers_both_teams(self, program, program_admin):
        figure = value(dashboard_for(program_admin, QUARTER), "retention_13_weeks")
        assert (figure.share.numerator, figure.share.denominator) == (2, 4)  # Zoé's too

    def test_specialist_sees_own_figures(self, program, client_for, specialist_sam):
        response = client_for(specialist_sam).get(reverse("team_dashboard"))
        dashboard = response.context["dashboard"]
        assert names(dashboard.rows) == ["Sam"]
        assert set(response.context["form"].fields) == {"date_from", "date_to"}
        assert [person.first_name for person in dashboard.no_recent_contact] == ["Omar", "Yanis"]
        assert "Paul Blanc" not in response.content.decode()  # Sofia's, though team cover lets Sam read him

    def test_another_programs_team_is_not_found(self, program, client_for, program_admin, specialist_louis):
        lyon_team = specialist_louis.team
        response = client_for(program_admin).get(reverse("team_dashboard"), {"team": lyon_team.pk})
        assert response.status_code == 200
        assert "That team was not found" in response.content.decode()
        assert names(response.context["dashboard"].rows) == ["Bob", "Sam", "Sofia"]
        assert "Louis" not in names(response.context["dashboard"].rows)

    def test_another_teams_specialist_is_not_found_for_a_leader(self, program, client_for, leader_a, specialist_bob):
        response = client_for(leader_a).get(reverse("team_dashboard"), {"specialist": specialist_bob.pk})
        assert response.status_code == 200
        assert "That specialist was not found" in response.content.decode()
        assert names(response.context["dashboard"].rows) == ["Sam", "Sofia"]

    def test_another_program_sees_nothing_of_this_one(self, program, client_for, specialist_louis):
        dashboard = client_for(specialist_louis).get(reverse("team_dashboard")).context["dashboard"]
        assert names(dashboard.rows) == ["Louis"]
        assert dashboard.no_recent_contact == [] and value(dashboard, "distinct_employers").value == 0

    def test_specialist_filter_for_a_leader(self, program, client_for, leader_a, specialist_sofia):
        dashboard = (
            client_for(leader_a)
            .get(reverse("team_dashboard"), {"specialist": specialist_sofia.pk})
            .context["dashboard"]
        )
        assert names(dashboard.rows) == ["Sofia"]

    def test_admin_specialist_outside_the_picked_team(self, program, client_for, program_admin, team_a, specialist_bob):
        response = client_for(program_admin).get(
            reverse("team_dashboard"), {"team": team_a.pk, "specialist": specialist_bob.pk}
        )
        assert "not in the chosen team" in response.content.decode()
        assert names(response.context["dashboard"].rows) == ["Sam", "Sofia"]

    def test_platform_operator_without_a_program_gets_404(self, client, db):
        operator = UserFactory(organisation=None, is_superuser=True, is_staff=True)
        client.force_login(operator, backend="django.contrib.auth.backends.ModelBackend")
        assert client.get(reverse("team_dashboard")).status_code == 404
        assert client.get(reverse("team_dashboard_export", args=["summary"])).status_code == 404

    def test_anonymous_is_sent_to_login(self, client, db):
        response = client.get(reverse("team_dashboard"))
        assert response.status_code == 302 and "/login/" in response["Location"]


class TestFilters:
    def test_defaults_to_the_last_12_iso_weeks(self, program, client_for, leader_a):
        response = client_for(leader_a).get(reverse("team_dashboard"))
        dashboard = response.context["dashboard"]
        # Monday of W01 (29 Dec 2025) to Sunday of this week W12 (22 March).
        assert (dashboard.date_from, dashboard.date_to) == (d(12, 29, 2025), d(3, 22))
        assert len(dashboard.weeks) == 12
        assert default_period(TODAY) == (d(12, 29, 2025), d(3, 22))
        html = response.content.decode()
        assert 'value="2025-12-29"' in html and 'value="2026-03-22"' in html
        assert "Some filters were not understood" not in html

    @pytest.mark.parametrize(
        ("params", "message"),
        [
            ({"date_from": "2026-03-15", "date_to": "2026-03-02"}, "The start date is after the end date"),
            ({"date_from": "yesterday"}, "Enter a date such as"),
            ({"date_to": "2026-02-30"}, "Enter a date such as"),
            ({"date_from": "0001-01-01", "date_to": "2026-01-01"}, "Choose a date between 2000 and 2100"),
            ({"date_from": "2020-01-01", "date_to": "2026-01-01"}, "The period can be at most 366 days"),
            ({"specialist": "abc"}, "That specialist was not found"),
            ({"specialist": "99999999999999999999999"}, "That specialist was not found"),
        ],
    )
    def test_bad_input_shows_an_error_and_falls_back(self, program, client_for, leader_a, params, message):
        response = client_for(leader_a).get(reverse("team_dashboard"), params)
        assert response.status_code == 200
        assert message in response.content.decode()
        dashboard = response.context["dashboard"]
        assert (dashboard.date_from, dashboard.date_to) == default_period(TODAY)
        assert names(dashboard.rows) == ["Sam", "Sofia"]

    def test_a_nul_byte_is_a_bad_request(self, program, client_for, leader_a):
        # Refused before any view (crm.middleware.NulBytesRefusedMiddleware).
        response = client_for(leader_a).get(reverse("team_dashboard"), {"date_from": "2026-03-02\x00"})
        assert response.status_code == 400

    @pytest.mark.parametrize(
        "params", [{"date_from": "0001-01-01"}, {"date_from": "1900-01-01", "date_to": "2100-12-31"}]
    )
    def test_a_date_out_of_range_is_told_never_substituted_silently(self, program, client_for, leader_a, params):
        # As My week with an out-of-range ?week= (this week, with a message): the page
        # shows the default period and says so, next to the date and above the figures.
        response = client_for(leader_a).get(reverse("team_dashboard"), params)
        assert response.status_code == 200
        html = response.content.decode()
        assert "Choose a date between 2000 and 2100" in html
        assert "Some filters were not understood: the defaults are shown instead." in html
        dashboard = response.context["dashboard"]
        assert (dashboard.date_from, dashboard.date_to) == default_period(TODAY)
        # The page's CSV links carry the period shown, which exports.
        assert f"date_from={dashboard.date_from.isoformat()}" in response.context["query"]

    def test_only_one_date(self, program, client_for, leader_a):
        dashboard = client_for(leader_a).get(reverse("team_dashboard"), {"date_to": "2026-03-15"}).context["dashboard"]
        # 12 ISO weeks back from the week of 15 March: Monday 22 December 2025.
        assert (dashboard.date_from, dashboard.date_to) == (d(12, 22, 2025), d(3, 15))

    def test_the_page_shows_definitions_thresholds_and_status_in_words(self, program, client_for, leader_a):
        html = client_for(leader_a).get(reverse("team_dashboard"), {"date_from": "2026-01-05", "date_to": "2026-03-15"})
        html = html.content.decode()
        assert "Threshold:" in html and "at least 85%" in html and "at most 4 per specialist" in html
        assert "Does not meet the threshold" in html and "Meets the threshold" in html
        assert "<svg" in html and '<title id="contacts-chart-title"' in html and "<desc" in html
        assert "Omar Diallo" in html  # passed day 30: the team leader sees who


def read_csv(response, delimiter=","):
    content = response.content.decode("utf-8")
    assert content.startswith("\ufeff")
    return list(csv.reader(io.StringIO(content[1:]), delimiter=delimiter))


class TestCsvExport:
    def url(self, table):
        return reverse("team_dashboard_export", args=[table])

    def test_weekly_contacts(self, program, client_for, leader_a):
        response = client_for(leader_a).get(self.url("weekly"), {"date_from": "2026-03-02", "date_to": "2026-03-15"})
        assert response.status_code == 200
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        assert response["Content-Disposition"] == ('attachment; filename="fidelity-weekly-2026-03-02-2026-03-15.csv"')
        assert read_csv(response) == [
            ["Specialist", "Team", "2026-W10", "2026-W11"],
            [str(program_user(leader_a, "sam")), "Team A", "6", "4"],
            [str(program_user(leader_a, "sofia")), "Team A", "7", "6"],
            ["Team total", "", "13", "10"],
        ]

    def test_no_first_contact_list(self, program, client_for, leader_a):
        rows = read_csv(client_for(leader_a).get(self.url("no-first-contact")))
        assert rows[0] == ["Job seeker", "Specialist", "In job search since", "Days in job search"]
        assert [row[0] for row in rows[1:]] == ["Omar Diallo", "Emma Laurent"]
        assert [row[2:] for row in rows[1:]] == [["2026-01-05", "72"], ["2026-02-09", "37"]]

    def test_every_table_exports(self, program, client_for, program_admin):
        client = client_for(program_admin)
        for table in (
            "summary",
            "contacts",
            "weekly",
            "chart",
            "caseload",
            "no-recent-contact",
            "first-contact",
            "no-first-contact",
            "starts",
            "follow-along",
        ):
            response = client.get(self.url(table), {"date_from": "2026-01-05", "date_to": "2026-03-15"})
            assert response.status_code == 200, table
            assert len(read_csv(response)) >= 2, table

    def test_summary_has_one_row_per_figure(self, program, client_for, leader_a):
        rows = read_csv(
            client_for(leader_a).get(self.url("summary"), {"date_from": "2026-01-05", "date_to": "2026-03-15"})
        )
        by_figure = {row[0]: row for row in rows[1:]}
        assert len(by_figure) == 18
        assert by_figure["Competitive jobs"][1:6] == ["75.0", "3", "4", "at least 95%", "Does not meet the threshold"]

    def test_respects_access_rules(self, program, client_for, leader_a, specialist_bob):
        rows = read_csv(client_for(leader_a).get(self.url("caseload"), {"specialist": specialist_bob.pk}))
        assert [row[0] for row in rows[1:]] == [
            str(program_user(leader_a, "sam")),
            str(program_user(leader_a, "sofia")),
        ]
        rows = read_csv(client_for(leader_a).get(self.url("no-recent-contact")))
        assert "Jules Fabre" not in [row[0] for row in rows]

    def test_unknown_table_is_404(self, program, client_for, leader_a):
        assert client_for(leader_a).get(self.url("passwords")).status_code == 404

    @pytest.mark.parametrize(
        ("table", "params", "problem"),
        [
            ("summary", {"date_from": "0001-01-01"}, "From: Choose a date between 2000 and 2100."),
            (
                "weekly",
                {"date_from": "1900-01-01", "date_to": "2100-12-31"},
                "From: Choose a date between 2000 and 2100.",
            ),
            ("weekly", {"date_to": "2101-01-01"}, "To: Choose a date between 2000 and 2100."),
            ("contacts", {"date_from": "yesterday"}, "From: Enter a date such as 2026-03-02."),
            ("contacts", {"date_to": "2026-02-30"}, "To: Enter a date such as 2026-03-29."),
            (
                "summary",
                {"date_from": "2026-03-15", "date_to": "2026-03-02"},
                "The end date must be on or after the start date.",
            ),
            ("summary", {"date_from": "2020-01-01", "date_to": "2026-01-01"}, "The period can be at most 366 days."),
        ],
    )
    def test_a_date_not_understood_is_a_400_with_its_message_never_a_file(
        self, program, client_for, leader_a, table, params, problem
    ):
        # As the contact export (jobdev/export_views.py): never the default 12 weeks in
        # a file named after them, silently.
        response = client_for(leader_a).get(self.url(table), params)
        assert response.status_code == 400
        assert "Content-Disposition" not in response and response["Content-Type"].startswith("text/html")
        page = response.content.decode()
        assert "Export not possible" in page
        assert f"The export could not be made: {problem}" in page
        assert "showing the last 12 weeks" not in page

    def test_a_refused_date_is_explained_in_french(self, program, client_for, leader_a):
        client = client_for(leader_a)
        client.cookies["django_language"] = "fr"
        response = client.get(self.url("summary"), {"date_from": "0001-01-01"})
        assert response.status_code == 400
        page = unescape(response.content.decode())
        assert "L'export n'a pas pu être réalisé" in page and "entre 2000 et 2100" in page

    def test_dates_at_the_edges_of_the_policy_are_exported(self, program, client_for, leader_a):
        client = client_for(leader_a)
        for params in ({"date_from": "2000-01-01", "date_to": "2000-12-31"}, {"date_to": "2100-12-31"}):
            response = client.get(self.url("summary"), params)
            assert response.status_code == 200, params
            assert len(read_csv(response)) >= 2

    def test_cells_that_look_like_formulas_are_neutralised(self, program, client_for, leader_a):
        person = program["people"]["omar"]
        person.first_name = "=HYPERLINK(1)"
        person.save()
        rows = read_csv(client_for(leader_a).get(self.url("no-recent-contact")))
        assert rows[1][0] == "'=HYPERLINK(1) Diallo"


class TestCsvInTheReadersLanguage:
    """Every dashboard CSV is written by the one CSV writer (crm.csv_export): French
    Excel reads ";" and "3,2", English Excel "," and "3.2"."""

    PERIOD = {"date_from": "2026-01-05", "date_to": "2026-03-15"}
    FORMATS = {"fr": (";", ","), "en": (",", ".")}

    def export(self, client, language, table, params=None):
        client.cookies["django_language"] = language
        return client.get(reverse("team_dashboard_export", args=[table]), params or self.PERIOD)

    @pytest.mark.parametrize("language", ["fr", "en"])
    def test_every_table_parses_back_with_the_languages_separator(self, program, client_for, program_admin, language):
        client = client_for(program_admin)
        delimiter, decimal_mark = self.FORMATS[language]
        other_mark = "." if decimal_mark == "," else ","
        for table in TABLES:
            response = self.export(client, language, table)
            assert response.content.startswith(b"\xef\xbb\xbf"), table
            header, *rows = read_csv(response, delimiter)
            assert len(header) > 1, table  # a wrong separator gives one column
            assert all(len(row) == len(header) for row in rows), table
            for row in rows:
                for cell in row:
                    # A number with decimals is written with the language's decimal mark only.
                    assert not re.fullmatch(rf"-?\d+\{other_mark}\d+", cell), (table, row)

    @pytest.mark.parametrize(
        "language,label,value", [("fr", "Emplois en milieu ordinaire", "75,0"), ("en", "Competitive jobs", "75.0")]
    )
    def test_decimals_use_the_languages_decimal_mark(self, program, client_for, leader_a, language, label, value):
        delimiter = self.FORMATS[language][0]
        rows = read_csv(self.export(client_for(leader_a), language, "summary", self.PERIOD), delimiter)
        by_figure = {row[0]: row for row in rows[1:]}
        assert by_figure[label][1:4] == [value, "3", "4"]  # 3 of 4 jobs, 75.0 %

    @pytest.mark.parametrize("language", ["fr", "en"])
    def test_the_weekly_average_is_a_number_in_the_readers_language(self, program, client_for, leader_a, language):
        delimiter, decimal_mark = self.FORMATS[language]
        params = {"date_from": "2026-03-02", "date_to": "2026-03-15"}
        header, *rows = read_csv(self.export(client_for(leader_a), language, "contacts", params), delimiter)
        averages = [row[3] for row in rows]
        assert averages and all(re.fullmatch(rf"\d+(\{decimal_mark}\d+)?", average) for average in averages)
        assert any(decimal_mark in average for average in averages)  # 6.5 and 5.0 per week: not whole numbers only

    @pytest.mark.parametrize(
        "language,filename",
        [
            ("en", "fidelity-weekly-2026-03-02-2026-03-15.csv"),
            ("fr", "fidelite-hebdomadaire-2026-03-02-2026-03-15.csv"),
        ],
    )
    def test_file_names_are_in_the_readers_language(self, program, client_for, leader_a, language, filename):
        response = self.export(
            client_for(leader_a), language, "weekly", {"date_from": "2026-03-02", "date_to": "2026-03-15"}
        )
        assert response["Content-Disposition"] == f'attachment; filename="{filename}"'

    def test_every_table_has_a_translated_file_name(self):
        from django.utils import translation

        from jobdev.dashboard.rendering import TABLE_FILE_NAMES

        assert set(TABLE_FILE_NAMES) == set(TABLES)
        with translation.override("fr"):
            french = {slug: str(name) for slug, name in TABLE_FILE_NAMES.items()}
        assert all(french[slug] != slug for slug in TABLES if slug != "contacts"), french
        assert all(name.isascii() and " " not in name for name in french.values())

    def test_formula_cells_are_escaped_in_french_too(self, program, client_for, leader_a):
        person = program["people"]["omar"]
        person.first_name = "=HYPERLINK(1)"
        person.save()
        rows = read_csv(self.export(client_for(leader_a), "fr", "no-recent-contact"), ";")
        assert rows[1][0] == "'=HYPERLINK(1) Diallo"


class TableCells(HTMLParser):
    """The header cells and rows of each `<table id="table-...">` of a page."""

    def __init__(self):
        super().__init__()
        self.tables: dict[str, dict] = {}
        self.table = self.cell = self.row = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and attrs.get("id", "").startswith("table-"):
            self.table = self.tables.setdefault(attrs["id"][len("table-") :], {"headers": [], "rows": []})
        elif self.table is not None and tag == "tr":
            self.row = []
        elif self.table is not None and tag in ("th", "td"):
            self.cell = {"scope": attrs.get("scope"), "text": ""}

    def handle_endtag(self, tag):
        if self.table is None:
            return
        if tag in ("th", "td") and self.cell is not None:
            if self.cell["scope"] == "col":
                self.table["headers"].append(" ".join(self.cell["text"].split()))
            else:
                self.row.append(" ".join(self.cell["text"].split()))
            self.cell = None
        elif tag == "tr":
            if self.row:
                self.table["rows"].append(self.row)
            self.row = None
        elif tag == "table":
            self.table = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell["text"] += data


def page_tables(client, params):
    parser = TableCells()
    parser.feed(client.get(reverse("team_dashboard"), params).content.decode())
    return parser.tables


class TestTablesOnThePageAndInCsv:
    """Each table is defined once (jobdev/dashboard/tables.py): the page and the CSV
    export show the same columns, with the same words, and the same rows."""

    PERIOD = {"date_from": "2026-01-05", "date_to": "2026-03-15"}

    @pytest.mark.parametrize("language", ["en", "fr"])
    def test_every_table_has_the_same_header_on_the_page_and_in_the_csv(
        self, program, client_for, program_admin, language
    ):
        client = client_for(program_admin)
        client.cookies["django_language"] = language
        tables = page_tables(client, self.PERIOD)
        assert set(tables) == set(TABLES)
        for table in TABLES:
            response = client.get(reverse("team_dashboard_export", args=[table]), self.PERIOD)
            csv_rows = read_csv(response, delimiter=";" if language == "fr" else ",")
            assert tables[table]["headers"] == csv_rows[0], table

    def test_the_summary_table_is_on_the_page_in_the_readers_language(self, program, client_for, program_admin):
        client = client_for(program_admin)
        client.cookies["django_language"] = "fr"
        page = client.get(reverse("team_dashboard"), self.PERIOD).content.decode()
        assert "<summary>Tous les indicateurs dans un tableau</summary>" in page
        assert len(page_tables(client, self.PERIOD)["summary"]["rows"]) == 18

    def test_every_table_has_the_same_rows_on_the_page_and_in_the_csv(self, program, client_for, program_admin):
        client = client_for(program_admin)
        tables = page_tables(client, self.PERIOD)
        for table in TABLES:
            csv_rows = read_csv(client.get(reverse("team_dashboard_export", args=[table]), self.PERIOD))[1:]
            page_rows = tables[table]["rows"]
            assert len(page_rows) == len(csv_rows), table
            if table != "starts":  # the page names the month, the CSV gives 2026-03
                assert [row[0] for row in page_rows] == [row[0] for row in csv_rows], table

    def test_numbers_agree_cell_by_cell(self, program, client_for, leader_a):
        client = client_for(leader_a)
        period = {"date_from": "2026-03-02", "date_to": "2026-03-15"}
        page = page_tables(client, period)
        for table in ("weekly", "contacts", "follow-along"):
            csv_rows = read_csv(client.get(reverse("team_dashboard_export", args=[table]), period))[1:]
            for page_row, csv_row in zip(page[table]["rows"], csv_rows, strict=True):
                for page_cell, csv_cell in zip(page_row, csv_row, strict=True):
                    if csv_cell.replace(".", "").isdigit():
                        assert float(page_cell.split()[0]) == float(csv_cell), (table, page_row, csv_row)

    def test_a_count_below_the_weekly_target_is_marked_on_the_page_only(self, program, client_for, leader_a):
        response = client_for(leader_a).get(
            reverse("team_dashboard"), {"date_from": "2026-03-02", "date_to": "2026-03-15"}
        )
        assert '<td class="below-target">4<span class="visually-hidden"> (below the target)</span></td>' in (
            response.content.decode()
        )
        rows = read_csv(
            client_for(leader_a).get(
                reverse("team_dashboard_export", args=["weekly"]), {"date_from": "2026-03-02", "date_to": "2026-03-15"}
            )
        )
        assert rows[1][2:] == ["6", "4"]


def program_user(user, username):
    return type(user).objects.get(username=username)


class TestQueryCount:
    def more_data(self, organisation, specialists, factor):
        """`factor` more job seekers, contacts, placements and tasks per specialist."""
        employers = [EmployerFactory(organisation=organisation) for _ in range(factor)]
        for specialist in specialists:
            for index in range(factor):
                person = job_seeker(specialist, f"Extra{index} Person", since=d(2, 1 + index % 20))
                contact(specialist, employers[index], at(3, 2 + index % 12), job_seekers=[person])
                contact(specialist, employers[index], at(2, 1 + index % 20), mode="phone", job_seekers=[person])
                started = placement(person, employers[index], d(2, 1 + index % 20))
                milestone(started, at(3, 1 + index % 10), index % 2 == 0)
                task(person, d(3, 1 + index % 10), status="done", completed_on=d(3, 1 + index % 12))
                task(person, d(2, 1 + index % 20))

    def page_queries(self, client):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("team_dashboard"), {"date_from": "2026-01-05", "date_to": "2026-03-15"})
        assert response.status_code == 200
        return len(queries)

    def test_page_query_count_does_not_grow_with_the_data(
        self, program, client_for, program_admin, organisation, specialist_sam, specialist_sofia, specialist_bob
    ):
        client = client_for(program_admin)
        small = self.page_queries(client)
        extra_team = TeamFactory(organisation=organisation, name="Team C")
        newcomers = [UserFactory(organisation=organisation, team=extra_team) for _ in range(3)]
        self.more_data(organisation, [specialist_sam, specialist_sofia, specialist_bob, *newcomers], 15)
        large = self.page_queries(client)
        assert large == small
        assert EmployerContact.objects.count() > 150 and SupportTask.objects.count() > 150

    def test_page_query_count_is_pinned(self, program, client_for, program_admin, django_assert_max_num_queries):
        client = client_for(program_admin)
        with django_assert_max_num_queries(22):
            response = client.get(reverse("team_dashboard"))
        assert response.status_code == 200

    def test_csv_query_count_is_small(self, program, client_for, leader_a, django_assert_max_num_queries):
        client = client_for(leader_a)
        with django_assert_max_num_queries(15):
            client.get(reverse("team_dashboard_export", args=["weekly"]))
