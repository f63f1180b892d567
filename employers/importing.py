"""Employer import from the CSV files teams already keep in their spreadsheets.

Two steps (see docs/import-export.md):

1. `import_preview()` reads the file (UTF-8 with or without BOM, UTF-16 with BOM, or
   Windows-1252 / Latin-1), finds the delimiter and the columns (English or French
   names), validates every row with the models' own validation and groups rows into
   employers. Nothing is written to the database. When no row has an error, the
   validated plan is kept in a private file (`plan_save()`) until the user confirms.
2. `employers_import()` creates every employer, site and contact person of the plan in
   one transaction: all of it or nothing.

One row = one employer, optionally one site and one contact person. Rows with the same
normalised name and postcode add sites and contact persons to the same employer.
"""

import codecs
import csv
import io
import json
import os
import re
import secrets
import time
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path

from django import forms
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crm.models import Industry, Organisation, User
from crm.taxonomies import INDUSTRIES
from employers.models import ContactPerson, Employer, EmployerSite
from employers.selectors import employers_visible_to

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
PLAN_TTL_SECONDS = 2 * 60 * 60
BATCH_SIZE = 500
# Errors and rows listed on the preview page; the counts are always complete.
MAX_LISTED = 500

SPREADSHEET_EXTENSIONS = {".xlsx", ".xlsm", ".xls", ".ods", ".numbers", ".pdf", ".doc", ".docx", ".odt", ".zip"}

EMPLOYER_FIELDS = ("industry", "size", "website", "description")
SITE_FIELDS = ("site_name", "address", "postcode", "town", "latitude", "longitude")
# The postcode alone does not make a site: with the name it identifies the employer, so
# a further row for the same employer may give just the name, postcode and a contact.
SITE_KEY_FIELDS = ("site_name", "address", "town", "latitude", "longitude")
# As on the employer form: a site or contact person counts as given only when one of
# these has a value (a default such as "hiring authority: no" alone adds nobody).
CONTACT_KEY_FIELDS = ("contact_name", "role", "phone", "email")
CONTACT_FIELDS = (*CONTACT_KEY_FIELDS, "hiring_authority", "preferred_channel")


