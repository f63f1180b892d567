"""Existing tasks' titles, stored as text in the language of whoever created them,
become a title key and its parameters (SupportTask.title renders them in the reader's
language). Each kind's old English and French titles are recognised; anything else
stays as it is, as a title written by hand."""

import re

from django.db import migrations

# The titles as the code wrote them up to this migration, in English and in French
# (crm/locale/fr), frozen here: later changes to the catalogue must not change what
# this migration recognises.
TITLES = {
    "follow_along": (
        "Follow-along contact with %(name)s",
        "Contact de suivi dans l'emploi avec %(name)s",
    ),
    "follow_along_before_start": (
        "Follow-along contact with %(name)s in the week before the start",
        "Contact de suivi dans l'emploi avec %(name)s dans la semaine précédant la prise de poste",
    ),
    "benefits_before_start": (
        "Work incentives planning before the start (%(name)s)",
        "Conseil sur les prestations et revenus d'activité avant la prise de poste (%(name)s)",
    ),
    "benefits_terms_changed": (
        "Benefits re-check: hours or pay changed (%(name)s)",
        "Nouveau point sur les prestations : horaires ou salaire modifiés (%(name)s)",
    ),
    "benefits_session_check": (
        "Check that the benefits counselling session took place (%(name)s)",
        "Vérifier que la séance de conseil sur les prestations a eu lieu (%(name)s)",
    ),
    "disclosure_conversation": (
        "Talk about disclosure with %(name)s (recorded preference: %(preference)s)",
        "Échanger sur la divulgation avec %(name)s (préférence enregistrée : %(preference)s)",
    ),
    "accommodation_needs": (
        "Talk with %(name)s about workplace adjustments they may need",
        "Échanger avec %(name)s sur les éventuels aménagements du poste nécessaires",
    ),
    "accommodation_first_month": (
        "Review workplace adjustments after the first month (%(name)s)",
        "Faire le point sur les aménagements du poste après le premier mois (%(name)s)",
    ),
    "accommodation_discuss": (
        "Discuss the adjustment “%(what)s” with the worker",
        "Discuter de l'aménagement « %(what)s » avec le salarié",
    ),
    "accommodation_check_answer": (
        "Check the employer's answer on “%(what)s”",
        "Vérifier la réponse de l'employeur sur « %(what)s »",
    ),
    "accommodation_review": (
        "Review with the worker whether “%(what)s” works",
        "Vérifier avec le salarié si l'aménagement « %(what)s » fonctionne",
    ),
    "retention_check": (
        "13-week retention check with %(name)s",
        "Point sur le maintien dans l'emploi à 13 semaines avec %(name)s",
    ),
    "step_down_one_year": (
        "One year in the job: review follow-along and a possible step-down with %(name)s",
        "Un an dans l'emploi : faire le point sur le suivi dans l'emploi et un éventuel passage de relais à "
        "l'équipe de santé mentale avec %(name)s",
    ),
    "step_down_handover": (
        "Hand follow-along over to the mental-health team",
        "Passer le relais du suivi dans l'emploi à l'équipe de santé mentale",
    ),
    "job_end_contact": (
        "See %(name)s face to face after the job ended",
        "Rencontrer %(name)s en face à face après la fin de l'emploi",
    ),
    "job_end_report": (
        "Write the job-end report (%(name)s)",
        "Rédiger le bilan de fin d'emploi (%(name)s)",
    ),
    "job_search_nudge": (
        "Day %(day)s of job search for %(name)s: no face-to-face employer contact yet",
        "Jour %(day)s de recherche d'emploi pour %(name)s : pas encore de contact employeur en face à face",
    ),
}

# Which kinds each title was written for: a title is only recognised on its own kind.
KINDS = {
    "follow_along": "follow_along",
    "follow_along_before_start": "follow_along",
    "benefits_before_start": "benefits_planning",
    "benefits_terms_changed": "benefits_planning",
    "benefits_session_check": "benefits_planning",
    "disclosure_conversation": "disclosure_conversation",
    "accommodation_needs": "accommodation",
    "accommodation_first_month": "accommodation",
    "accommodation_discuss": "accommodation",
    "accommodation_check_answer": "accommodation",
    "accommodation_review": "accommodation",
    "retention_check": "retention_check",
    "step_down_one_year": "step_down_review",
    "step_down_handover": "step_down_review",
    "job_end_contact": "job_end_contact",
    "job_end_report": "job_end_report",
    "job_search_nudge": "job_search_nudge",
}

