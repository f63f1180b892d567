"""What a French team notices: numbers, money and yes/no in the active language, and
the rapid-job-search badge coloured by the program's own threshold."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from crm.selectors import rapid_search_badge
from crm.templatetags.numbers import euros, hours, yes_no
from tests.factories import JobSeekerFactory

# Numbers ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "value", "expected"),
    [
        ("en", Decimal("24.0"), "24"),
        ("en", Decimal("24.50"), "24.5"),
        ("en", 7.25, "7.25"),
        ("fr", Decimal("24.0"), "24"),
        ("fr", Decimal("24.50"), "24,5"),
        ("fr", "7.25", "7,25"),
    ],
)
def test_hours_show_the_digits_they_need_in_the_active_language(language, value, expected):
    with translation.override(language):
        assert hours(value) == expected


@pytest.mark.parametrize(
    ("language", "value", "expected"),
    [
        ("en", Decimal("11.65"), "€11.65"),
        ("en", Decimal("12"), "€12.00"),
        ("en", Decimal("1234.5"), "€1,234.50"),
        ("fr", Decimal("11.65"), "11,65\u00a0€"),
        ("fr", Decimal("1234.5"), "1\u00a0234,50\u00a0€"),
    ],
)
def test_pay_carries_the_currency_where_the_language_puts_it(language, value, expected):
    with translation.override(language):
        assert euros(value) == expected


@pytest.mark.parametrize("value", [None, "", "abc", float("nan")])
def test_a_missing_or_nonsense_number_shows_nothing(value):
    assert hours(value) == "" and euros(value) == ""


def test_yes_and_no_are_the_interfaces_own_capitalised_words():
    with translation.override("en"):
        assert (yes_no(True), yes_no(False), yes_no(None)) == ("Yes", "No", "Not recorded")
    with translation.override("fr"):
        assert (yes_no(True), yes_no(False), yes_no(None)) == ("Oui", "Non", "Non renseigné")


# The rapid-job-search badge -------------------------------------------------------

START = datetime.date(2026, 3, 2)


def on(day: datetime.date):
    moment = datetime.datetime.combine(day, datetime.time(10), tzinfo=datetime.UTC)
    return time_machine.travel(moment, tick=False)


@pytest.mark.parametrize(
    ("day", "state"),
    [(10, "waiting"), (14, "approaching"), (29, "approaching"), (30, "approaching"), (31, "overdue"), (35, "overdue")],
)
def test_without_a_contact_the_badge_follows_the_programs_threshold(specialist_sam, day, state):
    job_seeker = JobSeekerFactory(specialist=specialist_sam, job_search_since=START)
    organisation = specialist_sam.organisation
    assert organisation.days_to_first_employer_contact == 30
    badge = rapid_search_badge(job_seeker, organisation, today=START + datetime.timedelta(days=day))
    assert (badge.state, badge.days) == (state, day)


@pytest.mark.parametrize(("day", "state"), [(29, "met"), (30, "met"), (31, "late"), (35, "late")])
def test_a_first_contact_after_the_threshold_is_not_green(specialist_sam, day, state):
    job_seeker = JobSeekerFactory(
        specialist=specialist_sam,
        job_search_since=START,
        first_employer_contact_on=START + datetime.timedelta(days=day),
    )
    badge = rapid_search_badge(job_seeker, specialist_sam.organisation)
    assert (badge.state, badge.days, badge.css_class) == (
        state,
        day,
        "status-working" if state == "met" else "overdue",
    )


@pytest.mark.parametrize(
    ("day", "waiting", "contacted"),
    [
        (29, "approaching", "met"),
        (30, "approaching", "met"),
        (31, "approaching", "met"),
        (35, "approaching", "met"),
        (45, "approaching", "met"),
        (46, "overdue", "late"),
    ],
)
def test_another_program_with_45_days_colours_by_its_own_threshold(specialist_louis, day, waiting, contacted):
    program = specialist_louis.organisation
    program.days_to_first_employer_contact = 45
    program.save()
    searching = JobSeekerFactory(specialist=specialist_louis, job_search_since=START)
    met = JobSeekerFactory(
        specialist=specialist_louis,
        job_search_since=START,
        first_employer_contact_on=START + datetime.timedelta(days=day),
    )
    today = START + datetime.timedelta(days=day)
    assert rapid_search_badge(searching, program, today=today).state == waiting
    assert rapid_search_badge(met, program).state == contacted
    # Without the program at hand, the job seeker's own program decides.
    assert rapid_search_badge(met).state == contacted


def test_the_list_and_the_detail_colour_the_badge_by_the_threshold(client_for, specialist_sam):
    late = JobSeekerFactory(
        specialist=specialist_sam,
        first_name="Tardive",
        job_search_since=START,
        first_employer_contact_on=START + datetime.timedelta(days=35),
    )
    JobSeekerFactory(
        specialist=specialist_sam, first_name="Attente", job_search_since=START + datetime.timedelta(days=5)
    )
    client = client_for(specialist_sam)
    with on(START + datetime.timedelta(days=35)):
        page = client.get(reverse("job_seeker_list")).content.decode()
        detail = client.get(reverse("job_seeker_detail", args=[late.pk])).content.decode()
    assert '<span class="badge overdue" data-rapid-search="late">first employer contact on day 35</span>' in page
    assert '<span class="badge warn" data-rapid-search="approaching">day 30, no employer contact yet</span>' in page
    assert 'data-rapid-search="late">first employer contact on day 35' in detail
    assert "within 30 days" in detail
