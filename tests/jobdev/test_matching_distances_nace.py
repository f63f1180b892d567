"""Issue 12, section 3 (docs/matching.md): a missing point is "distance unknown" and
scores nothing; the distance and the travel time the ranking used are shown, in the
reader's language; industry is matched on the employer's NACE code where it has one,
else on its section. Also the NACE code on the employer form and in the import."""

import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from crm.access import access_scope
from crm.models import JobType
from crm.taxonomies import JOB_TYPE_NACE_CODES, JOB_TYPES, nace_codes_match, nace_section
from employers.forms import EmployerForm
from employers.models import Employer
from jobdev import matching
from tests.factories import EmployerFactory, JobSeekerFactory
from tests.jobdev.test_matching import HOME, industry, job_type, opening, prefer, site

# 3.4 km from HOME (the Vieux-Port): Prado.
PRADO = (Decimal("43.270000"), Decimal("5.390000"))
# 26.5 km: Aix-en-Provence.
AIX = (Decimal("43.529700"), Decimal("5.447400"))


def by_name(matches):
    return {match.employer.name: match for match in matches}


@pytest.fixture
def located(specialist_sam):
    """Malik lives at the Vieux-Port (a point), wants kitchen work in industry I, 8 km."""
    person = JobSeekerFactory(
        specialist=specialist_sam, first_name="Malik", last_name="Amrani", latitude=HOME[0], longitude=HOME[1]
    )
    prefer(person, job_types=["kitchen_helper"], industries=["I"], max_distance_km=8)
    return person


@pytest.fixture
def employers(specialist_sam):
    org = specialist_sam.organisation
    e = {}
    e["near"] = EmployerFactory(organisation=org, name="Brasserie du Prado", industry=industry("I"))
    site(e["near"], postcode="13008", at=PRADO)
    e["unlocated"] = EmployerFactory(organisation=org, name="Hôtel Sans Point", industry=industry("I"))
    site(e["unlocated"], postcode="13001")  # Marseille, no point
    e["far"] = EmployerFactory(organisation=org, name="Auberge d'Aix", industry=industry("I"))
    site(e["far"], town="Aix-en-Provence", postcode="13100", at=AIX)
    return e


class TestMissingPoints:
    def test_without_a_home_point_the_distance_is_unknown_and_scores_nothing(self, specialist_sam, located, employers):
        located.latitude = located.longitude = None
        located.save()
        with translation.override("en"):
            matches = by_name(matching.matches_for_job_seeker(access_scope(specialist_sam), located).employers)
        # 20 industry I each, no distance points for anyone: no "near", no "far", no
        # "same town" guess. Ties by name.
        assert [(name, match.score) for name, match in matches.items()] == [
            ("Auberge d'Aix", 20),
            ("Brasserie du Prado", 20),
            ("Hôtel Sans Point", 20),
        ]
        for match in matches.values():
            assert match.distance_km is None and match.travel_minutes is None
            assert match.distance_text == "Distance unknown: home not located"
            assert not any("km" in reason for reason in match.reasons + match.concerns)
        # The town is a fact, not a distance.
        assert "Distance unknown: home not located (same town: Marseille)" in matches["Hôtel Sans Point"].unknowns
        assert "Distance unknown: home not located" in matches["Auberge d'Aix"].unknowns

    def test_the_page_says_the_maximum_distance_cannot_be_applied(self, client_for, specialist_sam, located, employers):
        located.latitude = located.longitude = None
        located.save()
        response = client_for(specialist_sam).get(reverse("matching_for_job_seeker", args=[located.pk]))
        body = response.content.decode()
        assert response.status_code == 200
        assert "It cannot be applied: the home is not located." in body
        assert "the maximum of 8 km cannot be applied" in body
        assert body.count("Distance unknown: home not located") >= 3

    def test_a_site_without_a_point_is_unknown_and_ranks_above_a_known_far_one(
        self, specialist_sam, located, employers
    ):
        with translation.override("en"):
            matches = by_name(matching.matches_for_job_seeker(access_scope(specialist_sam), located).employers)
        assert [(name, match.score) for name, match in matches.items()] == [
            ("Brasserie du Prado", 20 + 20),  # industry + near
            ("Hôtel Sans Point", 20 + 0),  # industry + distance unknown
            ("Auberge d'Aix", 20 - 10),  # industry + far
        ]
        unlocated = matches["Hôtel Sans Point"]
        assert unlocated.distance_km is None
        assert unlocated.distance_text == "Distance unknown: site not located"
        assert "Distance unknown: site not located (same town: Marseille)" in unlocated.unknowns

    def test_an_employer_with_a_far_site_and_an_unlocated_one_is_not_penalised(
        self, specialist_sam, located, employers
    ):
        site(employers["far"], town="Aix-en-Provence", postcode="13090")  # a second site, no point
        with translation.override("en"):
            far = by_name(matching.matches_for_job_seeker(access_scope(specialist_sam), located).employers)[
                "Auberge d'Aix"
            ]
        assert far.score == 20 + 0
        assert far.concerns == ["26.5 km from home, about 64 min: farther than 8 km"]
        assert "Distance unknown for 1 site: not located" in far.unknowns

    def test_a_person_without_a_point_gets_no_distance_points_for_an_employer(self, specialist_sam, located, employers):
        located.latitude = located.longitude = None
        located.save()
        with translation.override("en"):
            caseload = matching.matches_for_employer(access_scope(specialist_sam), employers["near"])
        malik = {m.job_seeker.first_name: m for m in caseload.job_seekers}["Malik"]
        assert malik.score == 20  # industry only: the Prado site is 3.4 km away, but her home has no point
        assert malik.distance_text == "Distance unknown: home not located"


