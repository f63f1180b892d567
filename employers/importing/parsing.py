"""Reading an uploaded file's text (decoded by `encoding`): its CSV dialect (semicolon,
comma or tab; an Excel "sep=" line) and its rows; and the refusals of a file as a whole."""

import csv
import io
import re

from django.utils.translation import gettext as _

MAX_FILE_BYTES = 5 * 1024 * 1024


SPREADSHEET_EXTENSIONS = {".xlsx", ".xlsm", ".xls", ".ods", ".numbers", ".pdf", ".doc", ".docx", ".odt", ".zip"}


class ImportFileError(Exception):
    """The file as a whole cannot be imported (not CSV, empty, too big, no name column)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _count_outside_quotes(line: str, char: str) -> int:
    count, quoted = 0, False
    for current in line:
        if current == '"':
            quoted = not quoted
        elif current == char and not quoted:
            count += 1
    return count


def sniff_delimiter(text: str) -> tuple[str, str]:
    """(delimiter, text without an Excel "sep=" line). The header line decides: the
    most frequent of semicolon, comma and tab outside quotes (French Excel writes ';')."""
    first_line, _newline, rest = text.lstrip("\r\n").partition("\n")
    first_line = first_line.rstrip("\r")
    if re.fullmatch(r"sep=.", first_line.strip('"')):
        return first_line.strip('"')[4], rest
    counts = {char: _count_outside_quotes(first_line, char) for char in (";", ",", "\t")}
    best = max(counts, key=lambda char: (counts[char], char == ";"))
    return (best if counts[best] else ","), text


def _read_rows(text: str, delimiter: str):
    """(row number, cells) of every non-blank row; row 1 is the header."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    number = 0
    try:
        for cells in reader:
            number += 1
            if any(cell.strip() for cell in cells):
                yield number, cells
    except csv.Error as error:
        raise ImportFileError(
            _("The file could not be read as CSV near row %(row)d (%(error)s). Check for an unclosed quote.")
            % {"row": number + 1, "error": error}
        ) from error


def file_too_big_message() -> str:
    return _("The file is larger than %(size)s MB. Split it into several files.") % {
        "size": MAX_FILE_BYTES // (1024 * 1024)
    }
