"""From a file's headers and cells to employers, sites and contact persons: the column
names understood (English and French), the values understood (industry codes and
titles, sizes, yes/no, channels, coordinates), and the models' own validation of each
row."""

import re
import unicodedata
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crm.models import Industry
from crm.taxonomies import INDUSTRIES, NACE_DIVISIONS, nace_section
from employers.importing.mangling import (
    Restored,
    check_size,
    postcode_key,
    restore_industry_code,
    restore_phone,
    restore_postcode,
)
from employers.importing.parsing import ImportFileError
from employers.models import ContactPerson, Employer, EmployerSite

EMPLOYER_FIELDS = ("industry", "nace_code", "size", "website", "description")


SITE_FIELDS = ("site_name", "address", "postcode", "town", "latitude", "longitude")


# The postcode alone does not make a site: with the name it identifies the employer, so
# a further row for the same employer may give just the name, postcode and a contact.
SITE_KEY_FIELDS = ("site_name", "address", "town", "latitude", "longitude")


# As on the employer form: a site or contact person counts as given only when one of
# these has a value (a default such as "hiring authority: no" alone adds nobody).
CONTACT_KEY_FIELDS = ("contact_name", "role", "phone", "email")


CONTACT_FIELDS = (*CONTACT_KEY_FIELDS, "hiring_authority", "preferred_channel")


