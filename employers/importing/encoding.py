"""An uploaded file's text encoding, or a refusal: never mojibake (docs/import-export.md).

Accepted:
- UTF-8, with or without a byte-order mark (Excel's "CSV UTF-8", LibreOffice, Numbers,
  Google Sheets);
- UTF-16 with a byte-order mark (Excel's "Unicode text");
- Windows-1252 (Excel's "CSV" on Windows; it also reads ISO-8859-1 text, whose printable
  characters it shares), when the file can be told from the other legacy encodings.

A legacy (8-bit) file carries no mark of its encoding: it is a guess. Mac Roman (Excel
for Mac's older "CSV" formats), DOS code page 850 ("CSV (MS-DOS)") and ISO-8859-15 all
decode as Windows-1252 without an error and give "CafŽ", "Caf‚" or "C½ur". A file is
read as Windows-1252 only when both of these hold:

1. the detector (charset-normalizer) finds the Windows-1252 reading no messier than
   MAX_CHAOS: its general measure of text that is not text;
2. that reading is plausible text in the languages of the product, character by
   character (`implausible_text`): no character that the other encodings' accents turn
   into (Ž, ˆ, ‡, ƒ, ¤…), no symbol inside a word ("ch‰teau", "N”mes"), no capital
   letter after a small one ("CafÈ", "CÏur"), no apostrophe between letters that neither
   elides nor contracts ("Garc’a" for García, "No‘l" for Noël: Mac Roman's í and ë), no
   word starting with a letter no word starts with ("ële-de-France", "çlvarez"). On a
   short file the detector alone cannot tell "Café" in Mac Roman from "CafŽ" in
   Windows-1252 (both score 0): this rule can.

   What it cannot tell: a file whose only accents are read as other plausible letters
   (Mac Roman "Ève" is "éve", DOS 850 "Sánchez" is "S\u00a0nchez"). One accent that
   is not (an é anywhere: "Ž" or "‚") refuses the whole file, so in practice a file of
   French names and addresses is refused; docs/import-export.md lists what remains.

Anything else is refused with a message saying how to save the file as CSV UTF-8. So
are a UTF-16 file without a byte-order mark, a file whose UTF-8 or UTF-16 is broken,
and a file with accents already garbled by an earlier wrong conversion ("CafÃ©", "�"),
whether the whole file is UTF-8 or only part of it (a file mixing two encodings)."""

import codecs
import re
from dataclasses import dataclass

from charset_normalizer import from_bytes
from django.utils.translation import gettext as _

from employers.importing.parsing import ImportFileError

# The detector's measure of mess (0 = clean text, 1 = noise) above which a
# Windows-1252 reading is refused: the detector's own default cut-off. French and
# English files measure 0 to 0.05, a few very short ones mixing languages up to 0.15;
# Cyrillic or Japanese read as Windows-1252 measure over 0.6 or are not read at all.
MAX_CHAOS = 0.2

# Legacy encodings a spreadsheet may write for French or English text, asked of the
# detector to name the likely encoding when a file is refused.
LEGACY_CANDIDATES = ("cp1252", "mac_roman", "cp850", "iso8859_15", "cp437")

ENCODING_NAMES = {
    "mac_roman": "Mac Roman",
    "cp850": "DOS 850",
    "cp437": "DOS 437",
    "iso8859_15": "ISO-8859-15",
}

