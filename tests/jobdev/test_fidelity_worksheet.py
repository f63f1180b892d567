"""The fidelity review worksheet (jobdev.fidelity: services, selectors, pages, CSV).

Today is frozen at Wednesday 18 March 2026, 10:00 in Paris. Reviews are made through
the services (fidelity_review_create, fidelity_review_items_save) with the program's
named users (tests/conftest.py: program Marseille with team A led by Léa, team B led
by Bruno, program admin Ada; program Lyon).

Most tests give the review fixed figures for the 13 data-answerable items (COMPUTED,
through `jobdev.fidelity.items.fidelity_items`, which the figures' own tests prove):
what is tested here is what the worksheet does with them. `test_a_review_reads_the_
records` reads the real figures on records built through the services.

The scores and totals worked out by hand, beside the fixture:

  COMPUTED (items 1, 12, 13, 15-24): 5 + 3 + 4 + 5 + 4 + 3 + 4 + 5 + 5 + 5 + 4 + 3 + 2 = 52
  REVIEWER (the 12 others: 2-11, 14, 25), each 4:                          12 x 4 = 48
  total 52 + 48 = 100, the lowest total of "good fidelity" (100-114);
  the reviewer overriding caseload size 5 -> 4: 99, "fair fidelity" (74-99).
"""

import csv
import datetime
import io
import zoneinfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from crm.access import OutOfScope, access_scope
from crm.models import User
from jobdev.fidelity import scale
from jobdev.fidelity import services as fidelity_services
from jobdev.models import FidelityReview, FidelityReviewItem
from tests.factories import UserFactory

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
TODAY = datetime.date(2026, 3, 18)
PERIOD = (datetime.date(2025, 12, 22), datetime.date(2026, 3, 15))
HUGE = 2**63

# The figures' scores (items 1, 12, 13, 15 to 24), summing to 52.
COMPUTED = {
    "caseload_size": 5,
    "work_incentives_planning": 3,
    "disclosure": 4,
    "rapid_job_search": 5,
    "individualized_job_search": 4,
    "job_development_frequency": 3,
    "job_development_quality": 4,
    "job_type_diversity": 5,
    "employer_diversity": 5,
    "competitive_jobs": 5,
    "individualized_follow_along": 4,
    "time_unlimited_follow_along": 3,
    "community_based_services": 2,
}
COMPUTED_NUMBERS = (1, 12, 13, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24)
REVIEWER_NUMBERS = (2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 14, 25)


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(datetime.datetime(2026, 3, 18, 10, 0, tzinfo=PARIS), tick=False) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def in_english():
    with translation.override("en"):
        yield


@pytest.fixture
def figures(monkeypatch):
    """The data items' results, fixed (COMPUTED): each call's arguments are kept in
    `calls` (scope, filters, today)."""
    from jobdev.fidelity import items

    calls = []

    def fidelity_items(scope, filters, *, today=None):
        calls.append({"scope": scope, "filters": filters, "today": today})
        return {key: result(key, score) for key, score in COMPUTED.items()}

    monkeypatch.setattr(items, "fidelity_items", fidelity_items)
    return calls


def result(key, score, *, value=12.5, numerator=25, denominator=2):
    from jobdev.fidelity.items import ItemResult

    return ItemResult(
        item=scale.ITEMS_BY_KEY[key],
        value=value,
        unit="ratio",
        numerator=numerator,
        denominator=denominator,
        score=score,
        summary=f"Summary of {key}",
        evidence_table="caseload",
        next_anchor=None,
    )


@pytest.fixture
def world(organisation, team_a, team_b, leader_a, leader_b, specialist_sam, specialist_bob, program_admin):
    return {
        "organisation": organisation,
        "team_a": team_a,
        "team_b": team_b,
        "admin": program_admin,
        "leader_a": leader_a,
        "leader_b": leader_b,
        "sam": specialist_sam,
        "bob": specialist_bob,
    }


@pytest.fixture
def other_admin(other_organisation):
    return UserFactory(
        username="lyon-admin", organisation=other_organisation, role=User.Role.PROGRAM_ADMIN, is_staff=True
    )


def create(user, *, team=None, review_date=TODAY, period=PERIOD, **kwargs):
    return fidelity_services.fidelity_review_create(
        scope=access_scope(user),
        review_date=review_date,
        period_from=period[0],
        period_to=period[1],
        team_id=getattr(team, "pk", None),
        **kwargs,
    )


