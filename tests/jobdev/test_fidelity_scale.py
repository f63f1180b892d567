"""The IPS Supported Employment Fidelity Scale as data (jobdev.fidelity.scale).

Every expected value below is read off the scale's anchors (the 25-item scale, Supported
Employment Fidelity Review Manual, 4th ed., 2019) or off the product's stated proxy, not
computed by the code under test: e.g. caseload size scores 5 for "20 or fewer" people per
specialist and 4 for "21-25", so 20 -> 5, 20.01 -> 4 (a fraction is not rounded into the
better anchor), 25 -> 4, 25.5 -> 3."""

from decimal import Decimal

import pytest

from crm.models import Organisation
from jobdev.fidelity import scale

# The scale's items in order (number, key, section).
EXPECTED_ORDER = [
    (1, "caseload_size", "staffing"),
    (2, "employment_services_staff", "staffing"),
    (3, "vocational_generalists", "staffing"),
    (4, "integration_team_assignment", "organization"),
    (5, "integration_team_contact", "organization"),
    (6, "vr_collaboration", "organization"),
    (7, "vocational_unit", "organization"),
    (8, "employment_supervisor_role", "organization"),
    (9, "zero_exclusion", "organization"),
    (10, "agency_focus_competitive_employment", "organization"),
    (11, "executive_team_support", "organization"),
    (12, "work_incentives_planning", "services"),
    (13, "disclosure", "services"),
    (14, "work_based_assessment", "services"),
    (15, "rapid_job_search", "services"),
    (16, "individualized_job_search", "services"),
    (17, "job_development_frequency", "services"),
    (18, "job_development_quality", "services"),
    (19, "job_type_diversity", "services"),
    (20, "employer_diversity", "services"),
    (21, "competitive_jobs", "services"),
    (22, "individualized_follow_along", "services"),
    (23, "time_unlimited_follow_along", "services"),
    (24, "community_based_services", "services"),
    (25, "assertive_engagement", "services"),
]
DATA_ITEM_NUMBERS = [1, 12, 13, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24]
QUALITATIVE_DATA_ITEMS = {
    "work_incentives_planning",
    "disclosure",
    "job_development_quality",
    "individualized_follow_along",
    "time_unlimited_follow_along",
}


# --- The items ---------------------------------------------------------------------------


def test_twenty_five_items_in_the_scales_order():
    assert [(item.number, item.key, item.section) for item in scale.ITEMS] == EXPECTED_ORDER
    assert [item.number for item in scale.ITEMS] == list(range(1, 26))


def test_keys_are_unique_and_indexed():
    keys = [item.key for item in scale.ITEMS]
    assert len(set(keys)) == 25
    assert scale.ITEMS_BY_KEY["disclosure"].number == 13
    assert scale.ITEMS_BY_NUMBER[17].key == "job_development_frequency"
    assert list(scale.ITEMS_BY_KEY) == keys


def test_sections_hold_3_8_and_14_items():
    assert [section.key for section in scale.SECTIONS] == ["staffing", "organization", "services"]
    assert [len(scale.items_in(key)) for key in scale.SECTION_KEYS] == [3, 8, 14]
    with pytest.raises(ValueError):
        scale.items_in("outcomes")


def test_every_item_has_five_anchors_scored_1_to_5_and_words():
    for item in scale.ITEMS:
        assert [anchor.score for anchor in item.anchors] == [1, 2, 3, 4, 5], item.key
        # Every string renders (lazy strings are evaluated here: no broken format).
        texts = [str(item.name), str(item.criterion)] + [str(anchor.text) for anchor in item.anchors]
        assert all(text.strip() for text in texts), item.key
        assert len(set(texts[2:])) == 5, item.key
        assert item.anchor(5).score == 5
    with pytest.raises(ValueError):
        scale.ITEMS[0].anchor(6)


def test_data_answerable_items_have_anchor_bounds_and_the_qualitative_ones_a_proxy():
    assert [item.number for item in scale.DATA_ITEMS] == DATA_ITEM_NUMBERS
    assert set(scale.ANCHOR_BOUNDS) == {item.key for item in scale.DATA_ITEMS}
    for item in scale.ITEMS:
        if item.key in QUALITATIVE_DATA_ITEMS:
            assert str(item.proxy).strip(), item.key
        else:
            assert item.proxy is None, item.key


