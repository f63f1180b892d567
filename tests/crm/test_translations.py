"""The French interface is complete: every catalogue entry translated, none fuzzy."""

import re
from pathlib import Path

from django.utils import translation

CATALOGUE = Path(__file__).resolve().parents[2] / "crm" / "locale" / "fr" / "LC_MESSAGES" / "django.po"


def test_french_catalogue_has_no_untranslated_or_fuzzy_entries():
    text = CATALOGUE.read_text(encoding="utf-8")
    entries = text.split("\n\n")[1:]  # the first block is the header
    untranslated = [e for e in entries if re.search(r'^msgstr(\[\d\])? ""\n?$', e, re.M) and "msgid" in e]
    untranslated = [e for e in untranslated if not re.search(r'^msgstr(\[\d\])? ""\n"', e, re.M)]
    fuzzy = [e for e in entries if "#, fuzzy" in e]
    assert not untranslated, untranslated[:3]
    assert not fuzzy, fuzzy[:3]


def test_compiled_catalogue_is_used():
    with translation.override("fr"):
        assert translation.gettext("Job seekers") == "Demandeurs d'emploi"
        assert translation.gettext("My tasks") == "Mes tâches"
        assert "Contact de suivi" in translation.gettext("Follow-along contact with %(name)s")