# Characters that French or English text in Windows-1252 does not hold, but that the
# accents and dashes of Mac Roman, DOS 850, ISO-8859-15 or Windows-1254 become when
# read as Windows-1252 (é -> Ž, à -> ˆ, á -> ‡, É -> ƒ, – -> Ð, € -> ¤, š -> ¨,
# é (DOS) -> ‚, ş -> þ, ı -> ý...).
NEVER = frozenset("ŠšŽžƒˆ˜†‡‚¤¦¨¬¯¶¸ÐðÞþÝý")
# A symbol may follow a letter ("m²", "Brand™", "10 %") but these may not: they open
# (‘ “ « ¡ ¿ „), or are not text next to a letter (‰ ×: Mac Roman's ë, ì, Ç...).
NOT_AFTER_LETTER = frozenset("¡¿„‰×‘“«")
# Fractions follow a digit ("1½"), never touch a letter (Œ, œ, Ÿ of ISO-8859-15: "C½ur").
FRACTIONS = frozenset("¼½¾")
# Between two letters only an apostrophe (see APOSTROPHES), a middle dot (inclusive
# writing) or a non-breaking space.
BETWEEN_LETTERS = frozenset("’´·\u00a0")
# An apostrophe between letters is an elision ("l’atelier", "aujourd’hui", "O’Brien",
# "dell’Acqua") or an English contraction ("Marks’s", "don’t"). Anything else is the
# í or ë of Mac Roman read as Windows-1252 ("Garc’a", "Rodr’guez", "No‘l", "Rapha‘l").
APOSTROPHES = frozenset("’´")
ELISIONS = frozenset(
    [
        "l",
        "d",
        "j",
        "m",
        "n",
        "s",
        "t",
        "c",
        "o",
        "qu",
        "jusqu",
        "lorsqu",
        "puisqu",
        "quoiqu",
        "quelqu",
        "presqu",
        "aujourd",
        "prud",
        "entr",
        "grand",
        "dell",
        "nell",
        "dall",
        "sull",
        "all",
        "sant",
        "quest",
    ]
)
CONTRACTIONS = frozenset(["s", "t", "ll", "re", "ve", "d", "m"])
# The accented letters that are words by themselves.
ONE_LETTER_WORDS = frozenset("àÀôÔ")
# No word of the product's languages starts with these (Mac Roman's Î, Ô, Â read as
# Windows-1252: "ële-de-France", "ïtez", "åge").
NEVER_FIRST = frozenset("ëïÿå")
# "ç" is followed by a, o or u ("ça", "garçon", "reçu", "ação"), never by a consonant
# ("çlvarez": Mac Roman's Á read as Windows-1252).
AFTER_CEDILLA = frozenset("aouâôûãõAOUÂÔÛÃÕ")

# The characters Windows-1252 gives to the bytes 0x80-0xBF: the second and later bytes
# of UTF-8 read as Windows-1252 ("Ã©" is "é" in UTF-8 read as Windows-1252).
_CONTINUATION = "".join(bytes([byte]).decode("cp1252", errors="ignore") or chr(byte) for byte in range(0x80, 0xC0))
_DOUBLE_ENCODED = re.compile("[\u00c2-\u00f4][" + re.escape(_CONTINUATION) + "]{1,3}")
_C1_CONTROLS = re.compile("[\u0080-\u009f]")
_NOT_ASCII = re.compile("[^\x00-\x7f]")


@dataclass(frozen=True)
class Garbled:
    """Where a text shows a wrong encoding: its line (1 is the first), the word as read,
    and what it probably was, when that is known."""

    line: int
    word: str
    probably: str = ""


def _line_and_word(text: str, position: int) -> tuple[int, str]:
    line = text.count("\n", 0, position) + 1
    start = position
    while start > 0 and not text[start - 1].isspace() and text[start - 1] not in ',;\t"' and position - start < 30:
        start -= 1
    end = position + 1
    while end < len(text) and not text[end].isspace() and text[end] not in ',;\t"' and end - position < 30:
        end += 1
    return line, text[start:end]


def _as_cp1252_bytes(text: str) -> bytes | None:
    try:
        return bytes(ord(char) if 0x80 <= ord(char) <= 0x9F else char.encode("cp1252")[0] for char in text)
    except UnicodeEncodeError:
        return None


def double_encoded(text: str) -> Garbled | None:
    """The first UTF-8 sequence that was read as Windows-1252 and kept so ("CafÃ©" for
    "Café"): a file saved again after being opened with the wrong encoding, or rows
    pasted from one file into another."""
    for match in _DOUBLE_ENCODED.finditer(text):
        raw = _as_cp1252_bytes(match.group())
        if raw is None:
            continue
        # The lead byte says how many bytes follow: keep exactly those.
        length = 2 if raw[0] < 0xE0 else 3 if raw[0] < 0xF0 else 4
        if len(raw) < length:
            continue
        try:
            original = raw[:length].decode("utf-8")
        except UnicodeDecodeError:
            continue
        line, word = _line_and_word(text, match.start())
        return Garbled(line, word, word.replace(match.group()[:length], original, 1))
    return None


def lost_characters(text: str) -> Garbled | None:
    """The first character already lost or garbled before the file was written: "�"
    (a character an earlier conversion could not read) or a C1 control character (a
    Windows-1252 accent or quote read as ISO-8859-1 then saved as UTF-8)."""
    position = text.find("\ufffd")
    if position < 0:
        control = _C1_CONTROLS.search(text)
        position = control.start() if control else -1
    if position < 0:
        return None
    line, word = _line_and_word(text, position)
    return Garbled(line, word)