class TestDistanceShown:
    def test_distance_and_travel_time_in_the_explanation(self, specialist_sam, located, employers):
        with translation.override("en"):
            near = by_name(matching.matches_for_job_seeker(access_scope(specialist_sam), located).employers)[
                "Brasserie du Prado"
            ]
        # 3.4 km at 25 km/h (jobdev.planning.TRAVEL_SPEED_KMH) is 8 minutes.
        assert near.distance_km == pytest.approx(3.4, abs=0.05) and near.travel_minutes == 8
        assert near.distance_text == "3.4 km, about 8 min"
        assert "3.4 km from home, about 8 min (at most 8 km)" in near.reasons

    def test_in_french_with_a_decimal_comma(self, client_for, specialist_sam, located, employers):
        client = client_for(specialist_sam)
        response = client.get(reverse("matching_for_job_seeker", args=[located.pk]), headers={"accept-language": "fr"})
        body = response.content.decode()
        assert response.status_code == 200
        assert "3,4 km" in body and "3.4 km" not in body
        assert "26,5 km" in body
        with translation.override("fr"):
            near = by_name(matching.matches_for_job_seeker(access_scope(specialist_sam), located).employers)[
                "Brasserie du Prado"
            ]
            assert near.distance_text.startswith("3,4 km")

    def test_on_the_caseload_ranking_of_an_opening(self, client_for, specialist_sam, located, employers):
        job = opening(employers["near"], "kitchen_helper", title="Plongeur", hours=20, pay="12.50")
        response = client_for(specialist_sam).get(reverse("matching_for_opening", args=[job.pk]))
        body = response.content.decode()
        assert response.status_code == 200
        assert "Malik Amrani" in body and "3.4 km, about 8 min" in body


@pytest.fixture
def mechanic(specialist_sam):
    """Yanis, a motor vehicle mechanic at the Vieux-Port, wants section G (as in the demo)."""
    person = JobSeekerFactory(
        specialist=specialist_sam, first_name="Yanis", last_name="Bouzid", latitude=HOME[0], longitude=HOME[1]
    )
    prefer(person, job_types=["vehicle_mechanic"], industries=["G"], max_distance_km=8)
    return person


@pytest.fixture
def section_g(specialist_sam):
    """Three employers of section G, all 3.4 km away: a garage and a bookshop with NACE
    codes, and a shop without one."""
    org = specialist_sam.organisation
    e = {}
    for key, name, code in [
        ("bookshop", "Alpha Librairie", "47.61"),  # named to come first on a tie
        ("garage", "Garage du Prado", "45.20"),
        ("uncoded", "Bazar du Prado", ""),
    ]:
        e[key] = EmployerFactory(organisation=org, name=name, industry=industry("G"), nace_code=code)
        site(e[key], postcode="13008", at=PRADO)
    return e


