"""The one CSV writer (crm/csv_export.py): separator and decimal mark of the reader's
language, a UTF-8 byte-order mark, ISO dates, formula cells escaped, translated file
names; and no other module writes CSV."""

import csv
import datetime
import io
import re
import zoneinfo
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone, translation

from crm.csv_export import CsvFormat, CsvWriter, csv_filename, csv_response, escape_formula

ROOT = Path(__file__).resolve().parents[2]
APPS = ("config", "crm", "demo", "employers", "integrations", "jobdev", "placements")


@pytest.mark.parametrize(
    "language,separator,expected",
    [
        ("fr", None, (";", ",")),
        ("fr-ca", None, (";", ",")),
        ("en", None, (",", ".")),
        (None, None, (",", ".")),
        ("fr", "comma", (",", ",")),
        ("en", "semicolon", (";", ".")),
    ],
)
def test_the_format_follows_the_readers_language(language, separator, expected):
    csv_format = CsvFormat.for_language(language, separator=separator)
    assert (csv_format.delimiter, csv_format.decimal_mark) == expected


@pytest.mark.parametrize(
    "value,french,english",
    [
        (None, "", ""),
        (3, "3", "3"),
        (-3, "-3", "-3"),  # a number is never a formula
        (3.2, "3,2", "3.2"),
        (75.0, "75,0", "75.0"),
        (Decimal("43.2961"), "43,2961", "43.2961"),
        (1e16, "10000000000000000", "10000000000000000"),
        (datetime.date(2026, 3, 2), "2026-03-02", "2026-03-02"),
        (datetime.time(9, 5), "09:05", "09:05"),
        (True, "oui", "yes"),
        (False, "non", "no"),
        ("Crêperie Bœuf & Cœur", "Crêperie Bœuf & Cœur", "Crêperie Bœuf & Cœur"),
    ],
)
def test_cells(value, french, english):
    for language, expected in (("fr", french), ("en", english)):
        with translation.override(language):
            assert CsvWriter(CsvFormat.for_language(language)).cell(value) == expected


def test_an_aware_datetime_is_written_in_the_current_time_zone():
    moment = datetime.datetime(2026, 3, 2, 9, 30, tzinfo=datetime.UTC)
    with timezone.override(zoneinfo.ZoneInfo("Europe/Paris")):
        assert CsvWriter(CsvFormat.for_language("en")).cell(moment) == "2026-03-02 10:30"


@pytest.mark.parametrize(
    "text", ["=1+1", "+33 6 12", "-2", "@SUM(A1)", "\tx", "\rx", " =HYPERLINK(1)", '=HYPERLINK("http://evil","x")']
)
def test_text_a_spreadsheet_would_run_as_a_formula_is_escaped(text):
    assert escape_formula(text) == "'" + text
    assert CsvWriter(CsvFormat.for_language("fr")).cell(text) == "'" + text


@pytest.mark.parametrize("text", ["Boulangerie", "3 rue A", "a=b", "x+y", "", "'quoted"])
def test_other_text_is_left_as_it_is(text):
    assert escape_formula(text) == text


@pytest.mark.parametrize("language,delimiter", [("fr", ";"), ("en", ",")])
def test_a_file_parses_back_with_the_languages_separator(language, delimiter):
    header = ["Nom", "Valeur", "Date"]
    data = [["Café; «bar», Nice", 3.25, datetime.date(2026, 3, 2)], ["=cmd", -1, None]]
    with translation.override(language):
        response = csv_response(
            header, data, filename=csv_filename("essai", "2026"), csv_format=CsvFormat.for_language(language)
        )
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="essai-2026.csv"'
    content = response.content.decode("utf-8")
    assert content.startswith("\ufeff") and content.count("\ufeff") == 1 and content.endswith("\r\n")
    decimal = "3,25" if language == "fr" else "3.25"
    assert list(csv.reader(io.StringIO(content[1:]), delimiter=delimiter)) == [
        header,
        ["Café; «bar», Nice", decimal, "2026-03-02"],
        ["'=cmd", "-1", ""],
    ]


def test_a_file_name_with_accents_reaches_every_browser():
    response = csv_response([], [], filename="fidélité.csv", csv_format=CsvFormat.for_language("fr"))
    assert response["Content-Disposition"] == "attachment; filename*=utf-8''fid%C3%A9lit%C3%A9.csv"


# Writing CSV without the one writer: the csv module's writers, a CSV content type, or
# the csv module imported at all (only the import's reader may read CSV with it).
CSV_WRITING = re.compile(r"csv\.(writer|DictWriter)\(|[\"']text/csv|^\s*(import csv|from csv import)", re.MULTILINE)
# The import and the load test's report read CSV (an upload; locust's own files).
MAY_USE_THE_CSV_MODULE = {"crm/csv_export.py", "employers/importing/parsing.py", "demo/load/report.py"}


@pytest.mark.parametrize(
    "source",
    [
        "writer = csv.writer(response)",
        "csv.DictWriter(buffer, fieldnames)",
        'HttpResponse(content, content_type="text/csv")',
        "response['Content-Type'] = 'text/csv; charset=utf-8'",
        "import csv",
        "    from csv import writer",
    ],
)
def test_the_check_below_sees_each_way_of_writing_csv(source):
    assert CSV_WRITING.search(source)


def test_no_other_module_writes_csv():
    """Every CSV the product writes goes through crm.csv_export (the example file, the
    contact export, each dashboard table), in Python code and templates alike."""
    found = sorted(
        str(path.relative_to(ROOT))
        for app in APPS
        for pattern in ("*.py", "*.html", "*.txt")
        for path in (ROOT / app).rglob(pattern)
        if "locale" not in path.parts and CSV_WRITING.search(path.read_text(encoding="utf-8"))
    )
    assert set(found) <= MAY_USE_THE_CSV_MODULE, found
    assert "crm/csv_export.py" in found  # the check reads the files it should