def normalise(value: str) -> str:
    """Case-, accent-, space- and punctuation-insensitive form of a name or header:
    "  Boulangerie  L'Épi-d'Or " and "boulangerie l epi d or" are equal."""
    value = unicodedata.normalize("NFKD", str(value)).casefold()
    value = value.replace("œ", "oe").replace("æ", "ae").replace("ø", "o").replace("ß", "ss")
    value = "".join(char for char in value if not unicodedata.combining(char))
    value = "".join(char if char.isalnum() else " " for char in value)
    return " ".join(value.split())


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
        "industry, sector, nace, nace section, section, secteur, secteur d'activité, section naf, branche",
    ),
    # A NAF/APE or NACE code ("4520A", "45.20"): the employer's NACE code, and its section
    # as the industry when no industry column gives it.
    "nace_code": (
        gettext_lazy("NACE code"),
        "nace code, code nace, nace rev 2, naf, code naf, naf code, naf rev 2, ape, code ape, ape code, naf ape, "
        "code naf ape, code naf/ape",
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


# NACE_DIVISIONS (crm.taxonomies): the divisions of each section, the first two digits of
# a NACE or French NAF/APE code.


NACE_CODE = re.compile(r"^(\d{2})(?:\.?\d{0,2}[A-Za-z]?)?$")


# A NAF/APE or NACE code as registers write it: "45", "45.2", "45.20", "4520", "45.20A",
# "4520A" (the French sub-class letter is dropped: NACE stops at the class).
NAF_CODE = re.compile(r"^(\d{2})(?:\.?(\d{1,2}))?\s*([A-Za-z])?$")


def parse_nace_code(raw: str) -> str:
    """The NACE code of a NAF/APE or NACE code: "4520A" -> "45.20", "56.1" -> "56.1";
    "" for an empty cell. ValidationError if it is not a code of an existing division."""
    value = raw.strip()
    if not value:
        return ""
    match = NAF_CODE.match(value)
    if not match or nace_section(match.group(1)) is None or (match.group(3) and len(match.group(2) or "") != 2):
        raise ValidationError(
            _("Unknown NAF or NACE code “%(value)s”: write it as in the register, such as 4520A, 45.20 or 45.2.")
            % {"value": value}
        )
    division, rest, _letter = match.groups()
    return f"{division}.{rest}" if rest else division


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


@dataclass
class ParsedRow:
    row: int
    key: tuple[str, str]
    name: str
    employer: dict  # industry_id, size, website, description: only the values given
    site: dict | None
    contact: dict | None
    notices: list[Restored]  # values restored from what a spreadsheet made of them


class RowErrors(Exception):
    def __init__(self, errors: list[tuple[str, str]], notices: list[Restored] = ()):
        super().__init__(errors)
        self.errors = errors
        self.notices = list(notices)  # shown too, so that one upload tells everything to fix


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

    def section(self, nace_code: str) -> Industry | None:
        """The industry (NACE section) of a NACE code."""
        return self.by_code.get(nace_section(nace_code) or "")

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


def _model_errors(
    instance, columns: dict[str, str], exclude: list[str], *, reported: list[tuple[str, str]] = ()
) -> list[tuple[str, str]]:
    """The model's own validation of an unsaved instance, without database queries: the
    foreign keys are set by the import itself, and the one database constraint that
    could fail (site coordinates) is checked by parse_coordinate. A model-wide error
    (from `clean()`) already `reported` by the parser, with its column, is not repeated
    (EmployerSite: both coordinates or neither)."""
    errors = []
    already = {message for _column, message in reported}
    try:
        instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        for name, field_errors in error.error_dict.items():
            column = columns.get(name, "name")
            if name == NON_FIELD_ERRORS:
                field_errors = [e for e in field_errors if not already.intersection(e.messages)]
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
    def __init__(self, *, columns: dict[str, int], header: list[str], organisation_id: int, country: str):
        self.columns = columns
        self.header = header
        self.organisation_id = organisation_id
        self.country = country  # the program's: how postcodes and phone numbers are written there
        self.taxonomy = _Taxonomy()
        self.size_words = _choice_words(Employer.Size.choices)
        self.channel_words = _choice_words(ContactPerson.Channel.choices)

    def cell(self, cells: list[str], key: str) -> str:
        index = self.columns.get(key)
        if index is None or index >= len(cells):
            return ""
        return cells[index].strip()

    def column_title(self, key: str) -> str:
        """The column's title as the file writes it ("Code postal"), to say which to fix."""
        return self.header[self.columns[key]].strip() or column_label(key)

    def parse(self, number: int, cells: list[str]) -> ParsedRow:
        values = {key: self.cell(cells, key) for key in COLUMNS}
        errors: list[tuple[str, str]] = []
        notices: list[Restored] = []

        def parsed(key, parser, *args):
            try:
                return parser(values[key], *args)
            except ValidationError as error:
                errors.extend((key, message) for message in error.messages)
                return None

        def unmangled(key, restorer, **kwargs) -> bool:
            """Put back what a spreadsheet changed in the cell, or report it; False if
            the value cannot be used."""
            if not values[key]:
                return True
            try:
                restored = restorer(values[key], column=self.column_title(key), **kwargs)
            except ValidationError as error:
                errors.extend((key, message) for message in error.messages)
                return False
            if restored is not None:
                values[key], notice = restored
                if notice is not None:
                    notices.append(notice)
            return True

        unmangled("postcode", restore_postcode, country=self.country)
        unmangled("phone", restore_phone, country=self.country)
        employer_values = {}
        industry = None
        if unmangled("industry", restore_industry_code):
            industry = parsed("industry", self.taxonomy.industry)
            if industry is not None:
                employer_values["industry_id"] = industry.pk
                if NACE_CODE.match(values["industry"]) and not values["nace_code"]:
                    # A NAF code in the industry column: its section, and the code itself.
                    nace_code = parsed("industry", parse_nace_code)
                    if nace_code:
                        employer_values["nace_code"] = nace_code
        if values["nace_code"] and unmangled("nace_code", restore_industry_code):
            nace_code = parsed("nace_code", parse_nace_code)
            if nace_code:
                section = self.taxonomy.section(nace_code)
                if industry is not None and section is not None and section != industry:
                    errors.append(
                        (
                            "nace_code",
                            _(
                                "The NACE code %(code)s is in section %(section)s, not in the industry given "
                                "(%(industry)s)."
                            )
                            % {"code": nace_code, "section": section.code, "industry": industry.code},
                        )
                    )
                else:
                    employer_values["nace_code"] = nace_code
                    if industry is None and section is not None:
                        employer_values["industry_id"] = section.pk
        if values["size"] and unmangled("size", check_size):
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
            errors += _model_errors(EmployerSite(**site_values), SITE_ERROR_COLUMNS, ["employer"], reported=errors)

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
            raise RowErrors(errors, notices)
        return ParsedRow(
            row=number,
            key=(normalise(values["name"]), postcode_key(values["postcode"], self.country)),
            name=values["name"],
            employer=employer_values,
            site=site_values,
            contact=contact_values,
            notices=notices,
        )
