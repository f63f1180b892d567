"""Spreadsheets as people's tools write them (issue 9, section 2): the file's encoding
is read with certainty or refused, never imported as mojibake; values a spreadsheet
mangled are restored with a notice or refused per row, and duplicates see through them.

The byte fixtures in tests/employers/spreadsheets/ are files as the tools write them:

| file | what it is |
|---|---|
| mac-roman-excel.csv | Excel for Mac "CSV (Macintosh)": Mac Roman, CR line ends, é è à ç œ |
| mac-roman-cafe.csv | Mac Roman whose bytes Windows-1252 decodes without error, as "CafŽ" |
| utf16le-bom.csv, utf16be-bom.csv | Excel "Unicode text": UTF-16 with its byte-order mark, tabs |
| utf16le-no-bom.csv, utf16be-no-bom.csv | the same without the byte-order mark |
| windows-1252-excel-fr.csv | French Excel on Windows: Windows-1252, ";", € œ ’ « », a quoted newline |
| iso-8859-1.csv | ISO-8859-1 text (read as Windows-1252: the same printable characters) |
| iso-8859-15.csv | ISO-8859-15: its € is Windows-1252's ¤ |
| dos-850.csv | Excel "CSV (MS-DOS)": code page 850 |
| utf8-double-encoded.csv | valid UTF-8 holding "CafÃ©": garbled before, then saved again |
| utf8-replacement-character.csv | valid UTF-8 holding "�": characters lost before |
| utf8-c1-controls.csv | valid UTF-8 holding U+0092: Windows-1252 read as ISO-8859-1, saved again |
| mixed-utf8-windows-1252.csv | rows in UTF-8 and rows in Windows-1252 |
| utf8-bom-then-windows-1252.csv | a UTF-8 byte-order mark, then a row in Windows-1252 |
"""

import codecs
import re
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from django.utils.html import strip_tags

from employers.importing import encoding, mangling
from employers.importing.parsing import ImportFileError
from employers.models import ContactPerson, Employer, EmployerImportPlan, EmployerSite
from tests.factories import EmployerFactory, EmployerSiteFactory

SPREADSHEETS = Path(__file__).parent / "spreadsheets"
SAVE_AS_UTF8 = "Save the file as CSV UTF-8 and upload it again. In Excel: File › Save As, file type “CSV UTF-8"


@pytest.fixture(autouse=True)
def in_english():
    # Messages built outside a request are read in English, whatever language an
    # earlier test's request left active in this thread.
    with translation.override("en"):
        yield


def fixture(name: str) -> bytes:
    return (SPREADSHEETS / name).read_bytes()


def upload(client, content: bytes, name: str = "employeurs.csv"):
    return client.post(reverse("employer_import"), {"file": SimpleUploadedFile(name, content, "text/csv")})


def csv_bytes(*lines: str, encoding: str = "utf-8") -> bytes:
    return "\r\n".join(lines).encode(encoding) + b"\r\n"


def refusal(content: bytes) -> str:
    with translation.override("en"), pytest.raises(ImportFileError) as error:
        encoding.decode_csv_bytes(content)
    return error.value.message


class TestTheFixturesAreWhatTheySay:
    def test_mac_roman_accents_are_the_mac_bytes(self):
        data = fixture("mac-roman-excel.csv")
        assert b"\r\n" not in data and data.count(b"\r") == 3  # classic Mac line ends
        # é è à ç œ in Mac Roman; é 0x8E is "Ž" in Windows-1252, è 0x8F is undefined there.
        for char, byte in (("é", b"\x8e"), ("è", b"\x8f"), ("à", b"\x88"), ("ç", b"\x8d"), ("œ", b"\xcf")):
            assert char.encode("mac_roman") == byte and byte in data
        assert fixture("mac-roman-cafe.csv").decode("cp1252").split("\r\n")[1].startswith("CafŽ")

    def test_windows_1252_fixture_holds_euro_and_oe(self):
        data = fixture("windows-1252-excel-fr.csv")
        assert b"\x80" in data and b"\x9c" in data and b"\x8c" in data  # €, œ, Œ
        with pytest.raises(UnicodeDecodeError):
            data.decode("utf-8")

    def test_utf8_fixtures_are_valid_utf8(self):
        for name in ("utf8-double-encoded.csv", "utf8-replacement-character.csv", "utf8-c1-controls.csv"):
            fixture(name).decode("utf-8")


