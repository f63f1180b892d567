"""Task titles are rendered in the reader's language, with the person's current name:
the worker that creates a task never fixes its language."""

import datetime
import html
import importlib
import zoneinfo

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone, translation

from crm.access import ProgramScope
from integrations.calendar import ical
from placements import services
from placements.models import SupportTask, TaskTitle
from tests.factories import SupportTaskFactory
from tests.placements.conftest import offer

conversion = importlib.import_module("placements.migrations.0005_support_task_titles_from_text")


def page(client, url) -> str:
    return html.unescape(client.get(url).content.decode())


def test_a_task_made_by_an_english_worker_reads_in_french_for_a_french_user(
    settings, client_for, specialist_sam, nadia, bakery, handle_events
):
    settings.LANGUAGE_CODE = "en"
    # Disclosure never discussed (and no talk planned): the offer plans it, its title
    # carrying the recorded preference as a parameter.
    nadia.disclosure_preference, nadia.disclosure_discussed_on = "undecided", None
    nadia.save()
    placement = offer(specialist_sam, nadia, bakery, on=timezone.localdate())
    with translation.override("en"):
        handle_events()
    client = client_for(specialist_sam)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    tasks = page(client, reverse("task_list"))
    detail = page(client, reverse("placement_detail", args=[placement.pk]))
    for content in (tasks, detail):
        assert "Échanger sur la divulgation avec Nadia Benali (préférence enregistrée" in content
        assert "Pas encore abordé" in content
        assert "Talk about disclosure" not in content
    assert "Contact de suivi dans l'emploi avec Nadia Benali dans la semaine précédant la prise de poste" in detail
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "Talk about disclosure with Nadia Benali (recorded preference:" in page(client, reverse("task_list"))


def test_the_title_shows_the_persons_current_name(organisation, nadia):
    task = services.support_task_create(
        scope=ProgramScope(organisation), job_seeker_id=nadia.pk, kind="retention_check", due_date=datetime.date.today()
    )
    assert task.title_params == {}
    nadia.last_name = "Martin"
    nadia.save()
    with translation.override("en"):
        assert SupportTask.objects.get().title == "13-week retention check with Nadia Martin"


def test_parameters_are_rendered_in_each_language(organisation, nadia):
    task = services.support_task_create(
        scope=ProgramScope(organisation),
        job_seeker_id=nadia.pk,
        kind="job_search_nudge",
        params={"day": 21},
        due_date=datetime.date.today(),
    )
    with translation.override("en"):
        assert task.title == "Day 21 of job search for Nadia Benali: no face-to-face employer contact yet"
    with translation.override("fr"):
        assert task.title.startswith("Jour 21 de recherche d'emploi pour Nadia Benali")


def test_a_task_written_by_hand_keeps_its_text_in_every_language(nadia):
    task = SupportTaskFactory(job_seeker=nadia, kind="other", title="Appeler la CAF")
    for language in ("en", "fr"):
        with translation.override(language):
            assert SupportTask.objects.get(pk=task.pk).title == "Appeler la CAF"


def test_calendar_summaries_carry_the_kind_never_the_adjustment(organisation, nadia, specialist_sam, bakery):
    """Feeds leave the building: an adjustment's description is health information, and
    the kind "workplace accommodation" says too much, so it shows under a neutral label."""
    placement = offer(specialist_sam, nadia, bakery, on=timezone.localdate())
    task = services.support_task_create(
        scope=ProgramScope(organisation),
        job_seeker_id=nadia.pk,
        placement_id=placement.pk,
        kind="accommodation",
        title_key=TaskTitle.ACCOMMODATION_DISCUSS,
        params={"what": "Breaks for medication"},
        due_date=timezone.localdate(),
    )
    with translation.override("en"):
        view = ical.all_day_task_view(task, organisation=organisation, base_url="https://crm.example")
        stamp = ical.Stamp(modified_at=view.changed_at, sequence=view.record_sequence)
        event = ical.event(view, stamp, zoneinfo.ZoneInfo(organisation.time_zone))
    text = event.to_ical().decode()
    assert "Follow-along task — N.B." in text
    assert "medication" not in text and "Benali" not in text and "ccommodation" not in text


class TestConversionOfStoredTitles:
    """placements/migrations/0005: the old titles, stored in the creator's language."""

    @pytest.mark.parametrize(
        "kind,text,key,params",
        [
            ("follow_along", "Follow-along contact with Nadia Benali", "follow_along", {}),
            (
                "follow_along",
                "Contact de suivi dans l'emploi avec Nadia Benali dans la semaine précédant la prise de poste",
                "follow_along_before_start",
                {},
            ),
            (
                "disclosure_conversation",
                "Talk about disclosure with Nadia Benali (recorded preference: Not yet discussed)",
                "disclosure_conversation",
                {"preference": "undecided"},
            ),
            (
                "disclosure_conversation",
                "Échanger sur la divulgation avec Nadia Benali (préférence enregistrée\xa0: "
                "Divulgation partielle, convenue avec le salarié)",
                "disclosure_conversation",
                {"preference": "partial"},
            ),
            (
                "accommodation",
                "Vérifier la réponse de l'employeur sur «\xa0Horaires aménagés\xa0»",
                "accommodation_check_answer",
                {"what": "Horaires aménagés"},
            ),
            (
                "accommodation",
                "Review with the worker whether “A quiet desk” works",
                "accommodation_review",
                {"what": "A quiet desk"},
            ),
            (
                "job_search_nudge",
                "Jour 21 de recherche d'emploi pour Jean Dupont\xa0: pas encore de contact employeur en face à face",
                "job_search_nudge",
                {"day": 21},
            ),
            ("step_down_review", "Hand follow-along over to the mental-health team", "step_down_handover", {}),
        ],
    )
    def test_old_english_and_french_titles_become_keys(self, nadia, kind, text, key, params):
        task = SupportTaskFactory(job_seeker=nadia, kind=kind, title=text)
        conversion.forwards(apps, None)
        task.refresh_from_db()
        assert (task.title_key, task.title_params, task.custom_title) == (key, params, "")

    @pytest.mark.parametrize(
        "kind,text",
        [
            ("other", "Relancer un employeur rencontré"),
            ("follow_along", "Call Nadia about the bus pass"),
            # A title of another kind is not recognised on this one.
            ("retention_check", "Follow-along contact with Nadia Benali"),
        ],
    )
    def test_anything_else_stays_a_title_written_by_hand(self, nadia, kind, text):
        task = SupportTaskFactory(job_seeker=nadia, kind=kind, title=text)
        conversion.forwards(apps, None)
        task.refresh_from_db()
        assert (task.title_key, task.custom_title) == ("", text)

    def test_back_to_stored_english_text(self, nadia):
        task = SupportTaskFactory(job_seeker=nadia, kind="job_search_nudge")
        SupportTask.objects.filter(pk=task.pk).update(
            custom_title="", title_key="job_search_nudge", title_params={"day": 14}
        )
        conversion.backwards(apps, None)
        task.refresh_from_db()
        assert task.custom_title == "Day 14 of job search for Nadia Benali: no face-to-face employer contact yet"
        assert task.title_key == ""