class TestIndustryByNaceCode:
    def test_every_job_type_has_nace_codes_after_the_migrations(self, db):
        assert set(JOB_TYPE_NACE_CODES) == {code for code, *_ in JOB_TYPES}
        codes = dict(JobType.objects.values_list("code", "nace_codes"))
        assert all(codes.values()), [code for code, nace in codes.items() if not nace]
        assert codes["vehicle_mechanic"] == ["45.2", "45.4"] and codes["cook"] == ["56", "55.1"]
        for nace in codes.values():
            assert all(re.fullmatch(r"\d{2}(\.\d{1,2})?", code) and nace_section(code) for code in nace)

    def test_codes_match_by_prefix(self):
        assert nace_codes_match("45.20", "45.2") and nace_codes_match("45.20", "45")
        assert nace_codes_match("45", "45.2")  # a division-only employer may do the job
        assert not nace_codes_match("47.61", "45.2") and not nace_codes_match("45.20", "45.4")
        assert not nace_codes_match("", "45")

    def test_a_mechanic_gets_the_garage_not_the_bookshop(self, specialist_sam, mechanic, section_g):
        with translation.override("en"):
            matches = matching.matches_for_job_seeker(access_scope(specialist_sam), mechanic).employers
        scores = {m.employer.name: m.score for m in matches}
        names = [m.employer.name for m in matches]
        assert names.index("Garage du Prado") < names.index("Alpha Librairie")
        assert scores == {
            "Garage du Prado": 20 + 20,  # activity 45.20 fits the mechanic + near
            "Bazar du Prado": 20 + 20,  # no NACE code: section G wanted, as before + near
            "Alpha Librairie": 0 + 20,  # 47.61: no industry points + near (close to home)
        }
        explained = by_name(matches)
        assert "Activity fits Motor vehicle mechanic: NACE 45.20" in explained["Garage du Prado"].reasons
        assert (
            "Industry wanted: Wholesale and retail trade, repair of vehicles (by section: no NACE code recorded)"
            in explained["Bazar du Prado"].reasons
        )
        bookshop = explained["Alpha Librairie"]
        assert not any("Industry" in reason or "Activity" in reason for reason in bookshop.reasons)
        assert "Industry wanted, but NACE 47.61 is not where Motor vehicle mechanic work" in bookshop.concerns

    def test_a_bookshop_within_reach_is_no_longer_a_candidate_for_the_mechanic(
        self, specialist_sam, mechanic, section_g
    ):
        # 26.5 km away (beyond 8 km, within reach): only a wanted industry or job type
        # makes such an employer a candidate, and the bookshop's code is neither.
        for employer in section_g.values():
            employer.sites.update(town="Aix-en-Provence", latitude=AIX[0], longitude=AIX[1])
        names = [
            m.employer.name for m in matching.matches_for_job_seeker(access_scope(specialist_sam), mechanic).employers
        ]
        assert names == ["Bazar du Prado", "Garage du Prado"]  # both 20 - 10 far, by name

    def test_the_job_type_alone_finds_employers_by_nace_code(self, specialist_sam, section_g):
        person = JobSeekerFactory(specialist=specialist_sam, latitude=HOME[0], longitude=HOME[1])
        prefer(person, job_types=["vehicle_mechanic"], max_distance_km=2)  # nothing is near
        with translation.override("en"):
            matches = by_name(matching.matches_for_job_seeker(access_scope(specialist_sam), person).employers)
        # No industry wanted: the codes only choose the candidates, by the code where the
        # employer has one (the bookshop's 47.61 does not fit), else by the section (G,
        # where the mechanic's 45.2 is). No industry points: both far (3.4 km > 2 km).
        assert list(matches) == ["Bazar du Prado", "Garage du Prado"]
        assert matches["Garage du Prado"].score == matches["Bazar du Prado"].score == -10
        assert not any("Activity" in r or "Industry" in r for m in matches.values() for r in m.reasons)

    def test_a_wanted_section_no_job_type_narrows_counts_for_any_code_in_it(self, specialist_sam):
        person = JobSeekerFactory(specialist=specialist_sam, latitude=HOME[0], longitude=HOME[1])
        prefer(person, job_types=["vehicle_mechanic"], industries=["I"], max_distance_km=8)
        restaurant = EmployerFactory(
            organisation=specialist_sam.organisation, name="Le Resto", industry=industry("I"), nace_code="56.10"
        )
        site(restaurant, postcode="13008", at=PRADO)
        with translation.override("en"):
            match = matching.matches_for_job_seeker(access_scope(specialist_sam), person).employers[0]
        assert match.employer == restaurant and match.score == 20 + 20
        assert "Industry wanted: Accommodation and food service (NACE 56.10)" in match.reasons

    def test_openings_follow_the_same_rule(self, specialist_sam, mechanic, section_g):
        opening(section_g["bookshop"], "shop_sales_assistant", title="Libraire")
        opening(section_g["garage"], "vehicle_cleaner", title="Laveur")
        with translation.override("en"):
            openings = {
                m.opening.title: m
                for m in matching.matches_for_job_seeker(access_scope(specialist_sam), mechanic).openings
            }
        assert openings["Laveur"].score == 20 + 20 + 5  # activity fits + near + learned 10 days ago
        assert openings["Libraire"].score == 20 + 5  # near + learned 10 days ago
        assert "Activity fits Motor vehicle mechanic: NACE 45.20" in openings["Laveur"].reasons

    def test_job_seekers_for_a_coded_employer(self, specialist_sam, mechanic, section_g):
        seller = JobSeekerFactory(
            specialist=specialist_sam, first_name="Sarah", last_name="Zidane", latitude=HOME[0], longitude=HOME[1]
        )
        prefer(seller, job_types=["shop_sales_assistant"], industries=["G"], max_distance_km=8)
        scope = access_scope(specialist_sam)
        with translation.override("en"):
            for_garage = {
                m.job_seeker.first_name: m
                for m in matching.matches_for_employer(scope, section_g["garage"]).job_seekers
            }
            for_bookshop = {
                m.job_seeker.first_name: m
                for m in matching.matches_for_employer(scope, section_g["bookshop"]).job_seekers
            }
            for_uncoded = {
                m.job_seeker.first_name: m
                for m in matching.matches_for_employer(scope, section_g["uncoded"]).job_seekers
            }
        assert for_garage["Yanis"].score == 20 + 20 and for_garage["Sarah"].score == 0 + 20
        assert "Activity fits Motor vehicle mechanic: NACE 45.20" in for_garage["Yanis"].reasons
        assert "Industry wanted, but NACE 45.20 is not where Shop sales assistant work" in for_garage["Sarah"].concerns
        assert for_bookshop["Sarah"].score == 20 + 20 and for_bookshop["Yanis"].score == 0 + 20
        assert "Activity fits Shop sales assistant: NACE 47.61" in for_bookshop["Sarah"].reasons
        # Without a code, section G counts for both, as before.
        assert for_uncoded["Yanis"].score == for_uncoded["Sarah"].score == 20 + 20

    def test_the_pages_show_the_code_and_keep_their_query_counts(
        self, client_for, specialist_sam, mechanic, section_g, django_assert_max_num_queries
    ):
        client = client_for(specialist_sam)
        with django_assert_max_num_queries(15):
            response = client.get(reverse("matching_for_employer", args=[section_g["garage"].pk]))
        assert "NACE 45.20" in response.content.decode()
        with django_assert_max_num_queries(15):
            response = client.get(reverse("matching_for_job_seeker", args=[mechanic.pk]))
        assert "Activity fits Motor vehicle mechanic: NACE 45.20" in response.content.decode()

    def test_the_job_seeker_page_reads_the_nace_codes_without_another_query(self, specialist_sam, mechanic, section_g):
        matching.matches_for_job_seeker(access_scope(specialist_sam), mechanic)  # warm up
        EmployerFactory(
            organisation=specialist_sam.organisation, name="Garage 2", industry=industry("G"), nace_code="45.2"
        )
        with CaptureQueriesContext(connection) as first:
            matching.matches_for_job_seeker(access_scope(specialist_sam), mechanic)
        prefer_more = mechanic.job_preference
        prefer_more.job_types.add(job_type("cook"))
        with CaptureQueriesContext(connection) as second:
            matching.matches_for_job_seeker(access_scope(specialist_sam), mechanic)
        assert len(first) == len(second)