class TestEncodingsThatWork:
    def test_utf8_with_and_without_bom(self):
        text = "Nom;Ville\r\nCrêperie Bœuf & Cœur;Besançon\r\n"
        assert encoding.decode_csv_bytes(text.encode("utf-8")) == (text, "UTF-8")
        assert encoding.decode_csv_bytes(codecs.BOM_UTF8 + text.encode("utf-8")) == (text, "UTF-8")

    @pytest.mark.parametrize("name", ["utf16le-bom.csv", "utf16be-bom.csv"])
    def test_utf16_with_bom(self, client_for, specialist_sam, name):
        preview = upload(client_for(specialist_sam), fixture(name)).context["preview"]
        assert (preview.encoding, preview.delimiter, preview.errors) == ("UTF-16", "tab", [])
        assert preview.groups[0].name == "Crêperie Bœuf & Cœur"
        assert preview.groups[0].sites[0]["address"] == "2 rue de l’Église"

    def test_french_excel_windows_1252_with_euro_oe_and_a_quoted_newline(self, client_for, specialist_sam):
        client = client_for(specialist_sam)
        response = upload(client, fixture("windows-1252-excel-fr.csv"))
        preview = response.context["preview"]
        assert (preview.encoding, preview.delimiter, preview.errors) == ("Windows-1252", "semicolon", [])
        client.post(reverse("employer_import_confirm", args=[response.context["plan"].pk]))
        creperie = Employer.objects.get(name="Crêperie Bœuf & Cœur")
        assert creperie.description == "Menus à 12 € — « fait maison »"
        assert creperie.contact_persons.get().name == "Zoé Lefèvre"
        oeuvre = Employer.objects.get(name="Œuvre d’Orient")
        assert oeuvre.sites.get().address == "3 rue A\nBâtiment B"
        assert oeuvre.contact_persons.get().name == "Frédéric Lœb"

    def test_iso_8859_1_text_reads_as_windows_1252(self):
        assert encoding.decode_csv_bytes(fixture("iso-8859-1.csv")) == (
            "Nom;Ville\r\nÉcole élémentaire;Besançon\r\n",
            "Windows-1252",
        )

    @pytest.mark.parametrize(
        "text",
        [
            "Nom;Ville\r\nZoé;Nîmes\r\n",
            "Nom;Ville\r\nÉCOLE ÉLÉMENTAIRE;L'HAŸ-LES-ROSES\r\n",
            "Nom;Contact\r\nSalon d´coiffure;vendeur·se\r\nJoão;Muñoz\r\nSøren;Straße\r\n",
            "Nom;Description\r\nGarage;120 m² — N° 5 ; 50 % ± 3 § 4 « bon » © ® ½ journée à 1½ h\r\n",
            "Nom;Ville\r\nAoût;Noël\r\nNaïf;Où\r\nÂge d'or;Île-de-France\r\n",
        ],
    )
    def test_short_windows_1252_files_in_french_and_english_are_read(self, text):
        assert encoding.decode_csv_bytes(text.encode("cp1252")) == (text, "Windows-1252")

    @pytest.mark.parametrize(
        "text",
        [
            "Nom;Adresse\r\nAtelier d’Art;3 rue de l’Église\r\n",
            "Nom;Fonction\r\nPrud’hommes;Agent d’entretien aujourd’hui\r\n",
            "Nom;Contact\r\nMarks’s Café;Seán O’Brien\r\nPresqu’île;Jusqu’à lorsqu’il\r\n",
            "Nom;Contact\r\nDon’t Stop Café;Giulia Dell’Acqua\r\n",
            "Nom;Ville\r\nConceição Gonçalves;Façade du Garçon\r\nÇa va;Île-de-France\r\n",
        ],
    )
    def test_apostrophes_that_elide_or_contract_and_cedillas_are_read(self, text):
        assert encoding.decode_csv_bytes(text.encode("cp1252")) == (text, "Windows-1252")


