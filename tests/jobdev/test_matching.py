"""Matching employers, openings and job seekers (the jobdev.matching package, docs/matching.md).

The fixture is a small Marseille program built by hand; every expected order below is
written by hand from the points table in docs/matching.md, with the arithmetic."""

import datetime
import math
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import FloatField, Value
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from crm.access import access_scope
from crm.models import Industry, JobPreference, JobType
from employers.models import Employer, EmployerSite, JobOpening
from jobdev import matching
from jobdev.matching import geometry
from jobdev.planning import distance_km as haversine_km
from tests.factories import (
    EmployerContactFactory,
    EmployerFactory,
    EmployerSiteFactory,
    JobSeekerFactory,
)

# Home of the job seeker: the Vieux-Port, Marseille.
HOME = (Decimal("43.296500"), Decimal("5.369800"))
Stage = Employer.RelationshipStage


def industry(code):
    return Industry.objects.get(code=code)


def job_type(code):
    return JobType.objects.get(code=code)


def days_ago(days):
    return timezone.localdate() - datetime.timedelta(days=days)


def opening(employer, code, *, title=None, site=None, hours=None, pay=None, shifts=(), learned=10, status="open"):
    return JobOpening.objects.create(
        employer=employer,
        site=site,
        title=title or job_type(code).label_en,
        job_type=job_type(code),
        hours_per_week=hours,
        hourly_pay=Decimal(pay) if pay is not None else None,
        shifts=list(shifts),
        status=status,
        source=JobOpening.Source.EMPLOYER_CONTACT,
        learned_on=days_ago(learned),
    )


def site(employer, *, town="Marseille", postcode="13001", at=None):
    latitude, longitude = at if at else (None, None)
    return EmployerSiteFactory(employer=employer, town=town, postcode=postcode, latitude=latitude, longitude=longitude)


def held_contact(specialist, employer, *, days, job_seekers=(), learned=(), result=""):
    contact = EmployerContactFactory(
        specialist=specialist,
        employer=employer,
        status="held",
        purpose="on_behalf" if job_seekers else "relationship",
        # Wall-clock arithmetic in the program's time zone: the contact's local date is
        # days_ago(days) whichever side of a clock change the two instants fall.
        starts_at=timezone.localtime() - datetime.timedelta(days=days),
        job_seekers=list(job_seekers),
        result=result,
    )
    contact.learned_job_types.set([job_type(code) for code in learned])
    return contact


def prefer(job_seeker, *, job_types=(), industries=(), avoid_job_types=(), avoid_industries=(), **fields):
    preference = JobPreference.objects.create(job_seeker=job_seeker, **fields)
    preference.job_types.set([job_type(code) for code in job_types])
    preference.industries.set([industry(code) for code in industries])
    preference.avoid_job_types.set([job_type(code) for code in avoid_job_types])
    preference.avoid_industries.set([industry(code) for code in avoid_industries])
    return preference


@pytest.fixture
def nadia(specialist_sam):
    nadia = JobSeekerFactory(
        specialist=specialist_sam,
        first_name="Nadia",
        last_name="Benali",
        latitude=HOME[0],
        longitude=HOME[1],
    )
    prefer(
        nadia,
        job_types=["kitchen_helper", "shop_sales_assistant"],
        industries=["I", "G"],
        avoid_job_types=["bartender"],
        avoid_industries=["H"],
        min_hours_per_week=15,
        max_hours_per_week=25,
        min_hourly_pay=Decimal("12.00"),
        shifts=["morning", "afternoon"],
        max_distance_km=8,
    )
    return nadia


