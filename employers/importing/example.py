"""The example file offered on the upload page, in the user's language, written by the
product's one CSV writer (crm.csv_export): French with ";" and decimal commas, English
with "," and decimal points."""

from decimal import Decimal

from django.utils.translation import pgettext

from crm.csv_export import CsvFormat, CsvWriter, csv_filename, is_french

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
        "latitude": Decimal("43.2961"),
        "longitude": Decimal("5.3699"),
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


def example_table(language: str) -> tuple[list[str], list[list]]:
    """The example's header and rows in the user's language."""
    french = is_french(language)
    headers = EXAMPLE_HEADERS["fr" if french else "en"]
    rows = [
        [value[1 if french else 0] if isinstance(value, tuple) else value for value in map(row.get, headers)]
        for row in EXAMPLE_ROWS
    ]
    return list(headers.values()), rows


def example_csv(language: str) -> str:
    """The example file in the user's language: French with ';' and decimal commas,
    English with ',' and decimal points."""
    return "".join(CsvWriter(CsvFormat.for_language(language)).lines(*example_table(language)))


def example_filename() -> str:
    """employers-example.csv, in the reader's language."""
    return csv_filename(pgettext("file name", "employers-example"))