def _letters_before(text: str, index: int) -> str:
    start = index
    while start > 0 and text[start - 1].isalpha():
        start -= 1
    return text[start:index]


def _letters_after(text: str, index: int) -> str:
    end = index + 1
    while end < len(text) and text[end].isalpha():
        end += 1
    return text[index + 1 : end]


def _an_apostrophe(text: str, index: int) -> bool:
    """Whether the apostrophe at `index`, between two letters, elides or contracts."""
    return _letters_before(text, index).casefold() in ELISIONS or _letters_after(text, index).casefold() in CONTRACTIONS


def implausible_text(text: str) -> Garbled | None:
    """The first character that French or English text read in the right encoding would
    not hold there (see the module's docstring), or None."""
    for found in _NOT_ASCII.finditer(text):
        index, char = found.start(), found.group()
        before = text[index - 1] if index else ""
        after = text[index + 1] if index + 1 < len(text) else ""
        if char in NEVER:
            bad = True
        elif char.isalpha():
            bad = (
                # A capital after a small letter in a word ("CafÈ"), a small letter before a
                # capital ("éCOLE"), or a capital between a capital and a small letter ("CÏur").
                (before.isalpha() and before.islower() and char.isupper())
                or (char.islower() and after.isalpha() and after.isupper())
                or (before.isupper() and char.isupper() and after.isalpha() and after.islower())
                # A lone accented letter that is no word ("Réceptionniste Ñ accueil", "15 Û").
                or (
                    not before.isalnum()
                    and before != "."
                    and not (after.isalnum() or after in ".-’'")
                    and char not in ONE_LETTER_WORDS
                )
                # A letter no word starts with ("ële-de-France"), a cedilla before a
                # consonant ("çlvarez"), Î before a vowel ("Îuvre": Mac Roman's Œ).
                or (char in NEVER_FIRST and not before.isalpha() and after.isalpha())
                or (char in "çÇ" and after.isalpha() and after not in AFTER_CEDILLA)
                or (char == "Î" and after in "aeiouyAEIOUY")
            )
        else:
            bad = (
                (before.isalnum() and char in NOT_AFTER_LETTER)
                or (char == "×" and after.isalpha())
                or (char in FRACTIONS and (before.isalpha() or after.isalpha()))
                or (before.isalpha() and after.isalpha() and char not in BETWEEN_LETTERS)
                or (before.isalpha() and after.isalpha() and char in APOSTROPHES and not _an_apostrophe(text, index))
            )
        if bad:
            line, word = _line_and_word(text, index)
            return Garbled(line, word)
    return None


def _chaos(data: bytes, encodings) -> dict[str, tuple[float, str]]:
    """The detector's measure of mess of each encoding's reading: {encoding: (chaos, text)}."""
    readings = {}
    for match in from_bytes(data, cp_isolation=list(encodings), threshold=1.0, explain=False):
        for encoding in match.could_be_from_charset:
            readings.setdefault(encoding, (match.chaos, str(match)))
    return readings


def _likely_legacy_encoding(data: bytes) -> str:
    """The name of the legacy encoding whose reading is plausible and least messy, if any."""
    readings = _chaos(data, LEGACY_CANDIDATES[1:])
    # On a tie the more common encoding is named: DOS 850 (Excel's "CSV (MS-DOS)" in
    # Western Europe) rather than DOS 437, whose accented small letters are the same.
    plausible = [
        (chaos, LEGACY_CANDIDATES.index(encoding), encoding)
        for encoding, (chaos, text) in readings.items()
        if encoding in ENCODING_NAMES and chaos <= MAX_CHAOS and implausible_text(text) is None
    ]
    return ENCODING_NAMES[min(plausible)[2]] if plausible else ""


def save_as_utf8_help() -> str:
    return _(
        "Save the file as CSV UTF-8 and upload it again. In Excel: File › Save As, file type "
        "“CSV UTF-8 (Comma delimited) (*.csv)”. In LibreOffice Calc: File › Save As, file type "
        "“Text CSV (.csv)”, tick “Edit filter settings”, then choose the character set “Unicode (UTF-8)”."
    )


def _refuse(reason: str) -> ImportFileError:
    return ImportFileError(f"{reason} {save_as_utf8_help()}")