class TestEmployerForm:
    def data(self, **fields):
        return {"name": "Garage", "size": "unknown", "relationship_stage": "not_contacted", **fields}

    @pytest.mark.parametrize(
        "given,stored", [("4520A", "45.20"), ("45.20Z", "45.20"), ("45.20", "45.20"), ("45.2", "45.2"), ("45", "45")]
    )
    def test_a_naf_or_nace_code_is_kept_as_the_nace_code(self, db, given, stored):
        form = EmployerForm(self.data(industry=industry("G").pk, nace_code=given))
        assert form.is_valid(), form.errors
        assert form.cleaned_data["nace_code"] == stored

    def test_the_code_gives_the_industry_when_none_is_chosen(self, db):
        form = EmployerForm(self.data(nace_code="5610A"))
        assert form.is_valid(), form.errors
        assert form.cleaned_data["industry"].code == "I"

    @pytest.mark.parametrize("given", ["ABC", "4", "00.10", "45.2A1"])
    def test_a_code_that_is_not_one_is_refused(self, db, given):
        form = EmployerForm(self.data(nace_code=given))
        assert not form.is_valid() and "nace_code" in form.errors

    def test_a_code_outside_the_industry_chosen_is_refused(self, db):
        with translation.override("en"):
            form = EmployerForm(self.data(industry=industry("I").pk, nace_code="45.20"))
            assert not form.is_valid()
            assert form.errors["nace_code"] == ["The NACE code 45.20 belongs to section G, not to the industry chosen."]

    def test_the_edit_page_saves_the_code(self, client_for, specialist_sam):
        employer = EmployerFactory(organisation=specialist_sam.organisation, name="Garage", industry=industry("G"))
        response = client_for(specialist_sam).post(
            reverse("employer_edit", args=[employer.pk]),
            self.data(industry=industry("G").pk, nace_code="4520A"),
        )
        assert response.status_code == 302
        employer.refresh_from_db()
        assert employer.nace_code == "45.20"