class TestEncodingsRefused:
    """Each is refused with a message that says how to save the file as CSV UTF-8, and
    nothing is kept: no preview, no plan, no employer."""

    @pytest.mark.parametrize(
        "name,reason",
        [
            ("mac-roman-excel.csv", "The file's text encoding cannot be recognised with certainty."),
            ("mac-roman-cafe.csv", "read as Windows-1252, line 2 would give “CafŽ”, which is not text."),
            ("utf16le-no-bom.csv", "without the byte-order mark"),
            ("utf16be-no-bom.csv", "without the byte-order mark"),
            ("iso-8859-15.csv", "line 2 would give “¤”"),
            ("dos-850.csv", "line 2 would give “Caf‚”"),
            ("utf8-double-encoded.csv", "line 2 reads “CafÃ©”, probably “Café”"),
            ("utf8-replacement-character.csv", "already lost by an earlier conversion: line 2 reads “Caf�”"),
            ("utf8-c1-controls.csv", "already lost by an earlier conversion: line 2 reads “L\x92Épi”"),
            ("mixed-utf8-windows-1252.csv", "The file mixes two text encodings"),
            ("utf8-bom-then-windows-1252.csv", "The file says it is UTF-8 but part of it is in another encoding."),
        ],
    )
    def test_refused_with_how_to_save_as_csv_utf8(self, client_for, specialist_sam, name, reason):
        response = upload(client_for(specialist_sam), fixture(name), name)
        page = response.content.decode()
        assert response.status_code == 200 and "preview" not in response.context
        message = response.context["form"].errors["file"][0]
        assert reason in message and SAVE_AS_UTF8 in message, message
        assert "LibreOffice Calc: File › Save As, file type “Text CSV (.csv)”" in message
        assert "Unicode (UTF-8)" in page
        assert not EmployerImportPlan.objects.exists() and not Employer.objects.exists()

    def test_the_likely_encoding_is_named(self):
        assert "It may be in Mac Roman" in refusal(fixture("mac-roman-excel.csv"))
        assert "It may be in DOS 850" in refusal(fixture("dos-850.csv"))
        # é and ç are the same bytes in DOS 437: the common one is named.
        assert "It may be in DOS 850" in refusal("Nom;Ville\r\nCafé;Besançon\r\n".encode("cp850"))

    @pytest.mark.parametrize(
        "text,legacy,word",
        [
            # Mac Roman's í and ë are Windows-1252's ’ and ‘: names read as plausible words.
            ("Nom;Contact\r\nGarage;María García\r\n", "mac_roman", "Mar’a"),
            ("Nom;Contact\r\nGarage;Rodríguez\r\n", "mac_roman", "Rodr’guez"),
            ("Nom;Contact\r\nGarage;Martín\r\n", "mac_roman", "Mart’n"),
            ("Nom;Contact\r\nGarage Citroën;Raphaël\r\n", "mac_roman", "Citro‘n"),
            ("Nom;Contact\r\nGarage;Zoë\r\n", "mac_roman", "Zo‘"),
            # Capital accented letters of Mac Roman read as small ones.
            ("Nom;Ville\r\nMairie;Île-de-France\r\n", "mac_roman", "ële-de-France"),
            ("Nom;Contact\r\nGarage;Álvarez\r\n", "mac_roman", "çlvarez"),
            ("Nom;Contact\r\nÂge d’or;Ana\r\n", "mac_roman", "åge"),
            ("Nom;Contact\r\nŒuvre d’Orient;Ana\r\n", "mac_roman", "Îuvre"),
            # DOS 850.
            ("Nom;Contact\r\nGarage;Chloë\r\n", "cp850", "Chlo‰"),
            ("Nom;Ville\r\nMairie;Île-de-France\r\n", "cp850", "×le-de-France"),
            ("Nom;Contact\r\nGarage;Lætitia\r\n", "cp850", "L‘titia"),
        ],
    )
    def test_names_that_windows_1252_reads_as_other_plausible_letters_are_refused(self, text, legacy, word):
        data = text.encode(legacy)
        assert data.decode("cp1252").count(word) == 1  # what a silent import would have stored
        message = refusal(data)
        assert f"would give “{word}”" in message and SAVE_AS_UTF8 in message

    def test_the_refusal_is_in_french_for_a_french_reader(self, client_for, specialist_sam):
        client = client_for(specialist_sam)
        client.cookies["django_language"] = "fr"
        message = upload(client, fixture("mac-roman-cafe.csv")).context["form"].errors["file"][0]
        assert "L’encodage du texte du fichier ne peut pas être reconnu avec certitude" in message
        assert "Enregistrez le fichier au format CSV UTF-8" in message
        assert "«\xa0CSV UTF-8 (délimité par des virgules) (*.csv)\xa0»" in message
        assert "«\xa0Unicode (UTF-8)\xa0»" in message

    @pytest.mark.parametrize(
        "text,word",
        [
            ("Nom;Ville\r\nCafé;Paris\r\n", "CafŽ"),  # é
            ("Nom;Ville\r\nCœur;Paris\r\n", "CÏur"),  # œ
            ("Nom;Ville\r\nMenu à 12 €;Paris\r\n", "ˆ"),  # à
            ("Nom;Ville\r\nÉcole;Paris\r\n", "ƒcole"),  # É
            ("Nom;Ville\r\nHôtel;Paris\r\n", "H™tel"),  # ô
            ("Nom;Ville\r\nNîmes;Gard\r\n", "N”mes"),  # î
            ("Nom;Ville\r\nMüller;Paris\r\n", "MŸller"),  # ü
        ],
    )
    def test_short_mac_roman_files_that_windows_1252_decodes_are_refused(self, text, word):
        message = refusal(text.encode("mac_roman"))
        assert f"line 2 would give “{word}”" in message and SAVE_AS_UTF8 in message

    def test_cyrillic_read_as_windows_1252_is_refused_by_the_detector(self):
        # "Èìÿ;Ãîðîä": each character alone is plausible; the detector finds it is not text.
        assert "cannot be recognised with certainty" in refusal("Имя;Город\r\nПекарня;Москва\r\n".encode("cp1251"))

    def test_utf16_that_is_not_text_is_refused(self):
        assert "not readable as UTF-16" in refusal(codecs.BOM_UTF16_LE + b"\x00\xd8")  # a lone surrogate

    def test_a_binary_file_with_zero_bytes_is_still_not_a_csv_file(self):
        assert "This file is not a CSV text file." in refusal(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")


def rows(*lines: str) -> bytes:
    return csv_bytes(*lines)


def preview_of(client, *lines: str):
    response = upload(client, rows(*lines))
    return response, response.context["preview"]


class TestPostcodes:
    def test_a_four_digit_postcode_is_restored_with_a_notice(self, client_for, specialist_sam):
        client = client_for(specialist_sam)
        response, preview = preview_of(client, "Nom;Adresse;Code postal;Ville", "Mairie;1 place A;1000;Bourg-en-Bresse")
        assert preview.errors == []
        notice = preview.notices[0]
        assert (notice.row, notice.column, notice.value, notice.restored) == (2, "Code postal", "1000", "01000")
        assert "dropped the postcode's leading zero" in notice.message
        assert "Format the Code postal column as Text" in notice.message
        page = response.content.decode()
        assert "1 value restored" in page and "Imported as" in page and "01000" in page
        client.post(reverse("employer_import_confirm", args=[response.context["plan"].pk]))
        assert EmployerSite.objects.get().postcode == "01000"

    def test_a_four_digit_postcode_is_kept_where_postcodes_have_four_digits(self, client_for, specialist_sam):
        organisation = specialist_sam.organisation
        organisation.country = "BE"
        organisation.save()
        _response, preview = preview_of(
            client_for(specialist_sam), "Nom;Adresse;Code postal;Ville", "Mairie;1 Grand-Place;1000;Bruxelles"
        )
        assert preview.notices == [] and preview.errors == []
        assert preview.groups[0].sites[0]["postcode"] == "1000"

    def test_a_postcode_with_a_country_prefix_is_kept(self, client_for, specialist_sam):
        _response, preview = preview_of(
            client_for(specialist_sam), "Nom;Adresse;Code postal;Ville", "Mairie;1 Grand-Place;B-1000;Bruxelles"
        )
        assert preview.notices == [] and preview.groups[0].sites[0]["postcode"] == "B-1000"

    def test_a_postcode_with_fewer_digits_is_an_error_saying_how_to_fix_the_column(self, client_for, specialist_sam):
        _response, preview = preview_of(client_for(specialist_sam), "Nom;Adresse;CP;Ville", "Mairie;1 place A;100;Nice")
        (error,) = preview.errors
        assert (error.row, error.column, error.value) == (2, "CP", "100")
        assert "has lost some" in error.message and "Format the CP column as Text" in error.message

    def test_rows_with_and_without_the_zero_are_one_employer(self, client_for, specialist_sam):
        _response, preview = preview_of(
            client_for(specialist_sam),
            "Nom;Adresse;Code postal;Ville;Contact",
            "Boulangerie du Port;1 quai A;6000;Nice;Ana",
            "Boulangerie du Port;1 quai A;06000;Nice;Bruno",
        )
        (group,) = preview.groups
        assert group.key[1] == "06000" and [c["name"] for c in group.contacts] == ["Ana", "Bruno"]

    @pytest.mark.parametrize("existing,in_file", [("01000", "1000"), ("6000", "06000"), ("06 000", "6000")])
    def test_duplicates_with_the_program_see_through_the_lost_zero(self, client_for, specialist_sam, existing, in_file):
        employer = EmployerFactory(organisation=specialist_sam.organisation, name="Mairie")
        EmployerSiteFactory(employer=employer, postcode=existing)
        response, preview = preview_of(
            client_for(specialist_sam), "Nom;Adresse;Code postal;Ville", f"Mairie;1 place A;{in_file};Nice"
        )
        assert [(d.row, d.employer_id) for d in preview.duplicates] == [(2, employer.pk)]
        assert response.context["plan"] is None

    def test_postcode_key(self):
        assert mangling.postcode_key("1000", "FR") == mangling.postcode_key("01 000", "FR") == "01000"
        assert mangling.postcode_key("1000", "BE") == "1000"


class TestPhoneNumbers:
    @pytest.mark.parametrize("value", ["3.3612345678E+10", "6,12E+08", "3,36123E+10", "6.12345678e8", "612345678.0"])
    def test_a_phone_number_turned_into_a_number_is_an_error(self, client_for, specialist_sam, value):
        _response, preview = preview_of(client_for(specialist_sam), "Nom;Contact;Téléphone", f"Mairie;Ana;{value}")
        (error,) = preview.errors
        assert (error.row, error.column, error.value) == (2, "Téléphone", value)
        assert "turned this phone number into a number" in error.message
        assert "Format the Téléphone column as Text" in error.message

    @pytest.mark.parametrize(
        "value", ["1/2/1900", "01/06/1912", "1900-01-02", "02.01.1900", "01/06/1912 00:00", "2-Jan-1900", "1/31/00"]
    )
    def test_a_phone_number_turned_into_a_date_is_an_error(self, client_for, specialist_sam, value):
        _response, preview = preview_of(client_for(specialist_sam), "Nom;Contact;Téléphone", f"Mairie;Ana;{value}")
        (error,) = preview.errors
        assert (error.row, error.column, error.value) == (2, "Téléphone", value)
        assert "turned this phone number into a date" in error.message and "Type the numbers again" in error.message
        assert "Format the Téléphone column as Text" in error.message

    @pytest.mark.parametrize(
        "value", ["abc", "n/a", "voir le site", "-", "12", "06 12 34 56 78 ou 07", "0612345678901234567"]
    )
    def test_a_value_that_is_not_a_phone_number_is_an_error(self, client_for, specialist_sam, value):
        _response, preview = preview_of(client_for(specialist_sam), "Nom;Contact;Tél", f"Mairie;Ana;{value}")
        (error,) = preview.errors
        assert (error.row, error.column, error.value) == (2, "Tél", value)
        assert f"“{value}” is not a phone number" in error.message
        assert "Write the numbers in the Tél column with their digits" in error.message

    @pytest.mark.parametrize(
        "value,restored,why",
        [
            ("612345678", "0612345678", "leading 0"),
            ("33612345678", "+33612345678", "“+”"),
            ("491000000", "0491000000", "leading 0"),
        ],
    )
    def test_a_french_number_that_lost_its_0_or_plus_is_restored_with_a_notice(
        self, client_for, specialist_sam, value, restored, why
    ):
        client = client_for(specialist_sam)
        response, preview = preview_of(client, "Nom;Contact;Tél", f"Mairie;Ana;{value}")
        (notice,) = preview.notices
        assert (notice.column, notice.value, notice.restored) == ("Tél", value, restored) and why in notice.message
        client.post(reverse("employer_import_confirm", args=[response.context["plan"].pk]))
        assert ContactPerson.objects.get().phone == restored

    @pytest.mark.parametrize(
        "value",
        [
            "06 12 34 56 78",
            "+33 6 12 34 56 78",
            "0612345678",
            "04.91.00.00.00",
            "3949",
            "06-12-34-56-78",
            "06/12/34/56/78",
            "+33 (0)6 12 34 56 78",
            "0033 6 12 34 56 78",
            "04 91 00 00 00 poste 12",
            "+1 555-123-4567 ext. 89",
            "+41 22 123 45 67",
            "06\u00a012\u00a034\u00a056\u00a078",
        ],
    )
    def test_phone_numbers_as_typed_are_kept(self, client_for, specialist_sam, value):
        _response, preview = preview_of(client_for(specialist_sam), "Nom;Contact;Tél", f"Mairie;Ana;{value}")
        assert preview.notices == [] and preview.errors == [] and preview.groups[0].contacts[0]["phone"] == value

    def test_outside_france_nine_digits_are_kept(self, client_for, specialist_sam):
        organisation = specialist_sam.organisation
        organisation.country = "CH"
        organisation.save()
        _response, preview = preview_of(client_for(specialist_sam), "Nom;Contact;Tél", "Mairie;Ana;612345678")
        assert preview.notices == [] and preview.groups[0].contacts[0]["phone"] == "612345678"


class TestNafCodes:
    @pytest.mark.parametrize(
        "value,restored", [("1.11", "01.11"), ("1,11", "01.11"), ("8.1", "08.1"), ("1.11z", "01.11Z")]
    )
    def test_a_naf_code_that_lost_its_leading_zero_is_restored(self, client_for, specialist_sam, value, restored):
        _response, preview = preview_of(client_for(specialist_sam), "Nom;Code NAF", f"Ferme;{value}")
        (notice,) = preview.notices
        assert (notice.column, notice.restored) == (
            "Code NAF",
            restored,
        ) and "NAF code's leading zero" in notice.message
        industry = preview.industries[preview.groups[0].employer["industry_id"]]
        assert industry.code == ("A" if restored.startswith("01") else "B")

    def test_three_digits_are_an_error_never_a_silent_other_section(self, client_for, specialist_sam):
        # "111" is 01.11 (section A) without its zero and point; read as division 11 it was section C.
        _response, preview = preview_of(client_for(specialist_sam), "Nom;APE", "Ferme;111")
        (error,) = preview.errors
        assert error.column == "APE" and "not a NAF code as written in the register" in error.message
        assert "Format the APE column as Text" in error.message


class TestSizesTurnedIntoDates:
    @pytest.mark.parametrize(
        "value", ["9-Jan", "Jan-09", "01-sept.", "1-sept", "Oct-49", "oct.-49", "09/01/2024", "2024-01-09"]
    )
    def test_a_size_range_turned_into_a_date_is_an_error(self, client_for, specialist_sam, value):
        _response, preview = preview_of(client_for(specialist_sam), "Nom;Effectif", f"Atelier;{value}")
        (error,) = preview.errors
        assert error.column == "Effectif" and "turned this size into a date" in error.message
        assert "Format the Effectif column as Text" in error.message

    @pytest.mark.parametrize(
        "value,size", [("1-9", "micro"), ("10-49", "small"), ("50-249", "medium"), ("120 salariés", "medium")]
    )
    def test_ranges_and_headcounts_are_not_dates(self, client_for, specialist_sam, value, size):
        _response, preview = preview_of(client_for(specialist_sam), "Nom;Effectif", f"Atelier;{value}")
        assert preview.errors == [] and preview.groups[0].employer["size"] == size


class TestMessagesInFrench:
    def test_a_mangled_value_is_explained_in_french(self, client_for, specialist_sam):
        client = client_for(specialist_sam)
        client.cookies["django_language"] = "fr"
        _response, preview = preview_of(
            client, "Nom;Adresse;Code postal;Ville;Contact;Téléphone", "Mairie;1 place A;1000;Bourg;Ana;6,12E+08"
        )
        assert "Mettez la colonne Téléphone au format Texte" in preview.errors[0].message
        assert "Lu comme 01000" in preview.notices[0].message


def test_mangling_functions_refuse_or_restore(db):
    for value in ("6,12E+08", "01/06/1912", "abc"):
        with pytest.raises(ValidationError):
            mangling.restore_phone(value, country="BE", column="Phone")
    assert mangling.restore_postcode("13 002", country="FR", column="Postcode") == ("13 002", None)
    assert mangling.restore_industry_code("56.10A", column="NAF") == ("56.10A", None)


class TestWhatTheUserSees:
    """The pages as a user reads them: a refused file or a mangled value says what to do,
    and no import is offered; a file whose values were only restored can be imported."""

    CONFIRM = "/confirm/"

    def test_a_refused_encoding_shows_how_to_save_as_csv_utf8_and_offers_no_import(self, client_for, specialist_sam):
        response = upload(client_for(specialist_sam), "Nom;Ville\r\nCafé;Besançon\r\n".encode("mac_roman"))
        page = response.content.decode()
        assert "Save the file as CSV UTF-8 and upload it again." in page
        assert "It may be in Mac Roman" in page
        assert self.CONFIRM not in page and "Check the import" not in page
        assert not EmployerImportPlan.objects.exists()

    def test_a_mangled_phone_number_is_shown_on_its_row_and_the_import_is_not_offered(self, client_for, specialist_sam):
        response = upload(
            client_for(specialist_sam),
            csv_bytes(
                "Nom;Adresse;Code postal;Ville;Contact;Téléphone",
                "Boulangerie du Port;1 quai A;6000;Nice;Ana;6,12E+08",
                encoding="cp1252",
            ),
        )
        page = response.content.decode()
        assert "1 row has errors" in page and "6,12E+08" in page
        assert "Format the Téléphone column as Text in the spreadsheet" in page
        assert "1 value restored" in page and "06000" in page  # the postcode, told at the same time
        assert self.CONFIRM not in page and 'disabled aria-describedby="cannot-import"' in page
        assert not EmployerImportPlan.objects.exists()

    @pytest.mark.parametrize("value", ["01/06/1912", "abc"])
    def test_a_phone_that_is_a_date_or_no_number_is_shown_on_its_row_and_the_import_is_not_offered(
        self, client_for, specialist_sam, value
    ):
        response = upload(
            client_for(specialist_sam),
            csv_bytes(
                "Nom;Adresse;Code postal;Ville;Contact;Téléphone",
                "Boulangerie du Port;1 quai A;06000;Nice;Ana;0612345678",
                f"Mairie;1 place A;06000;Nice;Léa;{value}",
            ),
        )
        page = response.content.decode()
        assert "1 row has errors" in page and value in page
        assert "Format the Téléphone column as Text in the spreadsheet" in page
        assert self.CONFIRM not in page and 'disabled aria-describedby="cannot-import"' in page
        assert not EmployerImportPlan.objects.exists()

    @pytest.mark.parametrize(
        "language,heading,offered,refused",
        [
            ("en", "Import employers", "Import 1 employer", "Import"),
            ("fr", "Importer des employeurs", "Importer 1 employeur", "Importer"),
        ],
    )
    @pytest.mark.parametrize("with_errors", [False, True])
    def test_the_import_section_reads_once_import(
        self, client_for, specialist_sam, language, heading, offered, refused, with_errors
    ):
        # The section's heading and its button said "Import" twice in a row: read as
        # "Import Import …" (the disabled button, after a file with errors).
        client = client_for(specialist_sam)
        client.cookies["django_language"] = language
        row = "Mairie;1 place A;06000;Nice;Ana;" + ("abc" if with_errors else "0612345678")
        page = upload(client, csv_bytes("Nom;Adresse;Code postal;Ville;Contact;Téléphone", row)).content.decode()
        section = re.search(r'<section class="card" aria-labelledby="confirm-title">(.*?)</section>', page, re.S)
        text = " ".join(strip_tags(section.group(1)).split())
        assert text.startswith(heading + " ")
        assert f"{refused} {refused}" not in text
        buttons = [strip_tags(button) for button in re.findall(r"<button.*?</button>", section.group(1), re.S)]
        assert buttons[0] == (refused if with_errors else offered)

    def test_restored_values_alone_leave_the_import_offered(self, client_for, specialist_sam):
        response = upload(
            client_for(specialist_sam),
            csv_bytes(
                "Nom;Adresse;Code postal;Ville;Contact;Téléphone",
                "Boulangerie du Port;1 quai A;6000;Nice;Ana;612345678",
            ),
        )
        page = response.content.decode()
        assert "2 values restored" in page and "0612345678" in page and "06000" in page
        assert self.CONFIRM in page and "Import 1 employer" in page