@pytest.fixture
def program(specialist_sam, specialist_louis, nadia):
    """Employers of Sam's program (and one of Lyon's), named by what they test."""
    org = specialist_sam.organisation
    e = {}
    # Wanted industry I, has hired from us, a site 0.45 km away, an open kitchen-helper
    # opening learned 10 days ago.
    e["port"] = EmployerFactory(
        organisation=org, name="Boulangerie du Port", industry=industry("I"), relationship_stage=Stage.HAS_HIRED
    )
    e["port_site"] = site(e["port"], at=(Decimal("43.295000"), Decimal("5.375000")))
    e["port_opening"] = opening(
        e["port"], "kitchen_helper", title="Commis", site=e["port_site"], hours=20, pay="12.10", shifts=["morning"]
    )
    # Wanted industry G, relationship, a site 3.4 km away; a held contact on Nadia's
    # behalf 200 days ago learned they hire shop sales assistants; an open shelf-filler
    # opening (not wanted) learned 100 days ago.
    e["prado"] = EmployerFactory(
        organisation=org, name="Carrefour Market Prado", industry=industry("G"), relationship_stage=Stage.RELATIONSHIP
    )
    site(e["prado"], postcode="13008", at=(Decimal("43.270000"), Decimal("5.390000")))
    e["prado_contact"] = held_contact(
        specialist_sam,
        e["prado"],
        days=200,
        job_seekers=[nadia],
        learned=["shop_sales_assistant"],
        result="Met the store manager: call back in spring.",
    )
    e["prado_opening"] = opening(e["prado"], "shelf_filler", title="Employé libre-service", learned=100)
    # Industry R (not wanted), introduced, a site 1.7 km away, an open shop-sales opening
    # learned 120 days ago (30 h/week, 11.00 €/h, evenings); a relationship-building
    # contact held 30 days ago.
    e["panier"] = EmployerFactory(
        organisation=org, name="Librairie du Panier", industry=industry("R"), relationship_stage=Stage.INTRODUCED
    )
    site(e["panier"], postcode="13002", at=(Decimal("43.310000"), Decimal("5.380000")))
    e["panier_opening"] = opening(
        e["panier"], "shop_sales_assistant", title="Vendeur", hours=30, pay="11.00", shifts=["evening"], learned=120
    )
    held_contact(specialist_sam, e["panier"], days=30)
    # Wanted industry I, never contacted, a site in Marseille without coordinates.
    e["belle_vue"] = EmployerFactory(organisation=org, name="Hôtel Belle Vue", industry=industry("I"))
    site(e["belle_vue"], postcode="13007")
    # Wanted industry I, relationship, but its only site is in Aix, 26 km away.
    e["loin"] = EmployerFactory(
        organisation=org, name="Brasserie Loin", industry=industry("I"), relationship_stage=Stage.RELATIONSHIP
    )
    site(e["loin"], town="Aix-en-Provence", postcode="13100", at=(Decimal("43.529700"), Decimal("5.447400")))
    # Wanted industry I, never contacted, no site: ties with Brasserie Loin.
    e["amalfi"] = EmployerFactory(organisation=org, name="Pizzeria Amalfi", industry=industry("I"))
    # Wanted industry G, never contacted, a site in Aubagne without coordinates: within
    # reach through the postcode area (13).
    e["aubagne"] = EmployerFactory(organisation=org, name="Aubagne Primeurs", industry=industry("G"))
    site(e["aubagne"], town="Aubagne", postcode="13400")
    # Not a candidate: the postcode area alone (industry A, nothing wanted).
    e["garage"] = EmployerFactory(organisation=org, name="Garage Aubagnais", industry=industry("A"))
    site(e["garage"], town="Aubagne", postcode="13400")
    # Not a candidate: wanted industry I and a kitchen opening, but only in Lyon, beyond
    # reach (3 x 8 km, at least 30 km).
    e["lyon_bakery"] = EmployerFactory(organisation=org, name="Boulangerie Lyonnaise", industry=industry("I"))
    site(e["lyon_bakery"], town="Lyon", postcode="69001", at=(Decimal("45.767000"), Decimal("4.834000")))
    opening(e["lyon_bakery"], "kitchen_helper", title="Commis lyonnais", hours=20, pay="13.00")
    # Excluded: industry H is avoided, even with a site next door and a kitchen opening.
    e["azur"] = EmployerFactory(
        organisation=org, name="Transports Azur", industry=industry("H"), relationship_stage=Stage.HAS_HIRED
    )
    site(e["azur"], at=(Decimal("43.297000"), Decimal("5.370000")))
    opening(e["azur"], "kitchen_helper", title="Commis de cantine", hours=20, pay="13.00")
    # Excluded: wanted industry I, next door, but the only job type known is avoided.
    e["nuit"] = EmployerFactory(organisation=org, name="Le Bar de Nuit", industry=industry("I"))
    site(e["nuit"], at=(Decimal("43.296000"), Decimal("5.370000")))
    opening(e["nuit"], "bartender", title="Barman", hours=20, pay="12.50")
    # Not a candidate: no wanted industry or job type, and far away (Lyon).
    e["lyon_office"] = EmployerFactory(organisation=org, name="Cabinet Comptable", industry=industry("M"))
    site(e["lyon_office"], town="Lyon", postcode="69002", at=(Decimal("45.764000"), Decimal("4.835700")))
    # Another program's employer, next door and perfect: never visible.
    e["other_program"] = EmployerFactory(
        organisation=specialist_louis.organisation,
        name="Boulangerie Voisine",
        industry=industry("I"),
        relationship_stage=Stage.HAS_HIRED,
    )
    site(e["other_program"], at=(Decimal("43.296500"), Decimal("5.369900")))
    opening(e["other_program"], "kitchen_helper", hours=20, pay="13.00")
    return e


