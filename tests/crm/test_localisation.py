"""What a French team notices: numbers, money and yes/no in the active language, and
the rapid-job-search badge coloured by the program's own threshold."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from crm.forms import JobPreferenceForm
from crm.models import Industry, JobPreference, JobType
from crm.selectors import by_label, label_sort_key, rapid_search_badge
from crm.templatetags.numbers import euros, hours, yes_no
from employers.models import JobOpening
from tests.factories import EmployerFactory, JobSeekerFactory, PlacementFactory

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


# Job types and industries in the reader's language --------------------------------


def choice_labels(field) -> list[str]:
    return [str(label) for value, label in field.choices if value != ""]


@pytest.mark.django_db
@pytest.mark.parametrize("model", [JobType, Industry])
def test_taxonomies_sort_by_their_label_in_the_active_language(model):
    with translation.override("en"):
        english = [entry.label for entry in by_label(model.objects.all())]
    with translation.override("fr"):
        french = [entry.label for entry in by_label(model.objects.all())]
    assert english == sorted((entry.label_en for entry in model.objects.all()), key=label_sort_key)
    assert french == sorted((entry.label_fr for entry in model.objects.all()), key=label_sort_key)
    # Not the French names' order in the English interface (the complaint).
    french_order = sorted(model.objects.all(), key=lambda entry: label_sort_key(entry.label_fr))
    assert english != [entry.label_en for entry in french_order]


@pytest.mark.django_db
def test_the_database_orders_spaces_and_hyphens_as_python_does():
    """PostgreSQL's usual collations skip spaces and punctuation ("Aide-soignant" before
    "Aide cuisinier"); the lists sorted in Python do not. Both must agree."""
    labels = ["Aides à domicile", "Aide-soignant", "Aide cuisinier", "Aide à domicile", "Aidé", "aide"]
    for number, label in enumerate(labels):
        JobType.objects.create(code=f"zz_{number}", isco_code="9999", label_en=label, label_fr=label)
    with translation.override("fr"):
        in_database = [job_type.label for job_type in by_label(JobType.objects.filter(code__startswith="zz_"))]
    assert in_database == sorted(labels, key=label_sort_key)


@pytest.mark.django_db
def test_french_accents_sort_with_their_base_letter():
    with translation.override("fr"):
        labels = [job_type.label for job_type in by_label(JobType.objects.all())]
    e_words = [label for label in labels if label[0] in "EÉ"]
    # Électricien among the E's (not after the Z's, where byte order puts É).
    assert e_words.index("Électricien") < e_words.index("Employé administratif")
    assert labels.index("Équipier de restauration rapide") < min(labels.index(x) for x in labels if x[0] in "FGHIJ")
    assert all(label[0] not in "EÉ" for label in labels[labels.index("Équipier de restauration rapide") + 1 :])


@pytest.mark.django_db
def test_a_queryset_built_at_import_sorts_in_the_language_of_the_request():
    queryset = by_label(JobType.objects.all())  # as a form class's field is built, once
    with translation.override("fr"):
        french = [job_type.label_fr for job_type in queryset.all()]
    with translation.override("en"):
        english = [job_type.label_en for job_type in queryset.all()]
    assert french == sorted(french, key=label_sort_key) and english == sorted(english, key=label_sort_key)


@pytest.mark.django_db
def test_the_preference_form_lists_job_types_in_the_active_language_order():
    with translation.override("en"):
        form = JobPreferenceForm()
        english = choice_labels(form.fields["job_types"])
        assert english[:3] == sorted(english, key=label_sort_key)[:3]
        assert english.index("Bookkeeping clerk") < english.index("Cleaner (offices, hotels)")
    with translation.override("fr"):
        form = JobPreferenceForm()
        french = choice_labels(form.fields["avoid_job_types"])
        assert french == sorted(french, key=label_sort_key)
        assert french[0].startswith("Agent") or french[0].startswith("Aide")


def test_the_job_seeker_page_lists_wanted_job_types_in_order(client_for, specialist_sam):
    job_seeker = JobSeekerFactory(specialist=specialist_sam)
    preference = JobPreference.objects.create(job_seeker=job_seeker)
    preference.job_types.set(JobType.objects.filter(code__in=["electrician", "office_cleaner", "fast_food_preparer"]))
    client = client_for(specialist_sam)
    page = client.get(reverse("job_seeker_detail", args=[job_seeker.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Cleaner (offices, hotels), Electrician, Fast-food preparer" in page
    client.cookies["django_language"] = "fr"
    page = client.get(reverse("job_seeker_detail", args=[job_seeker.pk])).content.decode()
    assert "Agent d&#x27;entretien (bureaux, hôtels), Électricien, Équipier de restauration rapide" in page


def test_label_sort_key_puts_accents_and_ligatures_with_their_base_letters():
    words = ["Zinc", "œuvre", "Écrivain", "abeille", "Oeil", "Éa", "ea"]
    assert sorted(words, key=label_sort_key) == ["abeille", "ea", "Éa", "Écrivain", "Oeil", "œuvre", "Zinc"]


# Pages --------------------------------------------------------------------------------


def page_in(client, url, language):
    client.cookies["django_language"] = language
    return client.get(url).content.decode()


def test_a_placement_shows_hours_pay_and_yes_no_in_the_readers_language(client_for, specialist_sam):
    job_seeker = JobSeekerFactory(specialist=specialist_sam)
    placement = PlacementFactory(
        job_seeker=job_seeker, hours_per_week=Decimal("24.50"), hourly_pay=Decimal("11.65"), is_competitive=True
    )
    whole = PlacementFactory(job_seeker=job_seeker, hours_per_week=Decimal("24.0"), is_competitive=None)
    client = client_for(specialist_sam)
    english = page_in(client, reverse("placement_detail", args=[placement.pk]), "en")
    assert "<dd>24.5</dd>" in english and "<dd>€11.65</dd>" in english and "<dd>Yes</dd>" in english
    french = page_in(client, reverse("placement_detail", args=[placement.pk]), "fr")
    assert "<dd>24,5</dd>" in french and "<dd>11,65\u00a0€</dd>" in french and "<dd>Oui</dd>" in french
    assert "<dd>24</dd>" in page_in(client, reverse("placement_detail", args=[whole.pk]), "en")
    assert "<dd>Non renseigné</dd>" in page_in(client, reverse("placement_detail", args=[whole.pk]), "fr")
    # The job seeker's list of jobs: "24 h/week", never "24.0".
    listing = page_in(client, reverse("job_seeker_placements", args=[job_seeker.pk]), "en")
    assert "24.5 h/week" in listing and "24 h/week" in listing and "24.0" not in listing


def test_an_employers_job_openings_show_pay_with_the_euro_sign(client_for, specialist_sam):
    employer = EmployerFactory(organisation=specialist_sam.organisation)
    JobOpening.objects.create(
        employer=employer, title="Plongeur", hours_per_week=35, hourly_pay=Decimal("12.50"), learned_on=START
    )
    client = client_for(specialist_sam)
    assert "<td>€12.50</td>" in page_in(client, reverse("employer_detail", args=[employer.pk]), "en")
    french = page_in(client, reverse("employer_detail", args=[employer.pk]), "fr")
    assert "<td>12,50\u00a0€</td>" in french and "<td>35</td>" in french