def _unrecognised(garbled: Garbled | None, likely: str) -> ImportFileError:
    if garbled is not None:
        reason = _(
            "The file's text encoding cannot be recognised with certainty: read as Windows-1252, "
            "line %(line)d would give “%(word)s”, which is not text."
        ) % {"line": garbled.line, "word": garbled.word}
    else:
        reason = _("The file's text encoding cannot be recognised with certainty.")
    if likely:
        reason += " " + _("It may be in %(encoding)s (older Mac or DOS software).") % {"encoding": likely}
    return _refuse(reason)


def _already_garbled(garbled: Garbled, *, mixed: bool) -> ImportFileError:
    where = {"line": garbled.line, "word": garbled.word, "probably": garbled.probably}
    if mixed:
        reason = _(
            "The file mixes two text encodings (rows probably pasted from different files): line %(line)d "
            "reads “%(word)s”, probably “%(probably)s”. Correct the garbled cells in your spreadsheet."
        )
    elif garbled.probably:
        reason = _(
            "Accents in this file are already garbled: line %(line)d reads “%(word)s”, probably “%(probably)s” "
            "(the file was opened with the wrong encoding and saved again). Correct these cells, or start "
            "again from the original file."
        )
    else:
        reason = _(
            "Characters in this file were already lost by an earlier conversion: line %(line)d reads "
            "“%(word)s”. Correct these cells, or start again from the original file."
        )
    return _refuse(reason % where)


def _checked(text: str, *, mixed: bool = False) -> str:
    garbled = double_encoded(text)
    if garbled is not None:
        raise _already_garbled(garbled, mixed=mixed)
    garbled = lost_characters(text)
    if garbled is not None:
        raise _already_garbled(garbled, mixed=False)
    return text


def _utf16_without_bom(data: bytes) -> bool:
    """Text in UTF-16 without a byte-order mark: one byte of each pair is zero, always
    the same one, as Latin letters and digits are written."""
    sample = data[:4096]
    pairs = len(sample) // 2
    if pairs < 2:
        return False
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    return max(even, odd) >= 0.6 * pairs and min(even, odd) <= 0.02 * pairs


def decode_csv_bytes(data: bytes) -> tuple[str, str]:
    """The text of an uploaded file and the name of its encoding, or ImportFileError."""
    if not data.strip(b" \t\r\n" + codecs.BOM_UTF8):
        raise ImportFileError(_("The file is empty."))
    if data.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")):
        raise ImportFileError(
            _(
                "This is a spreadsheet workbook (Excel or LibreOffice), not a CSV file. "
                "In your spreadsheet, choose “Save as” and the CSV format, then upload that file."
            )
        )
    not_text = ImportFileError(
        _("This file is not a CSV text file. Save your spreadsheet in the CSV format and upload that file.")
    )
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as error:
            raise _refuse(_("The file says it is UTF-16 but is not readable as UTF-16.")) from error
        if "\x00" in text:  # UTF-32, or a binary file
            raise not_text
        return _checked(text), "UTF-16"
    if b"\x00" in data:
        if _utf16_without_bom(data):
            raise _refuse(
                _(
                    "The file is in UTF-16 (“Unicode text”) without the byte-order mark that identifies it, "
                    "so it cannot be read with certainty."
                )
            )
        raise not_text
    bom = data.startswith(codecs.BOM_UTF8)
    try:
        return _checked(data.removeprefix(codecs.BOM_UTF8).decode("utf-8")), "UTF-8"
    except UnicodeDecodeError as error:
        if bom:
            raise _refuse(_("The file says it is UTF-8 but part of it is in another encoding.")) from error
        utf8_error = error
    return _legacy(data, utf8_error), "Windows-1252"


def _legacy(data: bytes, utf8_error: UnicodeDecodeError) -> str:
    """The Windows-1252 reading of a file that is not UTF-8, if it can be told from the
    other legacy encodings; otherwise ImportFileError."""
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError as error:  # bytes Windows-1252 leaves undefined
        raise _unrecognised(None, _likely_legacy_encoding(data)) from error
    # UTF-8 rows among others: say so, rather than "not recognised".
    garbled = double_encoded(text)
    if garbled is not None:
        raise _already_garbled(garbled, mixed=True) from utf8_error
    readings = _chaos(data, ("cp1252",))
    chaos = readings["cp1252"][0] if "cp1252" in readings else 1.0
    implausible = implausible_text(text)
    if chaos > MAX_CHAOS or implausible is not None:
        raise _unrecognised(implausible, _likely_legacy_encoding(data))
    return text