def names(matches):
    return [m.employer.name for m in matches]


class TestEmployersForAJobSeeker:
    def test_expected_order_written_by_hand(self, specialist_sam, nadia, program):
        matches = matching.matches_for_job_seeker(access_scope(specialist_sam), nadia)
        assert [(m.employer.name, m.score) for m in matches.employers] == [
            # 30 open kitchen opening + 20 industry I + 20 near + 15 has hired + 5 fresh
            ("Boulangerie du Port", 90),
            # 20 hires shop sales assistants (learned) + 20 industry G + 20 near + 10 relationship
            ("Carrefour Market Prado", 70),
            # 30 open shop-sales opening + 20 near + 5 introduced + 5 contact held 30 days ago
            ("Librairie du Panier", 60),
            # Four ties at 20, by name:
            # 20 industry G + 0 distance unknown (the site has no coordinates, in Aubagne)
            ("Aubagne Primeurs", 20),
            # 20 industry I - 10 beyond 8 km + 10 relationship
            ("Brasserie Loin", 20),
            # 20 industry I + 0 distance unknown (no coordinates; same town is not a distance)
            ("Hôtel Belle Vue", 20),
            # 20 industry I, no site
            ("Pizzeria Amalfi", 20),
        ]

    def test_hard_exclusions_and_non_candidates(self, specialist_sam, nadia, program):
        shown = names(matching.matches_for_job_seeker(access_scope(specialist_sam), nadia).employers)
        assert "Transports Azur" not in shown  # industry to avoid
        assert "Le Bar de Nuit" not in shown  # only hires a job type to avoid
        assert "Cabinet Comptable" not in shown  # nothing wanted, and far away
        assert "Garage Aubagnais" not in shown  # the postcode area alone
        assert "Boulangerie Lyonnaise" not in shown  # wanted, but beyond reach
        assert "Boulangerie Voisine" not in shown  # another program

    def test_an_employer_hiring_an_avoided_and_a_wanted_job_type_stays_with_a_warning(
        self, specialist_sam, nadia, program
    ):
        opening(program["port"], "bartender", title="Barman")
        with translation.override("en"):
            port = matching.matches_for_job_seeker(access_scope(specialist_sam), nadia).employers[0]
        assert port.employer.name == "Boulangerie du Port"
        assert "Also hires for job types to avoid: Bartender" in port.concerns

    def test_reasons_and_unknowns(self, specialist_sam, nadia, program):
        with translation.override("en"):
            by_name = {
                m.employer.name: m
                for m in matching.matches_for_job_seeker(access_scope(specialist_sam), nadia).employers
            }
        port = by_name["Boulangerie du Port"]
        assert port.reasons == [
            "Open opening: Commis (20 h/week, €12.10/h)",
            "Industry wanted: Accommodation and food service (by section: no NACE code recorded)",
            "0.5 km from home, about 1 min (at most 8 km)",
            "Knows us: has hired from us",
            f"Recent news: opening learned on {days_ago(10):%d/%m/%Y}",
        ]
        assert port.concerns == [] and port.unknowns == []
        assert port.distance_km == pytest.approx(0.45, abs=0.01)

        prado = by_name["Carrefour Market Prado"]
        assert prado.reasons[0] == f"Hires for Shop sales assistant (known since {days_ago(200):%d/%m/%Y})"
        assert "3.4 km from home, about 8 min (at most 8 km)" in prado.reasons
        assert prado.unknowns == [f"Last news on {days_ago(100):%d/%m/%Y}, over 90 days ago"]

        belle_vue = by_name["Hôtel Belle Vue"]
        assert belle_vue.reasons == [
            "Industry wanted: Accommodation and food service (by section: no NACE code recorded)"
        ]
        assert belle_vue.unknowns == [
            "Job types they hire for not known yet",
            "Distance unknown: site not located (same town: Marseille)",
            "Not contacted yet: their hiring needs are unknown",
        ]
        assert belle_vue.distance_km is None and belle_vue.distance_text == "Distance unknown: site not located"
        assert by_name["Brasserie Loin"].concerns == ["26.5 km from home, about 64 min: farther than 8 km"]
        assert "No site recorded: distance unknown" in by_name["Pizzeria Amalfi"].unknowns
        assert by_name["Aubagne Primeurs"].reasons == [
            "Industry wanted: Wholesale and retail trade, repair of vehicles (by section: no NACE code recorded)",
        ]
        assert "Distance unknown: site not located" in by_name["Aubagne Primeurs"].unknowns

    def test_last_contact_on_the_persons_behalf(self, specialist_sam, nadia, program):
        # A later cancelled visit does not hide the last real one.
        cancelled = EmployerContactFactory(
            specialist=specialist_sam,
            employer=program["prado"],
            purpose="on_behalf",
            status="cancelled",
            cancel_reason="Store closed",
            job_seekers=[nadia],
        )
        by_name = {
            m.employer.name: m for m in matching.matches_for_job_seeker(access_scope(specialist_sam), nadia).employers
        }
        assert by_name["Carrefour Market Prado"].last_contact == program["prado_contact"]
        assert by_name["Carrefour Market Prado"].last_contact != cancelled
        # The relationship-building contact at the bookshop was not on her behalf.
        assert by_name["Librairie du Panier"].last_contact is None

    def test_without_a_home_point_distance_is_unknown_and_scores_nothing(self, specialist_sam, nadia, program):
        # Before issue 12, town and postcode area stood in for a distance (12 and 6
        # points): every site of the département scored. Now a missing point is unknown.
        nadia.latitude = nadia.longitude = None
        nadia.save()
        with translation.override("en"):
            by_name = {
                m.employer.name: m
                for m in matching.matches_for_job_seeker(access_scope(specialist_sam), nadia).employers
            }
        assert by_name["Boulangerie du Port"].score == 30 + 20 + 0 + 15 + 5
        assert by_name["Brasserie Loin"].score == 20 + 0 + 10
        assert "Distance unknown: home not located (same town: Marseille)" in by_name["Hôtel Belle Vue"].unknowns

    def test_nothing_to_match_gives_no_results_and_no_ranking_query(self, specialist_sam, program):
        nobody = JobSeekerFactory(specialist=specialist_sam, town="", postcode="")
        matches = matching.matches_for_job_seeker(access_scope(specialist_sam), nobody)
        assert matches.employers == [] and matches.openings == []