def test_the_program_settings_default_to_the_score_5_anchors():
    # Each Organisation setting's default is the bound of the score-5 anchor.
    def default(name):
        return Organisation._meta.get_field(name).default

    bounds = {key: value.bounds[0].value for key, value in scale.ANCHOR_BOUNDS.items()}
    assert default("caseload_limit") == bounds["caseload_size"] == 20
    assert default("days_to_first_employer_contact") == bounds["rapid_job_search"] == 30
    assert default("weekly_in_person_employer_contacts") == scale.FREQUENCY_PACE == 6
    assert default("job_type_diversity_percent") == bounds["job_type_diversity"] == 85
    assert default("employer_diversity_percent") == bounds["employer_diversity"] == 85
    assert default("competitive_jobs_percent") == bounds["competitive_jobs"] == 95
    assert default("community_time_percent") == bounds["community_based_services"] == 65


# --- Scores at each anchor's edges ---------------------------------------------------------

EDGES = {
    # Item 1: 20 or fewer / 21-25 / 26-30 / 31-40 / 41 or more.
    "caseload_size": [
        (0, 5),
        (20, 5),
        (20.01, 4),
        (21, 4),
        (25, 4),
        (25.5, 3),
        (30, 3),
        (30.2, 2),
        (40, 2),
        (40.5, 1),
        (41, 1),
    ],
    # Item 15: within 30 days / 31-60 / 61-150 / 151-270 / 271 or more (mean days).
    "rapid_job_search": [
        (0, 5),
        (30, 5),
        (30.5, 4),
        (60, 4),
        (61, 3),
        (150, 3),
        (150.1, 2),
        (270, 2),
        (271, 1),
        (500, 1),
    ],
    # Item 16: 90-100 % / 75-89 / 50-74 / 25-49 / under 25.
    "individualized_job_search": [
        (100, 5),
        (90, 5),
        (89.9, 4),
        (75, 4),
        (74.9, 3),
        (50, 3),
        (49.9, 2),
        (25, 2),
        (24.9, 1),
        (0, 1),
    ],
    # Item 17: 6 or more / 5 / 4 / 2 / under 2 a week, closest point, half-way goes down.
    "job_development_frequency": [
        (8, 5),
        (6, 5),
        (5.51, 5),
        (5.5, 4),
        (5, 4),
        (4.51, 4),
        (4.5, 3),
        (4, 3),
        (3.01, 3),
        (3, 2),
        (2, 2),
        (1.99, 1),
        (0, 1),
    ],  # fmt: skip
    # Item 18 (proxy): criteria met, 4 -> 5 ... 0 -> 1; averages to the closest point, ties down.
    "job_development_quality": [
        (4, 5),
        (3.51, 5),
        (3.5, 4),
        (3, 4),
        (2.5, 3),
        (2, 3),
        (1.5, 2),
        (1, 2),
        (0.5, 1),
        (0, 1),
    ],
    # Items 19 and 20: 85-100 % / 70-84 / 60-69 / 50-59 / under 50.
    "job_type_diversity": [(100, 5), (85, 5), (84.9, 4), (70, 4), (69.9, 3), (60, 3), (59.9, 2), (50, 2), (49.9, 1)],
    "employer_diversity": [(100, 5), (85, 5), (84.9, 4), (70, 4), (69.9, 3), (60, 3), (59.9, 2), (50, 2), (49.9, 1)],
    # Item 21: 95 % or more / 85-94 / 75-84 / 64-74 / under 64.
    "competitive_jobs": [
        (100, 5),
        (95, 5),
        (94.9, 4),
        (85, 4),
        (84.9, 3),
        (75, 3),
        (74.9, 2),
        (64, 2),
        (63.9, 1),
        (0, 1),
    ],
    # Item 24: 65 % or more / 50-64 / 40-49 / 30-39 / under 30.
    "community_based_services": [
        (65, 5),
        (64.9, 4),
        (50, 4),
        (49.9, 3),
        (40, 3),
        (39.9, 2),
        (30, 2),
        (29.9, 1),
        (0, 1),
    ],
    # Item 12 (proxy): planning done before the start, 90 / 75 / 50 / any / none.
    "work_incentives_planning": [
        (100, 5),
        (90, 5),
        (89.9, 4),
        (75, 4),
        (74.9, 3),
        (50, 3),
        (49.9, 2),
        (0.1, 2),
        (0, 1),
    ],
    # Item 13 (proxy): discussed before the first on-behalf contact, 90 / 75 / 50 / 25.
    "disclosure": [(90, 5), (89.9, 4), (75, 4), (74.9, 3), (50, 3), (49.9, 2), (25, 2), (24.9, 1), (0, 1)],
    # Item 22 (proxy): support types per worker, 3 / 2 / 1 / 0.5.
    "individualized_follow_along": [
        (4, 5),
        (3, 5),
        (2.99, 4),
        (2, 4),
        (1.99, 3),
        (1, 3),
        (0.99, 2),
        (0.5, 2),
        (0.49, 1),
        (0, 1),
    ],
    # Item 23 (proxy): face-to-face follow-along held on time, 90 / 75 / 50 / 25.
    "time_unlimited_follow_along": [(90, 5), (89.9, 4), (75, 4), (74.9, 3), (50, 3), (49.9, 2), (25, 2), (24.9, 1)],
}


