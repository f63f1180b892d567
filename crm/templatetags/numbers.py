"""Numbers as a reader of the active language expects them: the one home for hours,
money and yes/no in templates (and in Python, by importing these functions).

    {% load numbers %}{{ placement.hours_per_week|hours }} h   {{ placement.hourly_pay|euros }}

- `hours` (any decimal quantity worth its digits only): "24" / "24.5" in English,
  "24" / "24,5" in French; never "24.0" or "24.50".
- `euros`: "€11.65" in English, "11,65 €" in French (a no-break space before the
  sign), thousands grouped ("€1,234.50", "1 234,50 €").
- `yes_no`: the interface's own "Yes" / "No" ("Oui" / "Non"), and "Not recorded" for
  None, capitalised as everywhere else.

Each gives "" for a missing value, so `|default:"—"` still applies after it. Built on
django.utils.formats.number_format, so the separators are the active language's."""

from decimal import Decimal, InvalidOperation

from django import template
from django.utils import formats
from django.utils.translation import gettext, pgettext

register = template.Library()


def _decimal(value) -> Decimal | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        return None
    return number if number.is_finite() else None


@register.filter
def hours(value, max_digits: int = 2) -> str:
    """A quantity with the decimals it needs, at most `max_digits` (24, 24.5, 7.25),
    in the active language's notation ("24,5" in French)."""
    number = _decimal(value)
    if number is None:
        return ""
    number = round(number, int(max_digits))
    exponent = number.normalize().as_tuple().exponent
    decimals = max(0, -exponent) if isinstance(exponent, int) else 0
    return formats.number_format(number, decimals, use_l10n=True, force_grouping=True)


@register.filter
def euros(value) -> str:
    """An amount in euros with its cents and the sign where the language puts it."""
    number = _decimal(value)
    if number is None:
        return ""
    amount = formats.number_format(round(number, 2), 2, use_l10n=True, force_grouping=True)
    # Translators: an amount of money in euros; French puts the sign after, with a no-break space.
    return pgettext("money", "€%(amount)s") % {"amount": amount}


@register.filter
def yes_no(value) -> str:
    """True, False or None as the interface's own words: Yes, No, Not recorded."""
    if value is None or value == "":
        return gettext("Not recorded")
    return gettext("Yes") if value else gettext("No")