class TestOpeningsForAJobSeeker:
    def test_expected_order_written_by_hand(self, specialist_sam, nadia, program):
        matches = matching.matches_for_job_seeker(access_scope(specialist_sam), nadia)
        assert [(m.opening.title, m.score) for m in matches.openings] == [
            # 30 kitchen helper + 20 industry I + 20 near + 10 hours 20 in 15-25 + 10 pay
            # 12.10 >= 12.00 + 15 has hired + 5 learned 10 days ago
            ("Commis", 110),
            # 20 industry G + 20 near (employer's site) + 10 relationship; hours and pay unknown
            ("Employé libre-service", 50),
            # 30 shop sales assistant + 20 near - 10 hours 30 outside 15-25 - 15 pay below
            # 12.00 + 5 introduced
            ("Vendeur", 30),
        ]
        # Excluded: the avoided industry's kitchen opening, the avoided bartender job,
        # and the other program's opening.

    def test_reasons_concerns_and_unknowns(self, specialist_sam, nadia, program):
        with translation.override("en"):
            by_title = {
                m.opening.title: m
                for m in matching.matches_for_job_seeker(access_scope(specialist_sam), nadia).openings
            }
        commis = by_title["Commis"]
        assert "Job type wanted: Kitchen helper" in commis.reasons
        assert "20 h/week, within 15–25 h/week" in commis.reasons
        assert "€12.10/h, at least the €12.00/h wanted" in commis.reasons
        assert "Shifts: Morning" in commis.reasons
        vendeur = by_title["Vendeur"]
        assert vendeur.concerns == [
            "30 h/week, outside 15–25 h/week",
            "€11.00/h, below the €12.00/h wanted",
            "Other shifts: Evening",
        ]
        assert f"Learned on {days_ago(120):%d/%m/%Y}, over 90 days ago: check it is still open" in vendeur.unknowns
        assert {"Hours unknown", "Pay unknown", "Shifts unknown"} <= set(by_title["Employé libre-service"].unknowns)

    def test_filled_openings_are_not_listed(self, specialist_sam, nadia, program):
        program["port_opening"].status = JobOpening.Status.FILLED
        program["port_opening"].save()
        titles = [
            m.opening.title for m in matching.matches_for_job_seeker(access_scope(specialist_sam), nadia).openings
        ]
        assert "Commis" not in titles


