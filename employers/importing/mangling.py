"""Values a spreadsheet mangled when it read the file or saved it, column by column
(docs/import-export.md, "Values a spreadsheet changed").

A spreadsheet reads every cell that looks like a number or a date as one, unless the
column is formatted as Text: "01000" becomes 1000, "+33612345678" becomes
3.36123E+10, "1-9" becomes 9 January. Saved as CSV, the mangled value is what the
file holds. Each kind is found per column type and is never imported silently:

- restored, with a notice on the preview, when the original is certain: a postcode
  of four digits in a country whose postcodes have five (the leading zero is the only
  thing lost: 1000 -> 01000, Ain); a French phone number of nine digits (its leading
  0 lost) or of eleven starting with 33 (its "+" lost); a NAF/APE code with one digit
  before its point (1.11 -> 01.11, its leading zero lost);
- refused, with the row and how to fix the column, when digits are lost or the
  original cannot be told: a phone number in scientific notation (6,12E+08: the
  digits after the third are gone) or turned into a date (01/06/1912), a postcode of
  fewer than four digits, a NAF code of three digits without a point (111: 01.11 or
  11.1?), a size range turned into a date (9-Jan, oct.-49).

A phone number is refused too when it is not one at all ("abc", "12"): never stored
as the contact's number without a word.

The import has no date column: the sizes and the phone numbers are the only values
that Excel's dates reach. A size given as a serial number (45231) cannot be told from
a headcount and is read as one."""

import re
import unicodedata
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# Countries whose postcodes are five digits, some starting with 0 (France 01000-09999:
# Ain, Aisne, Allier, Alpes, Ardèche, Ardennes, Ariège). Elsewhere (Belgium, Switzerland,
# Luxembourg: four digits) a four-digit postcode is left as written.
FIVE_DIGIT_POSTCODES = frozenset({"FR", "MC", "DE", "ES", "IT", "US"})

# Countries whose national phone numbers are 0 followed by nine digits (+33 once the 0 is dropped).
FRENCH_NUMBERING = frozenset({"FR"})

SCIENTIFIC = re.compile(r"^[+-]?\d+(?:[.,]\d+)?\s*[eE]\s*[+-]?\d+$")
DECIMAL_NUMBER = re.compile(r"^\d+[.,]\d+$")
NAF_WITHOUT_ZERO = re.compile(r"^(\d)[.,](\d{1,2})([A-Za-z]?)$")
NAF_AMBIGUOUS = re.compile(r"^\d{3}$")

MONTHS = (
    "jan|janv|janvier|january|feb|fev|fevr|fevrier|february|mar|mars|march|apr|avr|avril|april|may|mai|"
    "jun|juin|june|jul|juil|juillet|july|aug|aou|aout|august|sep|sept|septembre|september|oct|octobre|"
    "october|nov|novembre|november|dec|decembre|december"
)
# A size range as Excel shows it once read as a date: 9-Jan, 01-sept., Oct-49, oct.-49
# (compared as words: "9 jan", "oct 49"), 09/01/2024, 2024-01-09.
SIZE_AS_MONTH_DATE = re.compile(rf"^(?:\d{{1,2}} (?:{MONTHS})(?: \d{{2,4}})?|(?:{MONTHS}) \d{{1,4}})$")
SIZE_AS_NUMERIC_DATE = re.compile(r"^\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}$")

# A date as a spreadsheet writes it, a time possibly after it: 01/06/1912, 1/2/1900,
# 1900-01-02, 02.01.1900 00:00.
NUMERIC_DATE = re.compile(r"^(\d{1,4})([-/.])(\d{1,2})\2(\d{1,4})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$")
# A phone number as people write it: ASCII digits grouped by spaces, dots, dashes,
# slashes or brackets, a leading "+", an extension after it (ext. 12, poste 12, x12).
PHONE_NUMBER = re.compile(r"^\+?[0-9\s().\-/]+?(?:\s*(?:ext|extension|poste|x)\.?\s*[0-9]{1,6})?$", re.IGNORECASE)
PHONE_EXTENSION = re.compile(r"(?:ext|extension|poste|x)\.?\s*[0-9]{1,6}$", re.IGNORECASE)
# From a short number (3949) to the longest international number (15 digits, E.164)
# with its international prefix 00.
PHONE_DIGITS = range(4, 18)


def _words(value: str) -> str:
    value = unicodedata.normalize("NFKD", value).casefold()
    value = "".join(char if char.isalnum() else " " for char in value if not unicodedata.combining(char))
    return " ".join(value.split())


@dataclass(frozen=True)
class Restored:
    """A value restored from what a spreadsheet made of it, and the notice saying so."""

    column: str
    value: str
    restored: str
    message: str


def _format_as_text(column: str) -> str:
    return _("Format the %(column)s column as Text in the spreadsheet before saving it as CSV.") % {"column": column}


def postcode_key(value: str, country: str) -> str:
    """The postcode as duplicates are compared: without spaces, in capitals, and with a
    leading zero a spreadsheet dropped put back (1000 and 01000 are the same)."""
    value = "".join(str(value).split()).upper()
    if country in FIVE_DIGIT_POSTCODES and len(value) == 4 and value.isascii() and value.isdigit():
        return "0" + value
    return value