def score_reviewer_items(user, review, score=4):
    fidelity_services.fidelity_review_items_save(
        scope=access_scope(user),
        review_id=review.pk,
        items={number: {"score": score, "notes": f"Seen at the visit ({number})"} for number in REVIEWER_NUMBERS},
    )


def rows(review):
    return {row.item: row for row in FidelityReviewItem.objects.filter(review=review)}


# Creation ------------------------------------------------------------------------------


def test_creation_prefills_the_data_items_with_the_computed_scores(world, figures):
    review = create(world["admin"], reviewers="Dana Reviewer, Eli Reviewer")

    stored = rows(review)
    assert sorted(stored) == list(range(1, 26))
    for key, score in COMPUTED.items():
        row = stored[scale.ITEMS_BY_KEY[key].number]
        assert (row.computed_score, row.score) == (score, score), key
        assert f"Summary of {key}" in row.evidence
        assert "Figure: 12.5 (25 / 2)." in row.evidence  # value, numerator / denominator
    # Each figure's records: the caseload on the review date, the jobs of 12 months, the period.
    assert "As of 18 March 2026." in stored[1].evidence
    assert "Jobs started in the 12 months to 15 March 2026" in stored[19].evidence
    assert "People enrolled from 22 December 2025 to 15 March 2026" in stored[15].evidence
    assert "Records from 22 December 2025 to 15 March 2026, read on 18 March 2026." in stored[17].evidence
    for number in REVIEWER_NUMBERS:
        assert (stored[number].computed_score, stored[number].score, stored[number].evidence) == (None, None, "")
    # The figures were read for the whole program, over the evidence period, as of the review date.
    (call,) = figures
    assert (call["filters"].date_from, call["filters"].date_to, call["filters"].team) == (*PERIOD, None)
    assert call["today"] == TODAY
    assert review.created_by == world["admin"] and review.reviewers == "Dana Reviewer, Eli Reviewer"


def test_a_team_review_reads_the_teams_figures(world, figures):
    review = create(world["leader_a"], team=world["team_a"])
    assert review.team == world["team_a"]
    assert figures[0]["filters"].team == world["team_a"]


def test_an_item_without_data_is_left_for_the_reviewer(world, monkeypatch):
    from jobdev.fidelity import items

    monkeypatch.setattr(
        items,
        "fidelity_items",
        lambda scope, filters, *, today=None: {
            "caseload_size": result("caseload_size", None, value=None, numerator=None, denominator=None)
        },
    )
    review = create(world["admin"])
    row = rows(review)[1]
    assert (row.computed_score, row.score) == (None, None)
    assert "no data" in row.evidence.lower()


def test_the_creation_page_makes_the_review_and_shows_the_worksheet(world, figures, client_for):
    client = client_for(world["admin"])
    response = client.post(
        reverse("fidelity_review_create"),
        {
            "review_date": "2026-03-18",
            "period_from": "2025-12-22",
            "period_to": "2026-03-15",
            "team": "",
            "reviewers": "Dana",
            "notes": "",
        },
    )
    review = FidelityReview.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("fidelity_review_detail", args=[review.pk])
    page = client.get(response["Location"])
    assert page.status_code == 200
    text = page.content.decode()
    assert "13 of 25 scored" in text and "partial total 52" in text


def test_a_review_reads_the_records(team_a, leader_a, program_admin, handle_events):
    """Records built through the services, with the real figures (no fixed COMPUTED).

    Sam, at 0.20 of a full-time post (User.fte), has 5 job seekers, all enrolled on
    Monday 2 March 2026, within the 28 days before the review date (18 March), so all
    active. Léa leads team A and carries no caseload: she is not a specialist.
    Item 1, caseload size: 5 active / 0.20 FTE = 25 per full-time specialist -> 4 (the
    anchor "21 to 25"). The other data items are whatever the same figures give for
    the same scope, period and day: the worksheet copies them, it does not recompute."""
    from crm import services as crm_services
    from jobdev.dashboard import DashboardFilters
    from jobdev.fidelity.items import fidelity_items

    sam = UserFactory(username="sam-part-time", organisation=team_a.organisation, team=team_a, fte="0.20")
    for number in range(5):
        crm_services.job_seeker_create(
            scope=access_scope(sam),
            details={
                "first_name": f"Person{number}",
                "last_name": "Test",
                "referral_date": datetime.date(2026, 2, 27),
                "enrolment_date": datetime.date(2026, 3, 2),
                "disclosure_preference": "partial",
            },
        )
    handle_events()

    review = create(leader_a, team=team_a, period=(datetime.date(2026, 3, 2), datetime.date(2026, 3, 15)))

    stored = rows(review)
    assert (stored[1].computed_score, stored[1].score) == (4, 4)
    assert "25" in stored[1].evidence and "As of 18 March 2026." in stored[1].evidence
    expected = fidelity_items(
        access_scope(leader_a),
        DashboardFilters(date_from=datetime.date(2026, 3, 2), date_to=datetime.date(2026, 3, 15), team=team_a),
        today=TODAY,
    )
    for key, figure in expected.items():
        assert stored[scale.ITEMS_BY_KEY[key].number].computed_score == figure.score, key
    assert all(stored[number].computed_score is None for number in REVIEWER_NUMBERS)