# JobSeeker.Disclosure labels in English and French, back to their values.
PREFERENCES = {
    "Not yet discussed": "undecided",
    "Pas encore abordé": "undecided",
    "Does not want the condition disclosed": "none",
    "Ne souhaite pas que ses troubles soient divulgués": "none",
    "Disclose some information, agreed with the worker": "partial",
    "Divulgation partielle, convenue avec le salarié": "partial",
    "Specialist may disclose and speak with the employer": "full",
    "Le conseiller peut divulguer et échanger avec l'employeur": "full",
}

PLACEHOLDER = re.compile(r"%\((\w+)\)s")
GROUPS = {"name": r"(?P<name>.+?)", "what": r"(?P<what>.+)", "preference": r"(?P<preference>.+)", "day": r"(?P<day>\d+)"}


def _pattern(template: str) -> re.Pattern:
    """A template as a regular expression: placeholders become groups, any run of
    spaces (French titles use no-break spaces before colons and inside « ») matches
    any run of white space."""
    parts = []
    position = 0
    for match in PLACEHOLDER.finditer(template):
        parts.append(_literal(template[position : match.start()]))
        parts.append(GROUPS[match.group(1)])
        position = match.end()
    parts.append(_literal(template[position:]))
    return re.compile("".join(parts), re.DOTALL)


def _literal(text: str) -> str:
    return r"\s+".join(re.escape(word) for word in re.split(r"\s+", text))


# The longest templates first, so that "Follow-along contact with X in the week before
# the start" is not read as "Follow-along contact with X".
PATTERNS = sorted(
    ((key, _pattern(template)) for key, templates in TITLES.items() for template in templates),
    key=lambda item: -len(item[1].pattern),
)


def recognise(kind: str, text: str) -> tuple[str, dict] | None:
    """(title key, params) for an old title, or None if it is not one the code wrote."""
    text = text.strip()
    for key, pattern in PATTERNS:
        if KINDS[key] != kind:
            continue
        match = pattern.fullmatch(text)
        if match is None:
            continue
        found = match.groupdict()
        params = {}
        if "what" in found:
            params["what"] = found["what"]
        if "day" in found:
            params["day"] = int(found["day"])
        if "preference" in found:
            params["preference"] = PREFERENCES.get(found["preference"].strip(), found["preference"].strip())
        return key, params
    return None


def forwards(apps, schema_editor):
    SupportTask = apps.get_model("placements", "SupportTask")
    kind_labels = {
        "follow_along": "Follow-along contact",
        "other": "Other",
    }
    batch = []
    for task in SupportTask.objects.filter(title_key="").only("pk", "kind", "custom_title").iterator(chunk_size=2000):
        found = recognise(task.kind, task.custom_title)
        if found is not None:
            task.title_key, task.title_params = found
            task.custom_title = ""
        elif not task.custom_title.strip():
            task.custom_title = kind_labels.get(task.kind, task.kind.replace("_", " ").capitalize())
        else:
            continue
        batch.append(task)
        if len(batch) >= 2000:
            SupportTask.objects.bulk_update(batch, ["title_key", "title_params", "custom_title"])
            batch = []
    if batch:
        SupportTask.objects.bulk_update(batch, ["title_key", "title_params", "custom_title"])


def backwards(apps, schema_editor):
    """Back to stored text, in English (the language the code used by default)."""
    SupportTask = apps.get_model("placements", "SupportTask")
    labels = {value: label for value, label in ((v, k) for k, v in PREFERENCES.items() if k.isascii())}
    batch = []
    tasks = SupportTask.objects.exclude(title_key="").select_related("job_seeker").iterator(chunk_size=2000)
    for task in tasks:
        params = dict(task.title_params or {})
        if "preference" in params:
            params["preference"] = labels.get(params["preference"], params["preference"])
        params["name"] = f"{task.job_seeker.first_name} {task.job_seeker.last_name}".strip()
        try:
            text = TITLES[task.title_key][0] % params
        except (KeyError, TypeError, ValueError):
            text = task.custom_title or task.kind
        task.custom_title, task.title_key, task.title_params = text[:200], "", {}
        batch.append(task)
        if len(batch) >= 2000:
            SupportTask.objects.bulk_update(batch, ["title_key", "title_params", "custom_title"])
            batch = []
    if batch:
        SupportTask.objects.bulk_update(batch, ["title_key", "title_params", "custom_title"])


class Migration(migrations.Migration):
    dependencies = [
        ("placements", "0004_support_task_title_key"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