def upload(client, *lines):
    content = ("\r\n".join(lines) + "\r\n").encode("utf-8-sig")
    return client.post(reverse("employer_import"), {"file": SimpleUploadedFile("e.csv", content, "text/csv")})


class TestImport:
    def test_a_naf_column_gives_the_nace_code_and_the_industry(self, client_for, specialist_sam):
        client = client_for(specialist_sam)
        response = upload(client, "Nom;Code NAF;Ville;Adresse", "Garage du Port;4520A;Marseille;1 quai A")
        preview = response.context["preview"]
        assert preview.errors == []
        assert preview.groups[0].employer["nace_code"] == "45.20"
        assert "(NACE 45.20)" in response.content.decode()
        client.post(reverse("employer_import_confirm", args=[response.context["plan"].pk]))
        garage = Employer.objects.get(name="Garage du Port")
        assert garage.nace_code == "45.20" and garage.industry.code == "G"

    def test_a_naf_code_in_the_industry_column_is_kept_too(self, client_for, specialist_sam):
        preview = upload(client_for(specialist_sam), "Nom;Secteur", "Pizzeria;5610A").context["preview"]
        assert preview.errors == []
        assert preview.groups[0].employer["nace_code"] == "56.10"

    def test_a_code_outside_the_industry_given_is_an_error_on_its_row(self, client_for, specialist_sam):
        with translation.override("en"):
            preview = upload(client_for(specialist_sam), "Nom;Secteur;APE", "Garage;I;4520A").context["preview"]
        assert len(preview.errors) == 1
        assert "The NACE code 45.20 is in section G, not in the industry given (I)." in preview.errors[0].message

    def test_a_cell_that_is_not_a_code_is_an_error(self, client_for, specialist_sam):
        preview = upload(client_for(specialist_sam), "Nom;Code NAF", "Garage;garage").context["preview"]
        assert len(preview.errors) == 1 and "Unknown NAF or NACE code" in preview.errors[0].message


