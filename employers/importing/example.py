"""The example file offered on the upload page, in the user's language."""

import csv
import io

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