# Scoring, total, band, override --------------------------------------------------------


def test_reviewer_items_are_saved_and_the_total_and_band_follow(world, figures):
    review = create(world["admin"])
    score_reviewer_items(world["admin"], review)

    stored = rows(review)
    assert all(stored[number].score == 4 for number in REVIEWER_NUMBERS)
    assert stored[14].notes == "Seen at the visit (14)"
    from jobdev.fidelity.worksheet import totals

    result_ = totals(row.score for row in stored.values())
    # 52 computed + 12 x 4 = 100: good fidelity (100-114).
    assert (result_.scored, result_.total, result_.complete) == (25, 100, True)
    assert result_.band.key == scale.band_for(100).key
    assert result_.band.low == 100


def test_a_partial_review_has_no_band(world, figures):
    review = create(world["admin"])
    from jobdev.fidelity.worksheet import totals

    result_ = totals(row.score for row in rows(review).values())
    assert (result_.scored, result_.total, result_.complete, result_.band) == (13, 52, False, None)


def test_an_override_keeps_the_computed_score_beside_it(world, figures, client_for):
    review = create(world["admin"])
    score_reviewer_items(world["admin"], review)
    fidelity_services.fidelity_review_item_save(
        scope=access_scope(world["admin"]),
        review_id=review.pk,
        item=1,
        score=4,
        notes="Two specialists were on leave: the ratio overstates the team.",
    )
    row = rows(review)[1]
    assert (row.score, row.computed_score) == (4, 5)

    page = client_for(world["admin"]).get(reverse("fidelity_review_print", args=[review.pk])).content.decode()
    # 99: fair fidelity (74-99).
    assert "99 of 125" in page and str(scale.band_for(99).label) in page
    assert "changed by the reviewers" in page


def test_the_worksheet_form_saves_scores_and_notes(world, figures, client_for):
    review = create(world["admin"])
    data = {"reviewers": "Dana, Eli", "notes": "Visit on 18 March."}
    for item in scale.ITEMS:
        stored = COMPUTED.get(item.key)
        data[f"score_{item.number}"] = str(stored if stored is not None else 4)
        data[f"notes_{item.number}"] = ""
    data["score_1"] = "4"
    data["notes_9"] = '=HYPERLINK("http://example.com")'
    # Scored otherwise than the records, item 1 needs its reason: refused without one.
    response = client_for(world["admin"]).post(reverse("fidelity_review_detail", args=[review.pk]), data)
    assert response.status_code == 200 and "notes_1" in response.context["form"].errors
    assert rows(review)[1].score == 5
    data["notes_1"] = "Two specialists were on leave: their people were seen by colleagues."
    response = client_for(world["admin"]).post(reverse("fidelity_review_detail", args=[review.pk]), data)
    assert response.status_code == 302
    review.refresh_from_db()
    assert (review.reviewers, review.notes) == ("Dana, Eli", "Visit on 18 March.")
    stored = rows(review)
    assert (stored[1].score, stored[1].computed_score) == (4, 5)
    assert sum(row.score for row in stored.values()) == 99


# CSV -----------------------------------------------------------------------------------


def _csv(response, delimiter=","):
    raw = response.content.decode("utf-8")
    assert raw.startswith("\ufeff")
    return list(csv.reader(io.StringIO(raw[1:]), delimiter=delimiter))


