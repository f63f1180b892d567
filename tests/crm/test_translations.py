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


# French typography ------------------------------------------------------------------
# The rule (docs/development.md, Translations): a no-break space (U+00A0) before ":" and
# inside « », between a number and "%" or "€"; a narrow no-break space (U+202F) before
# ";", "!" and "?". A plain space there lets the line break before the mark; no space
# at all is English typography.

NBSP, NNBSP = "\u00a0", "\u202f"
MARK_SPACE = {":": NBSP, ";": NNBSP, "!": NNBSP, "?": NNBSP}


def catalogue_entries(text: str) -> list[dict[str, str]]:
    """The entries of a .po file as {"msgctxt", "msgid", "msgid_plural", "msgstr",
    "msgstr[0]", …: unescaped text}, the header left out."""
    entries = []
    for block in text.split("\n\n"):
        entry, key = {}, None
        for line in block.splitlines():
            match = re.match(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d\])?) "(.*)"$', line)
            if match:
                key = match.group(1)
                entry[key] = match.group(2)
            elif line.startswith('"') and key:
                entry[key] += line[1:-1]
            elif not line.startswith('"'):
                key = None
        if entry.get("msgid"):
            entries.append(
                {
                    name: bytes(value, "utf-8").decode("unicode_escape").encode("latin-1").decode("utf-8")
                    for name, value in entry.items()
                }
            )
    return entries


def typography_faults(text: str) -> list[str]:
    """Where `text` (a French msgstr) breaks the rule, as short excerpts."""
    faults = []
    for index, char in enumerate(text):
        before, after = text[:index], text[index + 1 :]
        where = repr(text[max(0, index - 20) : index + 10])
        if char in MARK_SPACE:
            if char == ":" and (after.startswith("//") or (before[-1:].isdigit() and after[:1].isdigit())):
                continue  # https://, 09:00
            if char == ":" and re.search(r"(Authorization|https?|mailto)$", before):
                continue  # an HTTP header or a URL scheme quoted as typed
            if before.endswith("(") or (char == ";" and re.search(r"&#?\w+$", before)):
                continue  # the mark itself quoted, "(;)"; an HTML entity
            if char == "?" and re.match(r"\w+=", after):
                continue  # a query string
            if not before.endswith(MARK_SPACE[char]):
                faults.append(f"{char!r} needs {MARK_SPACE[char]!r} before it: {where}")
        elif char == "«" and not after.startswith(NBSP):
            faults.append(f"« needs a no-break space after it: {where}")
        elif char == "»" and not before.endswith(NBSP):
            faults.append(f"» needs a no-break space before it: {where}")
        elif char in "%€" and re.search(r"(\d|%\(\w+\)[sd]|%[sd])[ \u202f]?%?$", before):
            if char == "%" and not after.startswith("%"):
                continue  # a placeholder's own % ("%(value)s%(unit)s")
            if not re.search(r"(\d|%\(\w+\)[sd]|%[sd])\u00a0$", before):
                faults.append(f"{char} needs a no-break space before it: {where}")
    return faults


def test_the_typography_check_catches_plain_and_missing_spaces():
    assert typography_faults("Date : demain") and typography_faults("Date: demain")
    assert typography_faults("Vraiment ?") and typography_faults("Vraiment\u00a0?")  # U+202F wanted
    assert typography_faults("« oui »") and typography_faults("«oui»")
    assert typography_faults("%(value)s %%") and typography_faults("%(amount)s €")
    assert not typography_faults(
        "Date\u00a0: demain, 09:00\u202f; https://exemple.fr\u202f? «\u00a0oui\u00a0» 12\u00a0%% 11,65\u00a0€"
    )
    assert not typography_faults("Seules les URL en https://\u202f; Point-virgule (;)")


def test_french_strings_follow_french_typography():
    faults = []
    for entry in catalogue_entries(CATALOGUE.read_text(encoding="utf-8")):
        for name, text in entry.items():
            if name.startswith("msgstr"):
                faults += [f"{entry['msgid'][:60]!r}: {fault}" for fault in typography_faults(text)]
    assert not faults, "\n".join(faults[:20])


def test_separators_typed_between_translated_pieces_follow_the_language():
    from crm.templatetags.typography import colon, labelled, semicolon

    with translation.override("en"):
        assert (colon(), semicolon(), labelled("Next step", "call")) == (": ", "; ", "Next step: call")
    with translation.override("fr"):
        assert (colon(), semicolon()) == (f"{NBSP}: ", f"{NNBSP}; ")
        assert translation.pgettext("money", "€%(amount)s") == f"%(amount)s{NBSP}€"