@pytest.fixture
def caseload(specialist_sam, specialist_sofia, specialist_bob, nadia):
    """Job seekers around the Boulangerie du Port (Nadia is in `nadia`)."""
    people = {"nadia": nadia}
    # Sofia's (Sam's team covers it): wants cooks in industry I, no coordinates, Marseille.
    people["karim"] = JobSeekerFactory(specialist=specialist_sofia, first_name="Karim", last_name="Haddad")
    prefer(people["karim"], job_types=["cook"], industries=["I"], min_hourly_pay=Decimal("13.00"))
    # Sam's: wants kitchen work, lives in Aix (26 km), wants 25-35 h.
    people["leo"] = JobSeekerFactory(
        specialist=specialist_sam,
        first_name="Léo",
        last_name="Martin",
        town="Aix-en-Provence",
        postcode="13100",
        latitude=Decimal("43.529700"),
        longitude=Decimal("5.447400"),
    )
    prefer(people["leo"], job_types=["kitchen_helper"], min_hours_per_week=25, max_hours_per_week=35)
    # Sam's: no preferences yet, lives in Marseille (same town only).
    people["zoe"] = JobSeekerFactory(specialist=specialist_sam, first_name="Zoé", last_name="Durand")
    # Excluded: avoids industry I.
    people["ines"] = JobSeekerFactory(specialist=specialist_sam, first_name="Inès", last_name="Roux")
    prefer(people["ines"], job_types=["kitchen_helper"], avoid_industries=["I"])
    # Excluded: avoids kitchen work, the only job type the Boulangerie is known for.
    people["hugo"] = JobSeekerFactory(specialist=specialist_sam, first_name="Hugo", last_name="Petit")
    prefer(people["hugo"], industries=["I"], avoid_job_types=["kitchen_helper"])
    # Sam's, wants kitchen work but lives in Lyon: beyond reach.
    people["lucie"] = JobSeekerFactory(
        specialist=specialist_sam,
        first_name="Lucie",
        last_name="Morel",
        town="Lyon",
        postcode="69002",
        latitude=Decimal("45.764000"),
        longitude=Decimal("4.835700"),
    )
    prefer(people["lucie"], job_types=["kitchen_helper"], industries=["I"])
    # Not in job search.
    people["paul"] = JobSeekerFactory(specialist=specialist_sam, first_name="Paul", last_name="Blanc", status="working")
    prefer(people["paul"], job_types=["kitchen_helper"])
    # Team B: not visible to Sam.
    people["bea"] = JobSeekerFactory(
        specialist=specialist_bob, first_name="Béa", last_name="Noir", latitude=HOME[0], longitude=HOME[1]
    )
    prefer(people["bea"], job_types=["kitchen_helper"], industries=["I"])
    return people