class TestTownOnlyPoints:
    """A point located to the town only (LocationPrecision.MUNICIPALITY: the geocoder
    found the town, not the address) gives no distance points."""

    def test_a_home_located_to_the_town_only_scores_no_distance(self, specialist_sam, located, employers):
        located.location_precision = "municipality"
        located.save()
        with translation.override("en"):
            matches = by_name(matching.matches_for_job_seeker(access_scope(specialist_sam), located).employers)
        # Industry I for each, no near (Prado), no far (Aix): the town centre is no home.
        assert {name: match.score for name, match in matches.items()} == {
            "Auberge d'Aix": 20,
            "Brasserie du Prado": 20,
            "Hôtel Sans Point": 20,
        }
        prado = matches["Brasserie du Prado"]
        assert prado.distance_km is None and not any("km from home" in r for r in prado.reasons + prado.concerns)
        assert prado.distance_text == (
            "Distance unknown: home located to the town only (3.4 km from the town centre, about 8 min)"
        )
        assert "Distance unknown: home located to the town only (same town: Marseille)" in prado.unknowns
        assert "Distance unknown: home located to the town only" in matches["Auberge d'Aix"].unknowns

    def test_in_french_too(self, client_for, specialist_sam, located, employers):
        located.location_precision = "municipality"
        located.save()
        with translation.override("fr"):
            prado = by_name(matching.matches_for_job_seeker(access_scope(specialist_sam), located).employers)[
                "Brasserie du Prado"
            ]
            assert prado.distance_text.startswith("Distance inconnue\u00a0: domicile localisé à la commune seulement")
            assert "3,4 km du centre de la commune" in prado.distance_text
        body = (
            client_for(specialist_sam)
            .get(reverse("matching_for_job_seeker", args=[located.pk]), headers={"accept-language": "fr"})
            .content.decode()
        )
        assert "domicile localisé à la commune seulement" in body

    def test_the_page_says_the_maximum_cannot_be_applied(self, client_for, specialist_sam, located, employers):
        located.location_precision = "municipality"
        located.save()
        body = client_for(specialist_sam).get(reverse("matching_for_job_seeker", args=[located.pk])).content.decode()
        assert "It cannot be applied: the home is located to the town only." in body
        assert "Distances shown are from the town centre." in body

    def test_a_site_located_to_the_town_only_scores_no_distance(self, specialist_sam, located, employers):
        employers["near"].sites.update(location_precision="municipality")
        employers["far"].sites.update(location_precision="municipality")
        with translation.override("en"):
            matches = by_name(matching.matches_for_job_seeker(access_scope(specialist_sam), located).employers)
        # Neither near (Prado) nor far (Aix): distance unknown, 0, like a site without a point.
        assert matches["Brasserie du Prado"].score == matches["Auberge d'Aix"].score == 20
        prado = matches["Brasserie du Prado"]
        assert prado.distance_km is None
        assert prado.distance_text == (
            "Distance unknown: site located to the town only (3.4 km from the town centre, about 8 min)"
        )
        assert "Distance unknown: site located to the town only (same town: Marseille)" in prado.unknowns
        assert not matches["Auberge d'Aix"].concerns
        with translation.override("fr"):
            prado = by_name(matching.matches_for_job_seeker(access_scope(specialist_sam), located).employers)[
                "Brasserie du Prado"
            ]
            assert prado.distance_text.startswith("Distance inconnue\u00a0: site localisé à la commune seulement")

    def test_a_town_only_site_beside_a_precise_one(self, specialist_sam, located, employers):
        site(employers["far"], town="Marseille", postcode="13008", at=PRADO).__class__.objects.filter(
            employer=employers["far"], town="Marseille"
        ).update(location_precision="municipality")
        with translation.override("en"):
            far = by_name(matching.matches_for_job_seeker(access_scope(specialist_sam), located).employers)[
                "Auberge d'Aix"
            ]
        assert far.score == 20 + 0  # the town-only site is unknown, not near, and beats far
        assert far.distance_km == pytest.approx(26.5, abs=0.05)
        assert "Distance unknown for 1 site: located to the town only (same town: Marseille)" in far.unknowns

    def test_the_job_seekers_of_an_employer_follow_the_same_rule(self, specialist_sam, located, employers):
        scope = access_scope(specialist_sam)
        located.location_precision = "municipality"
        located.save()
        with translation.override("en"):
            malik = matching.matches_for_employer(scope, employers["near"]).job_seekers[0]
        assert malik.job_seeker == located and malik.score == 20
        assert malik.distance_text.startswith("Distance unknown: home located to the town only")
        located.location_precision = "housenumber"
        located.save()
        employers["near"].sites.update(location_precision="municipality")
        with translation.override("en"):
            malik = matching.matches_for_employer(scope, employers["near"]).job_seekers[0]
        assert malik.score == 20 and malik.distance_text.startswith("Distance unknown: site located to the town only")
        # A legacy point (blank precision) is taken as known.
        employers["near"].sites.update(location_precision="")
        assert matching.matches_for_employer(scope, employers["near"]).job_seekers[0].score == 20 + 20

    def test_query_counts_unchanged(
        self, client_for, specialist_sam, located, employers, django_assert_max_num_queries
    ):
        located.location_precision = "municipality"
        located.save()
        employers["near"].sites.update(location_precision="municipality")
        client = client_for(specialist_sam)
        with django_assert_max_num_queries(15):
            assert client.get(reverse("matching_for_job_seeker", args=[located.pk])).status_code == 200
        with django_assert_max_num_queries(15):
            assert client.get(reverse("matching_for_employer", args=[employers["near"].pk])).status_code == 200