def test_every_data_item_has_its_edges_tested():
    assert set(EDGES) == set(scale.ANCHOR_BOUNDS)


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [(key, value, expected) for key, edges in EDGES.items() for value, expected in edges],
)
def test_score_at_the_anchor_edges(key, value, expected):
    assert scale.score_for(key, value) == expected


def test_score_of_no_data_is_none_and_other_number_types_work():
    assert scale.score_for("caseload_size", None) is None
    assert scale.score_for("caseload_size", Decimal("20.00")) == 5
    assert scale.score_for("competitive_jobs", 19 * 100 / 20) == 5  # 19 of 20 jobs = 95 %
    # 117 different types in 195 jobs is 60 % exactly, though (117 / 195) * 100 == 59.99999999999999.
    assert scale.score_for("job_type_diversity", (117 / 195) * 100) == 3


def test_score_refuses_items_without_numeric_anchors_and_non_numbers():
    with pytest.raises(KeyError):
        scale.score_for("zero_exclusion", 3)
    with pytest.raises(KeyError):
        scale.score_for("no_such_item", 3)
    with pytest.raises(ValueError):
        scale.score_for("caseload_size", float("nan"))


# --- Next anchor ---------------------------------------------------------------------------


def test_next_anchor_where_less_is_better():
    # Caseload 27 scores 3 (26-30); 4 needs 25 or fewer.
    assert scale.next_anchor("caseload_size", 27) == (4, 25)
    assert scale.next_anchor("caseload_size", 45) == (2, 40)
    assert scale.next_anchor("caseload_size", 20) is None
    # Rapid search: a mean of 75 days scores 3 (61-150); 4 needs 60 days or fewer.
    assert scale.next_anchor("rapid_job_search", 75) == (4, 60)


def test_next_anchor_where_more_is_better():
    assert scale.next_anchor("individualized_job_search", 60) == (4, 75)
    assert scale.next_anchor("competitive_jobs", 10) == (2, 64)
    assert scale.next_anchor("community_based_services", 64.9) == (5, 65)
    # Frequency 4.4 a week scores 3; 4 needs more than 4.5 (the half-way point).
    assert scale.next_anchor("job_development_frequency", 4.4) == (4, 4.5)
    assert scale.next_anchor("job_development_frequency", 6) is None
    assert scale.next_anchor("disclosure", None) is None
    with pytest.raises(KeyError):
        scale.next_anchor("vocational_unit", 3)


# --- The bands -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (125, "exemplary"),
        (115, "exemplary"),
        (114, "good"),
        (100, "good"),
        (99, "fair"),
        (74, "fair"),
        (73, "not_supported_employment"),
        (25, "not_supported_employment"),
    ],
)
def test_band_edges(total, band):
    assert scale.band_for(total).key == band


def test_bands_cover_every_total_once_and_refuse_others():
    assert [(band.low, band.high) for band in scale.BANDS] == [(115, 125), (100, 114), (74, 99), (0, 73)]
    assert str(scale.band_for(99).label) == "Fair fidelity"
    for total in (126, -1):
        with pytest.raises(ValueError):
            scale.band_for(total)


# --- Item 12: the re-check ----------------------------------------------------------------