class TestJobSeekersForAnEmployer:
    def test_expected_order_written_by_hand(self, specialist_sam, program, caseload):
        matches = matching.matches_for_employer(access_scope(specialist_sam), program["port"])
        assert [(m.job_seeker.first_name, m.score) for m in matches.job_seekers] == [
            # 30 kitchen helper (open) + 20 industry I + 20 near + 15 has hired + 5 fresh
            ("Nadia", 90),
            # 20 industry I + 0 distance unknown (no coordinates) + 15 + 5; ties with Léo, H before M
            ("Karim", 40),
            # 30 kitchen helper - 10 beyond 10 km (default radius) + 15 + 5
            ("Léo", 40),
            # 0 distance unknown (a candidate for living in the same town) + 15 + 5
            ("Zoé", 20),
        ]
        # Inès and Hugo are excluded, Lucie is beyond reach, Paul is working, Béa is on
        # team B's caseload.

    def test_plan_links_only_for_the_users_own_caseload(self, specialist_sam, program, caseload):
        matches = matching.matches_for_employer(access_scope(specialist_sam), program["port"])
        assert {m.job_seeker.first_name: m.can_plan for m in matches.job_seekers} == {
            "Nadia": True,
            "Karim": False,
            "Léo": True,
            "Zoé": True,
        }

    def test_reasons_and_last_contact(self, specialist_sam, program, caseload):
        visit = held_contact(specialist_sam, program["port"], days=3, job_seekers=[caseload["leo"]], result="Trial day")
        with translation.override("en"):
            matches = matching.matches_for_employer(access_scope(specialist_sam), program["port"])
        by_name = {m.job_seeker.first_name: m for m in matches.job_seekers}
        assert by_name["Léo"].last_contact == visit
        assert by_name["Léo"].concerns == ["26.6 km from home, about 64 min: farther than 10 km"]
        assert "Open opening: Commis (20 h/week, €12.10/h)" in by_name["Léo"].reasons
        assert by_name["Karim"].unknowns == ["Distance unknown: home not located (same town: Marseille)"]

    def test_for_an_opening_hours_and_pay_count(self, specialist_sam, program, caseload):
        matches = matching.matches_for_employer(access_scope(specialist_sam), program["port"], program["port_opening"])
        assert [(m.job_seeker.first_name, m.score) for m in matches.job_seekers] == [
            # 30 + 20 + 20 near + 10 hours 20 in 15-25 + 10 pay 12.10 >= 12.00 + 15 + 5
            ("Nadia", 110),
            # 30 kitchen helper - 10 far - 10 hours 20 outside 25-35 + 15 + 5
            ("Léo", 30),
            # 20 industry + 0 distance unknown - 15 pay 12.10 below 13.00 + 15 + 5
            ("Karim", 25),
            # 0 distance unknown + 15 + 5
            ("Zoé", 20),
        ]