def test_the_csv_has_the_items_the_total_and_the_band(world, figures, client_for):
    review = create(world["admin"])
    score_reviewer_items(world["admin"], review)
    fidelity_services.fidelity_review_item_save(
        scope=access_scope(world["admin"]), review_id=review.pk, item=9, score=4, notes="=1+1 exclusions"
    )
    response = client_for(world["admin"]).get(reverse("fidelity_review_export", args=[review.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="fidelity-review-{review.pk}-2026-03-18.csv"'
    lines = _csv(response)
    assert lines[0] == [
        "Item",
        "Section",
        "Name",
        "Score",
        "Score from the records",
        "Evidence",
        "Reviewer's notes",
    ]
    items = lines[1:26]
    assert [line[0] for line in items] == [str(number) for number in range(1, 26)]
    assert items[0][2] == str(scale.ITEMS[0].name) and items[0][1] == "Staffing"
    assert (items[0][3], items[0][4]) == ("5", "5")
    assert (items[1][3], items[1][4]) == ("4", "")
    assert "Summary of caseload_size" in items[0][5]
    # A note a spreadsheet would run as a formula is written as text.
    assert items[8][6] == "'=1+1 exclusions"
    total, band = lines[26], lines[27]
    assert total[2:4] == ["Total", "100"]
    assert band[2] == "Band" and band[5] == str(scale.band_for(100).label)
    assert len(lines) == 28


def test_a_partial_reviews_csv_says_how_many_are_scored(world, figures, client_for):
    review = create(world["admin"])
    lines = _csv(client_for(world["admin"]).get(reverse("fidelity_review_export", args=[review.pk])))
    assert lines[26][3] == "52" and "13 of 25" in lines[26][5]
    assert lines[27][5] == "Not all items scored"


def test_the_csv_and_the_pages_in_french_keep_their_structure(world, figures, client_for):
    review = create(world["admin"])
    client = client_for(world["admin"])
    client.cookies["django_language"] = "fr"
    response = client.get(reverse("fidelity_review_export", args=[review.pk]))
    # French spreadsheets split on ";" (crm.csv_export); the words follow the French
    # catalogue (English until the lead translates them).
    lines = _csv(response, delimiter=";")
    assert len(lines[0]) == 7 and len(lines) == 28
    assert [line[0] for line in lines[1:26]] == [str(number) for number in range(1, 26)]
    assert response["Content-Disposition"].startswith("attachment; filename=")
    for name in ("fidelity_review_list", "fidelity_review_create"):
        page = client.get(reverse(name))
        assert page.status_code == 200 and '<html lang="fr">' in page.content.decode()
    for name in ("fidelity_review_detail", "fidelity_review_print"):
        page = client.get(reverse(name, args=[review.pk]))
        assert page.status_code == 200 and '<html lang="fr">' in page.content.decode()


# The list and the trend ----------------------------------------------------------------


def test_the_list_shows_each_units_reviews_with_totals_and_bands(world, figures, client_for, frozen_today):
    earlier = create(
        world["admin"],
        review_date=datetime.date(2025, 9, 18),
        period=(datetime.date(2025, 6, 23), datetime.date(2025, 9, 14)),
    )
    score_reviewer_items(world["admin"], earlier, score=3)  # 52 + 36 = 88: fair
    later = create(world["admin"])
    score_reviewer_items(world["admin"], later, score=4)  # 100: good
    create(world["leader_a"], team=world["team_a"])  # 13 of 25 scored
    page = client_for(world["admin"]).get(reverse("fidelity_review_list")).content.decode()
    assert "Whole program" in page and "Team A" in page
    assert "88 of 125" in page and "100 of 125" in page and "52 (partial)" in page
    assert str(scale.band_for(88).label) in page and str(scale.band_for(100).label) in page
    assert "<svg" in page  # two complete program reviews: a trend chart
    assert page.index("Whole program") < page.index("Team A")


# Access --------------------------------------------------------------------------------

# Who reads (R) and edits (E) which review; "-" = 404.
MATRIX = {
    # user:       program review, team A review, team B review, other program's review
    "admin": ("E", "E", "E", "-"),
    "leader_a": ("R", "E", "-", "-"),
    "leader_b": ("R", "-", "E", "-"),
    "sam": ("-", "-", "-", "-"),
    "bob": ("-", "-", "-", "-"),
    "other_admin": ("-", "-", "-", "E"),
}


@pytest.fixture
def reviews(world, figures, other_admin):
    return {
        "program": create(world["admin"]),
        "team_a": create(world["leader_a"], team=world["team_a"]),
        "team_b": create(world["admin"], team=world["team_b"]),
        "other": create(other_admin),
    }


def _worksheet_post(score="2"):
    data = {"reviewers": "", "notes": ""}
    for item in scale.ITEMS:
        data[f"score_{item.number}"] = score
        data[f"notes_{item.number}"] = "Scored with the team."
    return data


def _user(world, other_admin, who):
    return other_admin if who == "other_admin" else world[who]


UNITS = ("program", "team_a", "team_b", "other")


@pytest.mark.parametrize("who", list(MATRIX))
@pytest.mark.parametrize("unit", UNITS)
def test_who_reads_which_review(world, reviews, other_admin, client_for, who, unit):
    expected = MATRIX[who][UNITS.index(unit)]
    client = client_for(_user(world, other_admin, who))
    for name in ("fidelity_review_detail", "fidelity_review_print", "fidelity_review_export"):
        status = client.get(reverse(name, args=[reviews[unit].pk])).status_code
        assert status == (404 if expected == "-" else 200), name


@pytest.mark.parametrize("who", list(MATRIX))
@pytest.mark.parametrize("unit", UNITS)
def test_who_edits_which_review(world, reviews, other_admin, client_for, who, unit):
    expected = MATRIX[who][UNITS.index(unit)]
    user = _user(world, other_admin, who)
    review = reviews[unit]
    response = client_for(user).post(reverse("fidelity_review_detail", args=[review.pk]), _worksheet_post())
    if expected == "E":
        assert response.status_code == 302
        assert rows(review)[2].score == 2
        fidelity_services.fidelity_review_item_save(scope=access_scope(user), review_id=review.pk, item=3, score=1)
        assert rows(review)[3].score == 1
    else:
        assert response.status_code == 404
        assert rows(review)[2].score is None
        with pytest.raises(OutOfScope):
            fidelity_services.fidelity_review_item_save(scope=access_scope(user), review_id=review.pk, item=3, score=1)
        assert rows(review)[3].score is None
    if expected == "R":
        # A reader sees the worksheet without its form.
        page = client_for(user).get(reverse("fidelity_review_detail", args=[review.pk]))
        assert page.context["form"] is None and b'name="score_2"' not in page.content


@pytest.mark.parametrize("who", list(MATRIX))
def test_the_list_shows_only_the_reviews_one_may_read(world, reviews, other_admin, client_for, who):
    response = client_for(_user(world, other_admin, who)).get(reverse("fidelity_review_list"))
    readable = {
        key
        for key, expected in zip(("program", "team_a", "team_b", "other"), MATRIX[who], strict=True)
        if expected != "-"
    }
    if not readable:
        assert response.status_code == 404
        return
    assert response.status_code == 200
    listed = {review.pk for trend in response.context["trends"] for review in (line.review for line in trend.lines)}
    assert listed == {reviews[key].pk for key in readable}


def test_specialists_cannot_create_and_leaders_only_their_teams(world, figures, client_for, other_admin):
    assert client_for(world["sam"]).get(reverse("fidelity_review_create")).status_code == 404
    with pytest.raises(OutOfScope):
        create(world["sam"])
    with pytest.raises(ValidationError) as error:
        create(world["leader_a"])  # the whole program
    assert "team" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        create(world["leader_a"], team=world["team_b"])
    assert "team" in error.value.message_dict
    with pytest.raises(ValidationError):
        create(other_admin, team=world["team_a"])  # another program's team
    form = client_for(world["leader_a"]).get(reverse("fidelity_review_create")).context["form"]
    assert list(form.fields["team"].queryset) == [world["team_a"]]


def test_a_leader_may_not_delete_the_program_review_an_admin_may(world, reviews, client_for):
    assert (
        client_for(world["leader_a"]).post(reverse("fidelity_review_delete", args=[reviews["program"].pk])).status_code
        == 404
    )
    assert FidelityReview.objects.filter(pk=reviews["program"].pk).exists()
    response = client_for(world["admin"]).post(reverse("fidelity_review_delete", args=[reviews["program"].pk]))
    assert response.status_code == 302
    assert not FidelityReview.objects.filter(pk=reviews["program"].pk).exists()
    assert not FidelityReviewItem.objects.filter(review_id=reviews["program"].pk).exists()


# Bad input -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["fidelity_review_detail", "fidelity_review_print", "fidelity_review_export", "fidelity_review_delete"]
)
@pytest.mark.parametrize("method", ["get", "post"])
def test_a_huge_id_is_not_found(world, client_for, name, method):
    response = getattr(client_for(world["admin"]), method)(reverse(name, args=[HUGE]))
    assert response.status_code in (404, 405)


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"review_date": "2026-02-30"}, "review_date"),
        ({"review_date": "9999-12-31"}, "review_date"),
        ({"review_date": "2026-03-19"}, "review_date"),  # in the future
        ({"period_from": "1999-12-31"}, "period_from"),
        ({"period_to": "nonsense"}, "period_to"),
        ({"period_from": "2026-03-16", "period_to": "2026-03-15"}, "period_to"),  # reversed
        ({"review_date": "2026-03-10"}, "period_to"),  # evidence after the review
        ({"period_from": "2025-03-14"}, "period_from"),  # 367 days
        ({"team": str(HUGE)}, "team"),
        ({"team": "²"}, "team"),
        ({"reviewers": "x" * 301}, "reviewers"),
    ],
)
def test_bad_creation_input_is_an_error_on_its_field(world, figures, client_for, changes, field):
    data = {
        "review_date": "2026-03-18",
        "period_from": "2025-12-22",
        "period_to": "2026-03-15",
        "team": "",
        "reviewers": "",
        "notes": "",
    }
    data.update(changes)
    response = client_for(world["admin"]).post(reverse("fidelity_review_create"), data)
    assert response.status_code == 200
    assert response.context["form"].errors.get(field), response.context["form"].errors
    assert not FidelityReview.objects.exists()


