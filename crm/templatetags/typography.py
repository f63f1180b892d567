"""Punctuation put between pieces of text that are translated apart, as the active
language writes it. French puts a no-break space before ":" and a narrow no-break
space before ";" (docs/development.md, Translations); English puts none.

    {% load typography %}{% translate "Next step" %}{% colon %}<strong>…</strong>

A whole sentence is better translated whole ("Prefers: {{ channel }}" in one
blocktranslate); these are for a label and a value that come from different places."""

from django import template
from django.utils.translation import pgettext

register = template.Library()


@register.simple_tag
def colon() -> str:
    """ ": " in English, " : " (no-break space before) in French."""
    # The catalogue entry templates also use as {% translate ": " context "label separator" %}.
    return pgettext("label separator", ": ")


@register.simple_tag
def semicolon() -> str:
    """ "; " in English, " ; " (narrow no-break space before) in French."""
    # Translators: between the items of a list. French: a narrow no-break space (U+202F) before.
    return pgettext("list separator", "; ")


def labelled(label, value) -> str:
    """ "label: value" in the active language's typography, for Python code."""
    return f"{label}{colon()}{value}"