class ImportFileError(Exception):
    """The file as a whole cannot be imported (not CSV, empty, too big, no name column)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def normalise(value: str) -> str:
    """Case-, accent-, space- and punctuation-insensitive form of a name or header:
    "  Boulangerie  L'Épi-d'Or " and "boulangerie l epi d or" are equal."""
    value = unicodedata.normalize("NFKD", str(value)).casefold()
    value = value.replace("œ", "oe").replace("æ", "ae").replace("ø", "o").replace("ß", "ss")
    value = "".join(char for char in value if not unicodedata.combining(char))
    value = "".join(char if char.isalnum() else " " for char in value)
    return " ".join(value.split())


def normalise_postcode(value: str) -> str:
    return "".join(str(value).split()).upper()


# Column key -> (label shown to the user, accepted header names in English and French).
# Headers are compared in their normalised form, so "Code postal", "CODE_POSTAL" and
# "code-postal" are all the postcode column.
COLUMNS = {
    "name": (
        gettext_lazy("Employer name"),
        "name, employer, employer name, company, company name, business, organisation, organization, nom, "
        "employeur, nom employeur, nom de l'employeur, entreprise, nom entreprise, nom de l'entreprise, "
        "société, raison sociale, enseigne, structure",
    ),
    "industry": (
        gettext_lazy("Industry"),
        "industry, sector, nace, nace code, nace section, secteur, secteur d'activité, naf, code naf, ape, "
        "code ape, branche",
    ),
    "size": (gettext_lazy("Size"), "size, headcount, employees, taille, effectif, effectifs, nombre de salariés"),
    "website": (gettext_lazy("Website"), "website, web site, web, url, site web, site internet, internet"),
    "description": (
        gettext_lazy("What they do"),
        "description, what they do, activity, activité, description de l'activité, présentation",
    ),
    "site_name": (gettext_lazy("Site name"), "site, site name, nom du site, établissement"),
    "address": (
        gettext_lazy("Address"),
        "address, street, street address, address line, adresse, rue, adresse postale, adresse du site",
    ),
    "postcode": (gettext_lazy("Postcode"), "postcode, post code, postal code, zip, zip code, code postal, cp"),
    "town": (gettext_lazy("Town"), "town, city, ville, commune, localité"),
    "latitude": (gettext_lazy("Latitude"), "latitude, lat"),
    "longitude": (gettext_lazy("Longitude"), "longitude, lon, lng, long"),
    "contact_name": (
        gettext_lazy("Contact name"),
        "contact, contact name, contact person, person, interlocuteur, nom du contact, contact nom, "
        "personne à contacter, personne contact, référent",
    ),
    "role": (gettext_lazy("Role"), "role, job title, position, title, fonction, poste, rôle, titre"),
    "phone": (
        gettext_lazy("Phone"),
        "phone, telephone, phone number, tel, mobile, téléphone, tél, numéro de téléphone, portable",
    ),
    "email": (gettext_lazy("Email"), "email, e-mail, mail, email address, courriel, adresse email, adresse mail"),
    "hiring_authority": (
        gettext_lazy("Hiring authority"),
        "hiring authority, has hiring authority, decision maker, hires, recrute, décideur, "
        "pouvoir de recrutement, peut recruter",
    ),
    "preferred_channel": (
        gettext_lazy("Preferred channel"),
        "preferred channel, channel, contact by, canal, canal préféré, moyen de contact, contact préféré",
    ),
}
HEADER_ALIASES = {normalise(alias): key for key, (_label, aliases) in COLUMNS.items() for alias in aliases.split(", ")}

# NACE Rev. 2 divisions (the first two digits of a NACE or French NAF/APE code) by section.
NACE_DIVISIONS = {
    "A": (1, 3),
    "B": (5, 9),
    "C": (10, 33),
    "D": (35, 35),
    "E": (36, 39),
    "F": (41, 43),
    "G": (45, 47),
    "H": (49, 53),
    "I": (55, 56),
    "J": (58, 63),
    "K": (64, 66),
    "L": (68, 68),
    "M": (69, 75),
    "N": (77, 82),
    "O": (84, 84),
    "P": (85, 85),
    "Q": (86, 88),
    "R": (90, 93),
    "S": (94, 96),
    "T": (97, 98),
    "U": (99, 99),
}
NACE_CODE = re.compile(r"^(\d{2})(?:\.?\d{0,2}[A-Za-z]?)?$")

YES = {"oui", "o", "yes", "y", "1", "x", "vrai", "true", "v"}
NO = {"non", "n", "no", "0", "faux", "false", "f", ""}

SIZE_WORDS = {
    "micro": "micro",
    "tpe": "micro",
    "tres petite": "micro",
    "micro entreprise": "micro",
    "small": "small",
    "petite": "small",
    "pe": "small",
    "medium": "medium",
    "moyenne": "medium",
    "me": "medium",
    "large": "large",
    "grande": "large",
    "ge": "large",
    "eti": "large",
    "unknown": "unknown",
    "inconnue": "unknown",
    "inconnu": "unknown",
    "nsp": "unknown",
    "1 9": "micro",
    "0 9": "micro",
    "10 49": "small",
    "50 249": "medium",
    "250": "large",
    "250 more": "large",
    "250 et plus": "large",
    "250 ou plus": "large",
}
HEADCOUNT = re.compile(r"^(\d+)(?: (?:salaries|employes|employees|personnes|people|staff|personnel))?$")

CHANNEL_WORDS = {
    "in person": "in_person",
    "en personne": "in_person",
    "face a face": "in_person",
    "visite": "in_person",
    "sur place": "in_person",
    "rencontre": "in_person",
    "physique": "in_person",
    "rendez vous": "in_person",
    "rdv": "in_person",
    "phone": "phone",
    "telephone": "phone",
    "tel": "phone",
    "appel": "phone",
    "email": "email",
    "e mail": "email",
    "mail": "email",
    "courriel": "email",
    "video": "video",
    "visio": "video",
    "visioconference": "video",
    "teams": "video",
    "zoom": "video",
}

COORDINATE_PLACES = Decimal("0.000001")


def column_label(key: str) -> str:
    return str(COLUMNS[key][0])


# ---------------------------------------------------------------------------
# Reading the file


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
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), "UTF-16"
        except UnicodeDecodeError as error:
            raise ImportFileError(_("This file is not a readable CSV text file.")) from error
    if b"\x00" in data:
        raise ImportFileError(
            _("This file is not a CSV text file. Save your spreadsheet in the CSV format and upload that file.")
        )
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "Windows-1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "ISO-8859-1"


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


# ---------------------------------------------------------------------------
# Parsing values


@dataclass
class RowError:
    row: int
    column: str
    value: str
    message: str


@dataclass
class Duplicate:
    row: int
    name: str
    postcode: str
    message: str
    employer_id: int | None = None


@dataclass
class ParsedRow:
    row: int
    key: tuple[str, str]
    name: str
    employer: dict  # industry_id, size, website, description: only the values given
    site: dict | None
    contact: dict | None


class RowErrors(Exception):
    def __init__(self, errors: list[tuple[str, str]]):
        super().__init__(errors)
        self.errors = errors


class _Taxonomy:
    """Industry codes and labels, read once per import."""

    def __init__(self):
        self.by_code = {}
        self.by_label = {}
        for industry in Industry.objects.all():
            self.by_code[industry.code.upper()] = industry
            self.by_label[normalise(industry.label_en)] = industry
            self.by_label[normalise(industry.label_fr)] = industry
        for code, label_en, label_fr in INDUSTRIES:  # the official titles, even if renamed in the admin
            if code in self.by_code:
                self.by_label.setdefault(normalise(label_en), self.by_code[code])
                self.by_label.setdefault(normalise(label_fr), self.by_code[code])

    def industry(self, raw: str) -> Industry | None:
        value = raw.strip()
        if not value:
            return None
        if len(value) == 1 and value.upper() in self.by_code:
            return self.by_code[value.upper()]
        code = NACE_CODE.match(value)
        if code:
            division = int(code.group(1))
            for section, (low, high) in NACE_DIVISIONS.items():
                if low <= division <= high and section in self.by_code:
                    return self.by_code[section]
        words = normalise(value)
        if words in self.by_label:
            return self.by_label[words]
        letter, _space, label = words.removeprefix("section ").partition(" ")
        # "I - Hébergement et restauration": a section letter followed by its own title.
        if len(letter) == 1 and letter.upper() in self.by_code:
            industry = self.by_code[letter.upper()]
            if not label or self.by_label.get(label) == industry:
                return industry
        raise ValidationError(
            _("Unknown industry “%(value)s”: give a NACE section letter (A to U), a NAF code or the section title.")
            % {"value": value}
        )


def _choice_words(choices) -> dict[str, str]:
    words = {}
    for language in ("en", "fr"):
        with translation.override(language):
            for value, label in choices:
                words[normalise(str(label))] = value
                words[normalise(value)] = value
    return words


def parse_size(raw: str, words: dict[str, str]) -> str:
    value = normalise(raw)
    if not value:
        return Employer.Size.UNKNOWN
    if value in words:
        return words[value]
    if value in SIZE_WORDS:
        return SIZE_WORDS[value]
    headcount = HEADCOUNT.match(value)
    if headcount:
        number = int(headcount.group(1))
        if number < 10:
            return Employer.Size.MICRO
        if number < 50:
            return Employer.Size.SMALL
        return Employer.Size.MEDIUM if number < 250 else Employer.Size.LARGE
    raise ValidationError(
        _("Unknown size “%(value)s”: give a headcount or micro, small, medium, large (TPE, petite, moyenne, grande).")
        % {"value": raw.strip()}
    )


def parse_yes_no(raw: str) -> bool:
    value = normalise(raw)
    if value in YES:
        return True
    if value in NO:
        return False
    raise ValidationError(_("Give yes or no (oui/non, 1/0 or x) rather than “%(value)s”.") % {"value": raw.strip()})


def parse_channel(raw: str, words: dict[str, str]) -> str:
    value = normalise(raw)
    if not value:
        return ContactPerson.Channel.IN_PERSON
    if value in words:
        return words[value]
    if value in CHANNEL_WORDS:
        return CHANNEL_WORDS[value]
    raise ValidationError(
        _("Unknown channel “%(value)s”: give in person, phone, email or video.") % {"value": raw.strip()}
    )


def parse_coordinate(raw: str, limit: int) -> Decimal | None:
    value = raw.strip().replace(",", ".").replace(" ", "")
    if not value:
        return None
    try:
        number = Decimal(value)
    except InvalidOperation as error:
        raise ValidationError(_("“%(value)s” is not a number.") % {"value": raw.strip()}) from error
    if not number.is_finite() or not -limit <= number <= limit:
        raise ValidationError(_("Give a number between -%(limit)s and %(limit)s.") % {"limit": limit})
    # Geocoders give more decimals than the 6 stored (0.1 m): rounding loses nothing useful.
    return number.quantize(COORDINATE_PLACES, rounding=ROUND_HALF_UP)


_url_field = forms.URLField(assume_scheme="https")

# Model field -> column key, to report the models' own validation errors per column.
EMPLOYER_ERROR_COLUMNS = {"name": "name", "website": "website", "size": "size", "description": "description"}
SITE_ERROR_COLUMNS = {
    "name": "site_name",
    "address": "address",
    "postcode": "postcode",
    "town": "town",
    "latitude": "latitude",
    "longitude": "longitude",
}
CONTACT_ERROR_COLUMNS = {
    "name": "contact_name",
    "role": "role",
    "phone": "phone",
    "email": "email",
    "has_hiring_authority": "hiring_authority",
    "preferred_channel": "preferred_channel",
}


BLANK_MESSAGES = {
    "name": gettext_lazy("The employer name is missing."),
    "address": gettext_lazy("A site needs an address (and a town)."),
    "town": gettext_lazy("A site needs a town (and an address)."),
    "contact_name": gettext_lazy("Give the contact person's name (a role, phone or email is given)."),
}


def _model_errors(instance, columns: dict[str, str], exclude: list[str]) -> list[tuple[str, str]]:
    """The model's own validation of an unsaved instance, without database queries: the
    foreign keys are set by the import itself, and the one database constraint that
    could fail (site coordinates) is checked by parse_coordinate."""
    errors = []
    try:
        instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        for name, field_errors in error.error_dict.items():
            column = columns.get(name, "name")
            for field_error in field_errors:
                if field_error.code == "blank" and column in BLANK_MESSAGES:
                    errors.append((column, str(BLANK_MESSAGES[column])))
                else:
                    errors.extend((column, message) for message in field_error.messages)
    # TextField.max_length is only enforced by forms: enforce it here as the form would.
    for model_field in instance._meta.concrete_fields:
        value = getattr(instance, model_field.attname)
        limit = model_field.max_length
        if model_field.get_internal_type() == "TextField" and limit and value and len(value) > limit:
            errors.append(
                (
                    columns.get(model_field.name, "name"),
                    _("Ensure this value has at most %(limit)d characters (it has %(count)d).")
                    % {"limit": limit, "count": len(value)},
                )
            )
    return errors


class RowParser:
    def __init__(self, *, columns: dict[str, int], organisation_id: int):
        self.columns = columns
        self.organisation_id = organisation_id
        self.taxonomy = _Taxonomy()
        self.size_words = _choice_words(Employer.Size.choices)
        self.channel_words = _choice_words(ContactPerson.Channel.choices)

    def cell(self, cells: list[str], key: str) -> str:
        index = self.columns.get(key)
        if index is None or index >= len(cells):
            return ""
        return cells[index].strip()

    def parse(self, number: int, cells: list[str]) -> ParsedRow:
        values = {key: self.cell(cells, key) for key in COLUMNS}
        errors: list[tuple[str, str]] = []

        def parsed(key, parser, *args):
            try:
                return parser(values[key], *args)
            except ValidationError as error:
                errors.extend((key, message) for message in error.messages)
                return None

        employer_values = {}
        industry = parsed("industry", self.taxonomy.industry)
        if industry is not None:
            employer_values["industry_id"] = industry.pk
        if values["size"]:
            employer_values["size"] = parsed("size", parse_size, self.size_words)
        if values["website"]:
            employer_values["website"] = parsed("website", _url_field.clean)
        if values["description"]:
            employer_values["description"] = values["description"]
        employer = Employer(
            organisation_id=self.organisation_id,
            name=values["name"],
            **{name: value for name, value in employer_values.items() if value is not None},
        )
        errors += _model_errors(employer, EMPLOYER_ERROR_COLUMNS, ["organisation", "industry", "created_by"])

        site_values = None
        if any(values[key] for key in SITE_KEY_FIELDS):
            latitude = parsed("latitude", parse_coordinate, 90)
            longitude = parsed("longitude", parse_coordinate, 180)
            if bool(values["latitude"]) != bool(values["longitude"]):
                errors.append(
                    (
                        "longitude" if values["latitude"] else "latitude",
                        _("Give both latitude and longitude, or neither."),
                    )
                )
            site_values = {
                "name": values["site_name"],
                "address": values["address"],
                "postcode": values["postcode"],
                "town": values["town"],
                "latitude": latitude,
                "longitude": longitude,
            }
            errors += _model_errors(EmployerSite(**site_values), SITE_ERROR_COLUMNS, ["employer"])

        contact_values = None
        if any(values[key] for key in CONTACT_KEY_FIELDS):
            contact_values = {
                "name": values["contact_name"],
                "role": values["role"],
                "phone": values["phone"],
                "email": values["email"],
                "has_hiring_authority": bool(parsed("hiring_authority", parse_yes_no)),
                "preferred_channel": parsed("preferred_channel", parse_channel, self.channel_words)
                or ContactPerson.Channel.IN_PERSON,
            }
            errors += _model_errors(ContactPerson(**contact_values), CONTACT_ERROR_COLUMNS, ["employer", "site"])

        if errors:
            raise RowErrors(errors)
        return ParsedRow(
            row=number,
            key=(normalise(values["name"]), normalise_postcode(values["postcode"])),
            name=values["name"],
            employer=employer_values,
            site=site_values,
            contact=contact_values,
        )


# ---------------------------------------------------------------------------
# The preview


@dataclass
class EmployerGroup:
    """One employer to create and the rows it comes from."""

    key: tuple[str, str]
    name: str
    rows: list[int]
    employer: dict
    sites: list[dict] = field(default_factory=list)
    contacts: list[dict] = field(default_factory=list)  # each with "site": an index in `sites` or None
    site_keys: dict = field(default_factory=dict)
    contact_rows: dict = field(default_factory=dict)

    @property
    def postcode(self) -> str:
        return self.key[1]


@dataclass
class ImportPreview:
    filename: str
    encoding: str
    delimiter: str
    columns: list[tuple[str, str]]  # (header as written, column label)
    ignored_columns: list[str]
    row_count: int
    errors: list[RowError]
    error_rows: int
    duplicates: list[Duplicate]
    groups: list[EmployerGroup]
    industries: dict = field(default_factory=dict)

    @property
    def importable(self) -> bool:
        return not self.errors and bool(self.groups)

    @property
    def site_count(self) -> int:
        return sum(len(group.sites) for group in self.groups)

    @property
    def contact_count(self) -> int:
        return sum(len(group.contacts) for group in self.groups)

    @property
    def listed_errors(self) -> list[RowError]:
        return self.errors[:MAX_LISTED]

    @property
    def listed_duplicates(self) -> list[Duplicate]:
        return self.duplicates[:MAX_LISTED]

    @property
    def listed_groups(self) -> list[dict]:
        size_labels = dict(Employer.Size.choices)
        listed = []
        for group in self.groups[:MAX_LISTED]:
            industry = self.industries.get(group.employer.get("industry_id"))
            listed.append(
                {
                    "rows": group.rows,
                    "name": group.name,
                    "industry": industry.label if industry else "",
                    "size": size_labels.get(group.employer.get("size", Employer.Size.UNKNOWN), ""),
                    "sites": [" ".join(part for part in (s["postcode"], s["town"]) if part) for s in group.sites],
                    "contacts": [c["name"] for c in group.contacts],
                }
            )
        return listed


def _header_columns(header: list[str]) -> tuple[dict[str, int], list[tuple[str, str]], list[str]]:
    columns: dict[str, int] = {}
    recognised, ignored = [], []
    for index, title in enumerate(header):
        key = HEADER_ALIASES.get(normalise(title))
        if key is None:
            if title.strip():
                ignored.append(title.strip())
            continue
        if key in columns:
            raise ImportFileError(
                _("Columns “%(first)s” and “%(second)s” both give the %(label)s: keep only one.")
                % {"first": header[columns[key]].strip(), "second": title.strip(), "label": column_label(key)}
            )
        columns[key] = index
        recognised.append((title.strip(), column_label(key)))
    if "name" not in columns:
        raise ImportFileError(
            _(
                "No column for the employer name was found in the first row. Name it “Nom” or “Name” "
                "(also accepted: employeur, entreprise, employer, company)."
            )
        )
    return columns, recognised, ignored


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


def import_preview(*, data: bytes, filename: str, actor: User) -> ImportPreview:
    """Read and validate an uploaded file. Writes nothing. Raises ImportFileError when
    the file as a whole cannot be used; row problems are listed in the preview."""
    if actor.organisation_id is None:
        raise PermissionDenied
    if len(data) > MAX_FILE_BYTES:
        raise ImportFileError(file_too_big_message())
    text, encoding = decode_csv_bytes(data)
    delimiter, text = sniff_delimiter(text.lstrip("\ufeff"))
    rows = _read_rows(text, delimiter)
    try:
        _header_row, header = next(rows)
    except StopIteration as error:
        raise ImportFileError(_("The file is empty.")) from error
    columns, recognised, ignored = _header_columns(header)

    parser = RowParser(columns=columns, organisation_id=actor.organisation_id)
    errors: list[RowError] = []
    error_rows = 0
    parsed: list[ParsedRow] = []
    row_count = 0
    for number, cells in rows:
        row_count += 1
        if row_count > MAX_ROWS:
            raise ImportFileError(
                _("The file has more than %(limit)s rows. Split it into several files.") % {"limit": f"{MAX_ROWS:,}"}
            )
        extra = [cell for cell in cells[len(header) :] if cell.strip()]
        try:
            if extra:
                raise RowErrors(
                    [
                        (
                            "",
                            _(
                                "This row has more cells than the header has columns: check the separator "
                                "(a comma inside an address needs quotes)."
                            ),
                        )
                    ]
                )
            parsed.append(parser.parse(number, cells))
        except RowErrors as row_errors:
            error_rows += 1
            for key, message in row_errors.errors:
                label = header[columns[key]].strip() if key in columns else (column_label(key) if key else "")
                errors.append(RowError(number, label, parser.cell(cells, key)[:80] if key else "", message))
    if row_count == 0:
        raise ImportFileError(_("The file has a header row but no employers under it."))

    groups, duplicates, conflicts = _group(parsed, actor)
    for row, key, message in conflicts:
        label = header[columns[key]].strip() if key in columns else column_label(key)
        errors.append(RowError(row, label, "", message))
    error_rows += len({row for row, _key, _message in conflicts})
    errors.sort(key=lambda error: error.row)
    return ImportPreview(
        filename=filename,
        encoding=encoding,
        delimiter={";": _("semicolon"), ",": _("comma"), "\t": _("tab")}.get(delimiter, delimiter),
        columns=recognised,
        ignored_columns=ignored,
        row_count=row_count,
        errors=errors,
        error_rows=error_rows,
        duplicates=sorted(duplicates, key=lambda duplicate: duplicate.row),
        groups=groups,
        industries={industry.pk: industry for industry in parser.taxonomy.by_code.values()},
    )


def file_too_big_message() -> str:
    return _("The file is larger than %(size)s MB. Split it into several files.") % {
        "size": MAX_FILE_BYTES // (1024 * 1024)
    }


@dataclass
class ExistingEmployer:
    pk: int
    name: str
    postcodes: frozenset  # "" stands for "no postcode known"


def existing_employers(actor: User) -> dict[str, list[ExistingEmployer]]:
    """The program's employers by normalised name, with their sites' postcodes."""
    employers = employers_visible_to(actor)
    postcodes = defaultdict(set)
    for employer_id, postcode in EmployerSite.objects.filter(employer__in=employers).values_list(
        "employer_id", "postcode"
    ):
        postcodes[employer_id].add(normalise_postcode(postcode))
    index = defaultdict(list)
    for pk, name in employers.order_by("pk").values_list("pk", "name"):
        index[normalise(name)].append(ExistingEmployer(pk, name, frozenset(postcodes[pk] or {""})))
    return index


def _possibly_same(first: str, second: str) -> bool:
    """Postcodes of two employers with the same name: equal, or one of them unknown."""
    return first == second or not first or not second


def matching_existing(key: tuple[str, str], index: dict[str, list[ExistingEmployer]]) -> list[ExistingEmployer]:
    name, postcode = key
    return [
        employer
        for employer in index.get(name, ())
        if any(_possibly_same(postcode, known) for known in employer.postcodes)
    ]


def _group(parsed: list[ParsedRow], actor: User):
    groups: dict[tuple[str, str], EmployerGroup] = {}
    duplicates: list[Duplicate] = []
    conflicts: list[tuple[int, str, str]] = []
    for row in parsed:
        group = groups.get(row.key)
        if group is None:
            group = groups[row.key] = EmployerGroup(key=row.key, name=row.name, rows=[], employer={})
        group.rows.append(row.row)
        for name, value in row.employer.items():
            if name not in group.employer:
                group.employer[name] = value
                group.employer.setdefault("_rows", {})[name] = row.row
            elif group.employer[name] != value:
                key = "industry" if name == "industry_id" else name
                conflicts.append(
                    (
                        row.row,
                        key,
                        _("Differs from row %(row)d for the same employer: give it once, or the same value.")
                        % {"row": group.employer["_rows"][name]},
                    )
                )
        site_index, new_site = None, False
        if row.site is not None:
            site_key = (normalise(row.site["address"]), normalise(row.site["town"]), normalise(row.site["name"]))
            if site_key not in group.site_keys:
                group.site_keys[site_key] = len(group.sites)
                group.sites.append(row.site)
                new_site = True
            site_index = group.site_keys[site_key]
        new_contact = False
        if row.contact is not None:
            contact_key = normalise(row.contact["name"])
            if contact_key in group.contact_rows:
                duplicates.append(
                    Duplicate(
                        row.row,
                        row.name,
                        row.key[1],
                        _("Contact person “%(name)s” already given in row %(row)d: added once.")
                        % {"name": row.contact["name"], "row": group.contact_rows[contact_key]},
                    )
                )
            else:
                group.contact_rows[contact_key] = row.row
                group.contacts.append({**row.contact, "site": site_index})
                new_contact = True
        if len(group.rows) > 1 and not new_site and not new_contact and row.contact is None:
            duplicates.append(
                Duplicate(
                    row.row,
                    row.name,
                    row.key[1],
                    _("Same employer as row %(row)d, with nothing new to add.") % {"row": group.rows[0]},
                )
            )

    for group in groups.values():
        group.employer.pop("_rows", None)
        if group.postcode and not group.sites:
            conflicts.append(
                (
                    group.rows[0],
                    "postcode",
                    _("A postcode needs the site's address and town; give them, or leave the postcode out."),
                )
            )

    # The same name with and without a postcode may be the same employer: keep the rows
    # that have a postcode, list the others.
    with_postcode = defaultdict(list)
    for group in groups.values():
        if group.postcode:
            with_postcode[group.key[0]].append(group)
    index = existing_employers(actor)
    kept = []
    for group in groups.values():
        existing = matching_existing(group.key, index)
        if existing:
            first = existing[0]
            message = _("Already in the program: %(name)s%(postcodes)s.") % {
                "name": first.name,
                "postcodes": (" (" + ", ".join(sorted(p for p in first.postcodes if p)) + ")")
                if any(first.postcodes)
                else "",
            }
            duplicates.extend(Duplicate(row, group.name, group.postcode, message, first.pk) for row in group.rows)
        elif not group.postcode and with_postcode.get(group.key[0]):
            other = with_postcode[group.key[0]][0]
            message = _("Same name as row %(row)d, which has a postcode: possibly the same employer.") % {
                "row": other.rows[0]
            }
            duplicates.extend(Duplicate(row, group.name, "", message) for row in group.rows)
        else:
            kept.append(group)
    return kept, duplicates, conflicts


# ---------------------------------------------------------------------------
# Keeping the plan between preview and confirmation


def _plan_dir() -> Path:
    return Path(getattr(settings, "EMPLOYER_IMPORT_DIR", settings.BASE_DIR / "var" / "imports"))


TOKEN = re.compile(r"[A-Za-z0-9_-]{32,64}")


def _plan_path(actor: User, token: str, *, claimed: bool = False) -> Path | None:
    """A plan's file is named after its owner, so another user's token leads nowhere."""
    if not isinstance(token, str) or not TOKEN.fullmatch(token) or actor.pk is None:
        return None
    return _plan_dir() / f"{actor.pk}-{token}.json{'.claimed' if claimed else ''}"


def plans_purge(*, max_age: int = PLAN_TTL_SECONDS) -> None:
    """Delete plans older than `max_age` (abandoned previews hold contact details)."""
    directory = _plan_dir()
    if not directory.is_dir():
        return
    limit = time.time() - max_age
    for path in directory.glob("*.json*"):
        try:
            if path.stat().st_mtime < limit:
                path.unlink()
        except FileNotFoundError:
            pass


def plan_save(preview: ImportPreview, *, actor: User) -> str:
    """Keep a validated preview's plan for `actor` only; returns its token."""
    if not preview.importable:
        raise ValueError("Only a preview without errors can be imported.")
    directory = _plan_dir()
    directory.mkdir(parents=True, exist_ok=True)
    token = secrets.token_urlsafe(32)
    plan = {
        "version": 1,
        "user_id": actor.pk,
        "organisation_id": actor.organisation_id,
        "created_at": timezone.now().isoformat(),
        "filename": preview.filename,
        "row_count": preview.row_count,
        "employers": [
            {
                "key": list(group.key),
                "employer": {"name": group.name, **group.employer},
                "sites": [
                    {
                        **site,
                        "latitude": None if site["latitude"] is None else str(site["latitude"]),
                        "longitude": None if site["longitude"] is None else str(site["longitude"]),
                    }
                    for site in group.sites
                ],
                "contacts": group.contacts,
            }
            for group in preview.groups
        ],
    }
    descriptor = os.open(_plan_path(actor, token), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        json.dump(plan, file, ensure_ascii=False, separators=(",", ":"))
    return token


def plan_claim(*, token: str, actor: User) -> dict | None:
    """Take `actor`'s plan `token` for importing, or None when there is none (unknown,
    another user's, expired, or already taken). The rename is atomic: a second
    confirmation (a double click, another tab) finds nothing."""
    path = _plan_path(actor, token)
    if path is None or actor.organisation_id is None:
        return None
    claimed = _plan_path(actor, token, claimed=True)
    try:
        if path.stat().st_mtime < time.time() - PLAN_TTL_SECONDS:
            path.unlink()
            return None
        path.rename(claimed)
    except FileNotFoundError:
        return None
    try:
        plan = json.loads(claimed.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        plan = {}
    if plan.get("user_id") != actor.pk or plan.get("organisation_id") != actor.organisation_id:
        claimed.unlink(missing_ok=True)
        return None
    return plan


def plan_release(*, token: str, actor: User) -> None:
    """Give a claimed plan back (its import failed and was rolled back)."""
    claimed = _plan_path(actor, token, claimed=True)
    if claimed is not None and claimed.exists():
        claimed.rename(_plan_path(actor, token))


def plan_discard(*, token: str, actor: User) -> None:
    """Delete `actor`'s plan (after its import, or when they cancel)."""
    for claimed in (False, True):
        path = _plan_path(actor, token, claimed=claimed)
        if path is not None:
            path.unlink(missing_ok=True)


# ---------------------------------------------------------------------------
# The import


@dataclass
class ImportOutcome:
    employers: int
    sites: int
    contacts: int
    skipped: list[str]


@transaction.atomic
def employers_import(*, actor: User, plan: dict) -> ImportOutcome:
    """Create every employer of a validated plan, with its sites and contact persons,
    in one transaction. Employers added to the program since the preview are skipped."""
    if actor.organisation_id is None or plan.get("organisation_id") != actor.organisation_id:
        raise PermissionDenied
    # Serialises imports within a program, so two files confirmed at the same moment
    # cannot both miss each other's employers in the duplicate check below.
    list(Organisation.objects.select_for_update().filter(pk=actor.organisation_id).values_list("pk"))
    index = existing_employers(actor)
    groups, skipped = [], []
    for group in plan["employers"]:
        if matching_existing(tuple(group["key"]), index):
            skipped.append(group["employer"]["name"])
        else:
            groups.append(group)

    employers = [Employer(organisation_id=actor.organisation_id, created_by=actor, **g["employer"]) for g in groups]
    _bulk_create(Employer, employers)
    sites_by_group = []
    all_sites = []
    for employer, group in zip(employers, groups, strict=True):
        sites = [
            EmployerSite(
                employer=employer,
                **{
                    **site,
                    "latitude": None if site["latitude"] is None else Decimal(site["latitude"]),
                    "longitude": None if site["longitude"] is None else Decimal(site["longitude"]),
                },
            )
            for site in group["sites"]
        ]
        sites_by_group.append(sites)
        all_sites += sites
    _bulk_create(EmployerSite, all_sites)
    contacts = [
        ContactPerson(
            employer=employer,
            site=None if contact["site"] is None else sites[contact["site"]],
            **{name: value for name, value in contact.items() if name != "site"},
        )
        for employer, group, sites in zip(employers, groups, sites_by_group, strict=True)
        for contact in group["contacts"]
    ]
    _bulk_create(ContactPerson, contacts)
    return ImportOutcome(len(employers), len(all_sites), len(contacts), skipped)


def _bulk_create(model, objects: list) -> None:
    if connection.features.can_return_rows_from_bulk_insert:
        model.objects.bulk_create(objects, batch_size=BATCH_SIZE)
    else:  # the primary keys are needed for the rows that point to these
        for instance in objects:
            instance.save(force_insert=True)


# ---------------------------------------------------------------------------
# The example file


# Values given as (English, French) follow the example's language.
EXAMPLE_ROWS = [
    {
        "name": "Boulangerie Le Panier",
        "industry": "C",
        "size": ("micro", "TPE"),
        "website": "www.lepanier.example",
        "address": "3 place de Lenche",
        "postcode": "13002",
        "town": "Marseille",
        "contact_name": "Claire Martin",
        "role": ("Manager", "Gérante"),
        "phone": "04 91 00 00 00",
        "email": "claire@lepanier.example",
        "hiring_authority": ("yes", "oui"),
        "preferred_channel": ("in person", "visite"),
    },
    {
        "name": "Boulangerie Le Panier",
        "address": "3 place de Lenche",
        "postcode": "13002",
        "town": "Marseille",
        "contact_name": "Karim Haddad",
        "role": ("Head baker", "Chef boulanger"),
        "hiring_authority": ("no", "non"),
        "preferred_channel": ("phone", "téléphone"),
    },
    {
        "name": "Hôtel du Vieux-Port",
        "industry": ("Accommodation and food service", "Hébergement et restauration"),
        "size": "35",
        "address": "18 quai du Port",
        "postcode": "13002",
        "town": "Marseille",
        "latitude": ("43.2961", "43,2961"),
        "longitude": ("5.3699", "5,3699"),
    },
]
EXAMPLE_HEADERS = {
    "en": {
        "name": "Name",
        "industry": "Industry",
        "size": "Size",
        "website": "Website",
        "address": "Address",
        "postcode": "Postcode",
        "town": "Town",
        "latitude": "Latitude",
        "longitude": "Longitude",
        "contact_name": "Contact",
        "role": "Role",
        "phone": "Phone",
        "email": "Email",
        "hiring_authority": "Hiring authority",
        "preferred_channel": "Preferred channel",
    },
    "fr": {
        "name": "Nom",
        "industry": "Secteur",
        "size": "Taille",
        "website": "Site web",
        "address": "Adresse",
        "postcode": "Code postal",
        "town": "Ville",
        "latitude": "Latitude",
        "longitude": "Longitude",
        "contact_name": "Interlocuteur",
        "role": "Fonction",
        "phone": "Téléphone",
        "email": "Courriel",
        "hiring_authority": "Recrute",
        "preferred_channel": "Canal préféré",
    },
}


def example_csv(language: str) -> str:
    """An example file in the user's language: French with ';', English with ','."""
    french = language.startswith("fr")
    headers = EXAMPLE_HEADERS["fr" if french else "en"]
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";" if french else ",", lineterminator="\r\n")
    writer.writerow(headers.values())
    for row in EXAMPLE_ROWS:
        values = (row.get(key, "") for key in headers)
        writer.writerow(value[1 if french else 0] if isinstance(value, tuple) else value for value in values)
    return "\ufeff" + buffer.getvalue()