def test_work_incentives_score_needs_the_recheck_for_5():
    # Planning before 95 % of the starts: 5 when the re-checks were also done (or none was due).
    assert scale.work_incentives_score(95, 100) == 5
    assert scale.work_incentives_score(95, None) == 5
    # Re-checks after only 1 change of 2 (50 %): the scale's anchor 4, planning before the start only.
    assert scale.work_incentives_score(95, 50) == 4
    # The cap never raises a score: 60 % before the start is 3 whatever the re-checks.
    assert scale.work_incentives_score(60, 0) == 3
    assert scale.work_incentives_score(None, 100) is None


# --- Item 17: small caseloads ------------------------------------------------------------


def test_frequency_equivalent_applies_the_small_caseload_rule():
    # 3 or more people looking for work: the plain weekly rate.
    assert scale.frequency_equivalent(4.4, 3) == 4.4
    assert scale.frequency_equivalent(4.4, None) == 4.4
    # 1 person looking: 2 contacts a week meet the score-5 anchor (= 6), 1 a week is half of it (= 3).
    assert scale.frequency_equivalent(2, 1) == 6
    assert scale.frequency_equivalent(1, 1) == 3
    # 2 people looking: 4 contacts a week meet it; 3 a week = 3 * 6 / 4 = 4.5.
    assert scale.frequency_equivalent(4, 2) == 6
    assert scale.frequency_equivalent(3, 2) == 4.5
    # Nobody looking for work: nothing to rate. No data: None.
    assert scale.frequency_equivalent(3, 0) is None
    assert scale.frequency_equivalent(None, 5) is None
    with pytest.raises(ValueError):
        scale.frequency_equivalent(-1, 5)


def test_frequency_equivalent_is_capped_at_the_pace_or_the_plain_rate():
    """Review 11, finding 14. The small-caseload rule says when a specialist is AT the
    pace (two a week per person looking); it never multiplies contacts beyond it. The
    equivalent is at most max(plain rate, 6):

    | per week | looking | rate x 6 / (2 x looking) | cap max(rate, 6) | equivalent |
    |---|---|---|---|---|
    | 4 | 1 | 12 | 6 | 6 |
    | 8 | 1 | 24 | 8 | 8 |
    | 3 | 2 | 4.5 | 6 | 4.5 (below the cap) |
    | 5 | 2 | 7.5 | 6 | 6 |
    """
    assert scale.frequency_equivalent(4, 1) == 6
    assert scale.frequency_equivalent(8, 1) == 8
    assert scale.frequency_equivalent(3, 2) == 4.5
    assert scale.frequency_equivalent(5, 2) == 6


def test_a_small_caseload_cannot_make_up_for_a_colleague_at_zero():
    """Review 11, finding 14: one specialist with 1 person looking makes 4 contacts a
    week (uncapped: 4 x 6 / 2 = 12), a colleague with 10 looking makes none. Before the
    cap: (12 + 0) / 2 = 6.0, score 5. Capped: (6 + 0) / 2 = 3.0 a week, which is not
    more than 3 (the half-way between 2 and 4 goes down): score 2."""
    assert scale.frequency_score([(4, 1), (0, 10)]) == (3.0, 2)


def test_frequency_score_averages_the_specialists_then_scores():
    # Sam 6 a week (10 looking), Sofia 4 (8 looking), Bob 2 a week for his 1 person looking (= 6):
    # (6 + 4 + 6) / 3 = 5.33 a week, closest anchor 5 contacts -> score 4.
    average, score = scale.frequency_score([(6, 10), (4, 8), (2, 1)])
    assert average == pytest.approx(16 / 3)
    assert score == 4
    # A specialist with nobody looking is left out: (6 + 6) / 2 = 6 -> 5.
    assert scale.frequency_score([(6, 10), (0, 0), (6, 4)]) == (6, 5)
    assert scale.frequency_score([(None, 4), (0, 0)]) == (None, None)


# --- Item 18: quality criteria -----------------------------------------------------------


def test_quality_criteria_met_counts_the_four_shares_at_half_or_more():
    # 80 % face to face, 50 % met someone who can hire, 30 % needs learned, 60 % employers met twice.
    assert scale.quality_criteria_met(80, 50, 30, 60) == 3
    assert scale.score_for("job_development_quality", 3) == 4
    assert scale.quality_criteria_met(100, 100, 100, 100) == 4
    # No employer contact: no share meets, the scale's lowest anchor.
    assert scale.quality_criteria_met(None, None, None, None) == 0
    assert scale.score_for("job_development_quality", 0) == 1
    assert scale.quality_criteria_met(49.9, 50, None, 50) == 2