class TestNoIndustryWanted:
    """A NACE code refines a wanted industry; it earns no points of its own."""

    @pytest.fixture
    def cook(self, specialist_sam):
        person = JobSeekerFactory(
            specialist=specialist_sam, first_name="Inès", last_name="Cook", latitude=HOME[0], longitude=HOME[1]
        )
        prefer(person, job_types=["cook"], max_distance_km=8)  # no industries
        return person

    @pytest.fixture
    def restaurants(self, specialist_sam):
        org = specialist_sam.organisation
        e = {}
        for key, name, code in [("coded", "Resto Codé", "56.10"), ("uncoded", "Resto Sans Code", "")]:
            e[key] = EmployerFactory(organisation=org, name=name, industry=industry("I"), nace_code=code)
            site(e[key], postcode="13008", at=PRADO)
            opening(e[key], "cook", title=f"Cuisinier {key}")
        return e

    def test_a_coded_and_an_uncoded_restaurant_score_the_same(self, specialist_sam, cook, restaurants):
        with translation.override("en"):
            result = matching.matches_for_job_seeker(access_scope(specialist_sam), cook)
        employers = by_name(result.employers)
        assert employers["Resto Codé"].score == employers["Resto Sans Code"].score == 30 + 20 + 5
        for match in employers.values():
            assert not any("Industry" in r or "Activity" in r for r in match.reasons)
        openings = {m.opening.title: m.score for m in result.openings}
        assert openings["Cuisinier coded"] == openings["Cuisinier uncoded"]
        scope = access_scope(specialist_sam)
        for employer in restaurants.values():
            ines = {m.job_seeker.first_name: m for m in matching.matches_for_employer(scope, employer).job_seekers}
            assert ines["Inès"].score == 30 + 20 + 5

    def test_a_code_that_does_not_fit_is_no_candidate_by_its_section(self, specialist_sam, cook, restaurants):
        # 26.5 km away, no opening: only the activity makes a candidate; 55.20 (holiday
        # homes) is not where a cook works, a restaurant without a code falls back to I.
        org = specialist_sam.organisation
        for name, code in [("Gîte d'Aix", "55.20"), ("Resto d'Aix", "")]:
            employer = EmployerFactory(organisation=org, name=name, industry=industry("I"), nace_code=code)
            site(employer, town="Aix-en-Provence", postcode="13100", at=AIX)
        names = [m.employer.name for m in matching.matches_for_job_seeker(access_scope(specialist_sam), cook).employers]
        assert "Resto d'Aix" in names and "Gîte d'Aix" not in names