class TestInTheDatabase:
    def test_employer_ranking_is_one_ordered_limited_query(self, specialist_sam, nadia, program):
        ranked = matching.rank_employers(access_scope(specialist_sam), matching.wishes_for(nadia))
        assert "match_score" in ranked.query.annotations
        assert ranked.query.order_by == ("-match_score", "name", "pk")
        with CaptureQueriesContext(connection) as queries:
            top = list(ranked.values_list("name", "match_score")[: matching.TOP])
        assert len(queries) == 1
        sql = queries[0]["sql"].upper()
        assert "ORDER BY" in sql and "LIMIT 25" in sql and "EXISTS" in sql
        assert top[0] == ("Boulangerie du Port", 90)

    def test_opening_and_job_seeker_rankings_are_ordered_in_the_database(
        self, specialist_sam, nadia, program, caseload
    ):
        openings = matching.rank_openings(access_scope(specialist_sam), matching.wishes_for(nadia))
        assert openings.query.order_by == ("-match_score", "employer__name", "title", "pk")
        job_seekers = matching.rank_job_seekers(access_scope(specialist_sam), matching.employer_facts(program["port"]))
        assert job_seekers.query.order_by == ("-match_score", "last_name", "first_name", "pk")
        assert "match_score" in job_seekers.query.annotations

    def test_equirectangular_distance_agrees_with_haversine_at_city_scale(self, nadia, program):
        wishes = matching.wishes_for(nadia)
        here = program["port_site"]
        assert matching.distance_km(wishes, here) == pytest.approx(haversine_km(nadia, here), rel=0.005)
        # 26 km north: the cosine of the home's latitude (not the mean) costs under 1 %.
        aix = EmployerSite(latitude=Decimal("43.529700"), longitude=Decimal("5.447400"))
        assert matching.distance_km(wishes, aix) == pytest.approx(haversine_km(nadia, aix), rel=0.01)

    def test_cosine_series_used_in_sql_is_accurate(self, db):
        for degrees in (0, 30, 43.3, 51.5, 70):
            # Evaluated by the database, on a one-row query.
            sql_cos = (
                Industry.objects.filter(code="A")
                .annotate(cos=geometry._cos_degrees(Value(float(degrees), output_field=FloatField())))
                .values_list("cos", flat=True)
                .get()
            )
            assert sql_cos == pytest.approx(math.cos(math.radians(degrees)), abs=1e-5)

    def test_travel_minutes_become_a_radius_when_no_distance_is_given(self):
        assert matching.radius_km(None, 30) == pytest.approx(12.5)
        assert matching.radius_km(5, 30) == 5
        assert matching.radius_km(None, None) == matching.DEFAULT_RADIUS_KM