def restore_postcode(value: str, *, country: str, column: str) -> tuple[str, Restored | None]:
    """A postcode as imported: restored (four digits where postcodes have five), or
    ValidationError (fewer digits: lost, or not a postcode), or as written."""
    compact = "".join(value.split())
    if country not in FIVE_DIGIT_POSTCODES or not (compact.isascii() and compact.isdigit()) or len(compact) >= 5:
        return value, None
    if len(compact) == 4:
        restored = "0" + compact
        return restored, Restored(
            column,
            value,
            restored,
            _("Read as %(restored)s: the spreadsheet dropped the postcode's leading zero.") % {"restored": restored}
            + " "
            + _format_as_text(column),
        )
    raise ValidationError(
        _("A postcode has five digits: %(value)s has lost some (the spreadsheet drops leading zeros).")
        % {"value": value}
        + " "
        + _format_as_text(column)
    )


def _is_date(value: str) -> bool:
    """Whether a cell is a date as a spreadsheet writes one (01/06/1912, 1900-01-02,
    2-Jan-1900): day and month within their ranges, the year of two or four digits."""
    if SIZE_AS_MONTH_DATE.match(_words(value)):
        return True
    match = NUMERIC_DATE.match(value)
    if not match:
        return False
    first, _separator, middle, last = match.groups()
    if len(first) == 4:  # 1900-01-02
        return 1 <= int(middle) <= 12 and 1 <= int(last) <= 31
    if len(first) > 2 or len(last) not in (2, 4):
        return False
    # 01/06/1912 (day first) or 1/31/1900 (month first, an English spreadsheet).
    return (1 <= int(first) <= 31 and 1 <= int(middle) <= 12) or (1 <= int(first) <= 12 and 1 <= int(middle) <= 31)


def _is_phone_number(value: str) -> bool:
    """Whether a cell can be a phone number: see PHONE_NUMBER and PHONE_DIGITS."""
    if not PHONE_NUMBER.match(value):
        return False
    number = PHONE_EXTENSION.sub("", value)
    return sum(char.isdigit() for char in number) in PHONE_DIGITS


def restore_phone(value: str, *, country: str, column: str) -> tuple[str, Restored | None]:
    """A phone number as imported: restored (a French number whose 0 or + was dropped),
    ValidationError (scientific notation or a decimal number: digits lost; a date; not
    a phone number at all), or as written."""
    compact = value.strip()
    if SCIENTIFIC.match(compact) or DECIMAL_NUMBER.match(compact):
        raise ValidationError(
            _(
                "The spreadsheet turned this phone number into a number (%(value)s): its leading 0 or + and "
                "possibly some digits are lost. Type the numbers again."
            )
            % {"value": compact}
            + " "
            + _format_as_text(column)
        )
    if _is_date(compact):
        raise ValidationError(
            _("The spreadsheet turned this phone number into a date (%(value)s). Type the numbers again.")
            % {"value": compact}
            + " "
            + _format_as_text(column)
        )
    if not _is_phone_number(compact):
        raise ValidationError(
            _(
                "“%(value)s” is not a phone number. Write the numbers in the %(column)s column with their digits, "
                "such as 06 12 34 56 78 or +33 6 12 34 56 78, or leave the cell empty."
            )
            % {"value": compact, "column": column}
            + " "
            + _format_as_text(column)
        )
    if country not in FRENCH_NUMBERING or not (compact.isascii() and compact.isdigit()):
        return value, None
    if len(compact) == 9 and compact[0] != "0":
        restored = "0" + compact
        message = _("Read as %(restored)s: the spreadsheet dropped the phone number's leading 0.")
    elif len(compact) == 11 and compact.startswith("33") and compact[2] != "0":
        restored = "+" + compact
        message = _("Read as %(restored)s: the spreadsheet dropped the phone number's “+”.")
    else:
        return value, None
    return restored, Restored(column, value, restored, message % {"restored": restored} + " " + _format_as_text(column))


def restore_industry_code(value: str, *, column: str) -> tuple[str, Restored | None]:
    """A NAF/APE (NACE) code as imported: restored (1.11 -> 01.11: the division has two
    digits), ValidationError (111: 01.11 or 11.1?), or as written."""
    compact = value.strip()
    match = NAF_WITHOUT_ZERO.match(compact)
    if match:
        digit, rest, letter = match.groups()
        restored = f"0{digit}.{rest}{letter.upper()}"
        return restored, Restored(
            column,
            value,
            restored,
            _("Read as %(restored)s: the spreadsheet dropped the NAF code's leading zero.") % {"restored": restored}
            + " "
            + _format_as_text(column),
        )
    if NAF_AMBIGUOUS.match(compact):
        raise ValidationError(
            _(
                "“%(value)s” is not a NAF code as written in the register (01.11Z, 5610A): the spreadsheet "
                "may have dropped a leading zero or the point. Write the code again."
            )
            % {"value": compact}
            + " "
            + _format_as_text(column)
        )
    return value, None


def check_size(value: str, *, column: str) -> None:
    """ValidationError when a size range was turned into a date (1-9 -> 9-Jan)."""
    compact = value.strip()
    if SIZE_AS_NUMERIC_DATE.match(compact) or SIZE_AS_MONTH_DATE.match(_words(compact)):
        raise ValidationError(
            _(
                "The spreadsheet turned this size into a date (%(value)s). Type the size again: a headcount or "
                "a range such as 1-9, 10-49, 50-249."
            )
            % {"value": compact}
            + " "
            + _format_as_text(column)
        )