@pytest.mark.parametrize("bad", ["0", "6", "7", "-1", "abc", "1e3", "4.5", str(HUGE), "٣"])
def test_a_score_out_of_1_to_5_is_refused_and_nothing_saved(world, figures, client_for, bad):
    review = create(world["admin"])
    data = _worksheet_post(score="3")
    data["score_2"] = bad
    response = client_for(world["admin"]).post(reverse("fidelity_review_detail", args=[review.pk]), data)
    assert response.status_code == 200
    assert response.context["form"].errors["score_2"]
    assert rows(review)[3].score is None  # the valid ones were not saved either


@pytest.mark.parametrize("bad", [0, 6, -1, 2.5, "3", True])
def test_the_service_refuses_a_score_out_of_1_to_5(world, figures, bad):
    review = create(world["admin"])
    with pytest.raises(ValidationError) as error:
        fidelity_services.fidelity_review_item_save(
            scope=access_scope(world["admin"]), review_id=review.pk, item=2, score=bad
        )
    assert "score_2" in error.value.message_dict


@pytest.mark.parametrize("bad", [0, 26, -1, HUGE])
def test_the_service_refuses_an_item_not_on_the_scale(world, figures, bad):
    review = create(world["admin"])
    with pytest.raises(ValidationError) as error:
        fidelity_services.fidelity_review_item_save(
            scope=access_scope(world["admin"]), review_id=review.pk, item=bad, score=3
        )
    assert "item" in error.value.message_dict