class TestPages:
    def test_job_seeker_page_lists_matches_with_plan_links(self, client_for, specialist_sam, nadia, program):
        response = client_for(specialist_sam).get(reverse("matching_for_job_seeker", args=[nadia.pk]))
        assert response.status_code == 200
        body = response.content.decode()
        assert body.index("Boulangerie du Port") < body.index("Carrefour Market Prado") < body.index("Pizzeria")
        plan = f"{reverse('contact_plan')}?employer={program['port'].pk}&amp;job_seeker={nadia.pk}"
        assert plan in body
        assert "Plan a visit for Nadia Benali" in body
        assert "Met the store manager: call back in spring." in body  # last contact on her behalf
        assert "Transports Azur" not in body and "Le Bar de Nuit" not in body

    def test_a_teammates_job_seeker_is_readable_but_visits_are_theirs_to_plan(
        self, client_for, specialist_sofia, nadia, program
    ):
        response = client_for(specialist_sofia).get(reverse("matching_for_job_seeker", args=[nadia.pk]))
        assert response.status_code == 200
        assert "Boulangerie du Port" in response.content.decode()
        assert "Plan a visit for" not in response.content.decode()

    def test_employer_and_opening_pages(self, client_for, specialist_sam, program, caseload):
        client = client_for(specialist_sam)
        response = client.get(reverse("matching_for_employer", args=[program["port"].pk]))
        assert response.status_code == 200
        body = response.content.decode()
        assert body.index("Nadia Benali") < body.index("Karim Haddad") < body.index("Léo Martin")
        assert f"?employer={program['port'].pk}&amp;job_seeker={caseload['leo'].pk}" in body
        assert f"job_seeker={caseload['karim'].pk}" not in body  # Sofia's: she plans
        assert "Inès" not in body and "Béa" not in body
        response = client.get(reverse("matching_for_opening", args=[program["port_opening"].pk]))
        assert response.status_code == 200
        assert "Nadia Benali" in response.content.decode()

    def test_another_teams_job_seeker_is_not_found(self, client_for, specialist_bob, nadia, program):
        response = client_for(specialist_bob).get(reverse("matching_for_job_seeker", args=[nadia.pk]))
        assert response.status_code == 404

    def test_another_programs_employer_and_opening_are_not_found(self, client_for, specialist_louis, program):
        client = client_for(specialist_louis)
        assert client.get(reverse("matching_for_employer", args=[program["port"].pk])).status_code == 404
        assert client.get(reverse("matching_for_opening", args=[program["port_opening"].pk])).status_code == 404
        assert client.get(reverse("matching_for_job_seeker", args=[9999])).status_code == 404

    def test_anonymous_users_are_sent_to_log_in(self, client, nadia):
        response = client.get(reverse("matching_for_job_seeker", args=[nadia.pk]))
        assert response.status_code == 302

    def test_french_page_renders(self, client_for, specialist_sam, nadia, program):
        client = client_for(specialist_sam)
        response = client.get(reverse("matching_for_job_seeker", args=[nadia.pk]), headers={"accept-language": "fr"})
        assert response.status_code == 200


class TestQueryCounts:
    def _crowd(self, organisation, count):
        """`count` more employers that all match Nadia: industry I, a site next door, an
        open kitchen-helper opening each."""
        for index in range(count):
            employer = EmployerFactory(organisation=organisation, name=f"Snack {index:03}", industry=industry("I"))
            site(employer, at=(Decimal("43.297000"), Decimal("5.371000")))
            opening(employer, "kitchen_helper", hours=20, pay="12.50")

    def _count(self, client, url):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    def test_job_seeker_page_does_not_grow_with_employers(
        self, client_for, specialist_sam, nadia, program, django_assert_max_num_queries
    ):
        client = client_for(specialist_sam)
        url = reverse("matching_for_job_seeker", args=[nadia.pk])
        few = self._count(client, url)
        self._crowd(specialist_sam.organisation, 40)
        with django_assert_max_num_queries(15):
            response = client.get(url)
        assert len(response.context["matches"].employers) == matching.TOP
        assert self._count(client, url) == few

    def test_employer_page_does_not_grow_with_the_caseload(
        self, client_for, specialist_sam, program, caseload, django_assert_max_num_queries
    ):
        client = client_for(specialist_sam)
        url = reverse("matching_for_employer", args=[program["port"].pk])
        few = self._count(client, url)
        for index in range(30):
            person = JobSeekerFactory(specialist=specialist_sam, first_name=f"Person{index}")
            prefer(person, job_types=["kitchen_helper"], industries=["I"])
        with django_assert_max_num_queries(15):
            response = client.get(url)
        assert len(response.context["matches"].job_seekers) == matching.TOP
        assert self._count(client, url) == few
