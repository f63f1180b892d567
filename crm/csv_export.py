"""The one CSV writer: every CSV file the product writes (the employer-contact export,
each dashboard table, the import's example file) goes through it, so that they all
open the same way in the reader's spreadsheet (docs/import-export.md):

- the separator and the decimal mark follow the reader's language: French Excel splits
  a file on the French list separator ";" and reads "3,2" as a number; English Excel
  splits on "," and reads "3.2";
- UTF-8 with a byte-order mark, so that Excel reads the accents;
- dates in ISO format (2026-03-02: sorts correctly and is read in every locale),
  times as HH:MM;
- a text cell a spreadsheet would run as a formula is prefixed with "'" (CSV injection);
- the file name in the reader's language, sent so that any browser keeps it.

It is the bottom layer (crm): jobdev and employers both use it."""

import csv
import datetime
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

CONTENT_TYPE = "text/csv; charset=utf-8"
BOM = "\ufeff"
LINE_END = "\r\n"
SEPARATORS = {"comma": ",", "semicolon": ";"}
# A spreadsheet runs a text cell starting with one of these as a formula (OWASP "CSV
# injection"); a leading space does not stop LibreOffice from trimming and running it.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
# A text not starting with one of these (or a space before one) is never escaped.
_RISKY_FIRST = frozenset((*FORMULA_STARTS, " "))


def is_french(language: str | None) -> bool:
    return (language or "").lower().startswith("fr")


@dataclass(frozen=True)
class CsvFormat:
    """How numbers and cells are written for a reader: `delimiter` between cells,
    `decimal_mark` in numbers."""

    delimiter: str
    decimal_mark: str

    @classmethod
    def for_language(cls, language: str | None, *, separator: str | None = None) -> "CsvFormat":
        """French: ";" and ","; any other language: "," and ".". `separator` ("comma" or
        "semicolon") overrides the separator only; a number whose decimal mark is the
        separator is then quoted, as spreadsheets expect."""
        french = is_french(language)
        delimiter = SEPARATORS[separator] if separator else (";" if french else ",")
        return cls(delimiter=delimiter, decimal_mark="," if french else ".")

    @property
    def separator_name(self) -> str:
        return {",": "comma", ";": "semicolon"}[self.delimiter]


def escape_formula(text: str) -> str:
    """`text` as a spreadsheet shows it, never as a formula it would run."""
    return "'" + text if text.lstrip(" ").startswith(FORMULA_STARTS) else text


def _number(value: float | Decimal, decimal_mark: str) -> str:
    text = str(value)
    if "e" in text.lower():  # 1e+16, 1E-7: a spreadsheet reads neither as written
        text = format(Decimal(text), "f")
    return text.replace(".", decimal_mark)


class _Line:
    """A file-like object for csv.writer that hands each line back instead of storing it."""

    def write(self, value: str) -> str:
        return value


class CsvWriter:
    """Writes cells and lines in one CsvFormat. Cells may be None (empty), text (escaped
    if it would run as a formula), a number (plain, with the reader's decimal mark: a
    number is never a formula, so -3 stays a number), True/False (yes/no in the
    reader's language), a date (ISO), a datetime (ISO date and HH:MM, in the current
    time zone) or a time (HH:MM)."""

    def __init__(self, csv_format: CsvFormat):
        self.format = csv_format
        self._writer = csv.writer(_Line(), delimiter=csv_format.delimiter, lineterminator=LINE_END)
        self._yes_no = {True: _("yes"), False: _("no")}  # translated once per file

    def cell(self, value) -> str:
        kind = type(value)
        if kind is str:  # most cells: the checks below in the order of how often they occur
            return value if not value or value[0] not in _RISKY_FIRST else escape_formula(value)
        if value is None:
            return ""
        if kind is datetime.date:
            return value.isoformat()
        if kind is datetime.time:
            return f"{value.hour:02d}:{value.minute:02d}"
        if isinstance(value, bool):
            return self._yes_no[value]
        if isinstance(value, int):
            return str(value)
        if isinstance(value, float | Decimal):
            return _number(value, self.format.decimal_mark)
        if isinstance(value, datetime.datetime):
            if timezone.is_aware(value):
                value = timezone.localtime(value)
            return value.strftime("%Y-%m-%d %H:%M")
        if isinstance(value, datetime.date):
            return value.isoformat()
        if isinstance(value, datetime.time):
            return value.strftime("%H:%M")
        return escape_formula(str(value))

    def line(self, cells: Iterable) -> str:
        return self._writer.writerow([self.cell(value) for value in cells])

    def header(self, cells: Iterable) -> str:
        """The first line of a file: the byte-order mark and the column titles."""
        return BOM + self.line(cells)

    def lines(self, header: Iterable, rows: Iterable[Iterable]) -> Iterator[str]:
        yield self.header(header)
        for row in rows:
            yield self.line(row)


def csv_filename(*parts: str) -> str:
    """A file name from translated parts and values: ("contacts-employeurs", "2026-03-02")
    gives "contacts-employeurs-2026-03-02.csv"."""
    return "-".join(str(part) for part in parts if part) + ".csv"


def _attach(response, filename: str):
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def csv_response(header: Iterable, rows: Iterable[Iterable], *, filename: str, csv_format: CsvFormat) -> HttpResponse:
    """A whole CSV file in one response (small files: a dashboard table, an example)."""
    writer = CsvWriter(csv_format)
    return _attach(HttpResponse("".join(writer.lines(header, rows)), content_type=CONTENT_TYPE), filename)


def csv_streaming_response(chunks: Iterator[str], *, filename: str) -> StreamingHttpResponse:
    """A CSV file sent as it is written. Whatever can fail (the parameters, the query,
    the first chunk) must have been evaluated before this is called: once the response
    starts, its status is 200 whatever happens next."""
    return _attach(StreamingHttpResponse(chunks, content_type=CONTENT_TYPE), filename)