def test_the_service_refuses_a_huge_review_id(world, figures):
    with pytest.raises(OutOfScope):
        fidelity_services.fidelity_review_item_save(scope=access_scope(world["admin"]), review_id=HUGE, item=2, score=3)


# Query counts --------------------------------------------------------------------------


def _count(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_the_list_reads_a_fixed_number_of_queries(world, figures, client_for):
    client = client_for(world["leader_a"])
    create(world["admin"])
    create(world["leader_a"], team=world["team_a"])
    few = _count(client, reverse("fidelity_review_list"))
    for day in (1, 2, 3, 4):
        review = create(
            world["admin"],
            review_date=datetime.date(2026, 3, day + 14),
            period=(datetime.date(2026, 1, 5), datetime.date(2026, 3, day + 10)),
        )
        score_reviewer_items(world["admin"], review)
        create(
            world["leader_a"],
            team=world["team_a"],
            review_date=datetime.date(2026, 3, day + 14),
            period=(datetime.date(2026, 1, 5), datetime.date(2026, 3, day + 10)),
        )
    many = _count(client, reverse("fidelity_review_list"))
    assert few == many == LIST_QUERIES


def test_the_worksheet_reads_a_fixed_number_of_queries(world, figures, client_for):
    review = create(world["leader_a"], team=world["team_a"])
    client = client_for(world["leader_a"])
    assert _count(client, reverse("fidelity_review_detail", args=[review.pk])) == DETAIL_QUERIES
    assert _count(client, reverse("fidelity_review_print", args=[review.pk])) == PRINT_QUERIES
    assert _count(client, reverse("fidelity_review_export", args=[review.pk])) == PRINT_QUERIES


# Session, user, organisation (the program's time zone), the reviews with their totals
# (one query), whether the reader may create one (the teams they lead).
LIST_QUERIES = 5
# Session, user, organisation, the review, its 25 items (one query), whether the reader
# may edit it (a team leader: the team is one they lead).
DETAIL_QUERIES = 6
PRINT_QUERIES = 5
