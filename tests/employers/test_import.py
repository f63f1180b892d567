"""Employer import from CSV: preview with per-row errors, duplicates, all or nothing;
the plan kept in the database between preview and confirmation."""

import codecs
import csv
import datetime
import io
import uuid

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from crm.models import Industry
from employers import importing
from employers import tasks as employer_tasks
from employers.importing import encoding, mapping, parsing, planning
from employers.models import ContactPerson, Employer, EmployerImportPlan, EmployerSite
from tests.factories import EmployerFactory, EmployerSiteFactory, UserFactory

FRENCH_HEADER = (
    "Nom;Secteur;Taille;Site web;Adresse;Code postal;Ville;Interlocuteur;Fonction;Téléphone;Courriel;Recrute;"
    "Canal préféré"
)


@pytest.fixture(autouse=True)
def in_english():
    # Messages built outside a request are read in English, whatever language an
    # earlier test's request left active in this thread.
    with translation.override("en"):
        yield


def csv_bytes(*lines: str, encoding: str = "utf-8-sig") -> bytes:
    return "\r\n".join(lines).encode(encoding) + b"\r\n"


def upload(client, content: bytes, name: str = "employeurs.csv"):
    return client.post(reverse("employer_import"), {"file": SimpleUploadedFile(name, content, "text/csv")})


def confirm(client, plan):
    return client.post(reverse("employer_import_confirm", args=[plan.pk]))


def cancel(client, plan):
    return client.post(reverse("employer_import_cancel", args=[plan.pk]))


def french_file() -> bytes:
    return csv_bytes(
        FRENCH_HEADER,
        "Boulangerie L'Épi d'Or;C;TPE;www.epidor.example;3 place de Lenche;13002;Marseille;"
        "Hélène Müller;Gérante;04 91 00 00 00;helene@epidor.example;oui;téléphone",
        "Hôtel du Vieux-Port;Hébergement et restauration;35;;18 quai du Port;13002;Marseille;;;;;;",
    )


class TestHappyPath:
    def test_french_semicolon_file_with_bom_and_accents_imports(self, client_for, specialist_sam):
        client = client_for(specialist_sam)
        response = upload(client, french_file())
        assert response.status_code == 200
        assert response.context["preview"].encoding == "UTF-8"
        plan = response.context["plan"]
        assert plan and "Import 2 employers" in response.content.decode()
        assert not Employer.objects.exists()  # the preview saves nothing

        response = confirm(client, plan)

        assert response.status_code == 302 and response.url == reverse("employer_list")
        bakery = Employer.objects.get(name="Boulangerie L'Épi d'Or")
        assert bakery.organisation == specialist_sam.organisation and bakery.created_by == specialist_sam
        assert bakery.industry.code == "C" and bakery.size == "micro" and bakery.website == "https://www.epidor.example"
        site = bakery.sites.get()
        assert (site.address, site.postcode, site.town) == ("3 place de Lenche", "13002", "Marseille")
        person = bakery.contact_persons.get()
        assert (person.name, person.role, person.email) == ("Hélène Müller", "Gérante", "helene@epidor.example")
        assert person.has_hiring_authority and person.preferred_channel == "phone" and person.site == site
        hotel = Employer.objects.get(name="Hôtel du Vieux-Port")
        assert hotel.industry.code == "I" and hotel.size == "small" and not hotel.contact_persons.exists()
        plan.refresh_from_db()
        assert plan.imported_at is not None and plan.data == {}  # the contact details are not kept

    def test_latin1_file(self, client_for, specialist_sam):
        content = csv_bytes(
            "Nom,Ville,Adresse,Interlocuteur",
            "Crêperie Bœuf & Cœur,Aix-en-Provence,2 cours Mirabeau,Zoé",
            encoding="cp1252",
        )
        client = client_for(specialist_sam)
        response = upload(client, content)
        assert response.context["preview"].encoding == "Windows-1252"
        confirm(client, response.context["plan"])
        employer = Employer.objects.get()
        assert employer.name == "Crêperie Bœuf & Cœur"
        assert employer.sites.get().town == "Aix-en-Provence" and employer.contact_persons.get().name == "Zoé"

    def test_excel_unicode_text_file_utf16_with_tabs(self, client_for, specialist_sam):
        content = codecs.BOM_UTF16_LE + "Nom\tVille\tAdresse\r\nÉcole Saint-Éloi\tNîmes\t1 rue A\r\n".encode(
            "utf-16-le"
        )
        preview = upload(client_for(specialist_sam), content).context["preview"]
        assert (preview.encoding, preview.delimiter) == ("UTF-16", "tab")
        assert preview.groups[0].name == "École Saint-Éloi" and not preview.errors

    def test_bytes_that_windows_1252_leaves_undefined_are_refused_never_read_as_control_characters(self):
        # 0x81 is no character in Windows-1252 and a control character in ISO-8859-1: such a file is
        # in another encoding (Mac Roman: "Å"), which was read as "Café\x81" (tests/employers/
        # test_import_spreadsheets.py has the encodings).
        with pytest.raises(importing.ImportFileError, match="cannot be recognised with certainty"):
            encoding.decode_csv_bytes("Nom\nCafé\x81".encode("latin-1"))

    def test_comma_file_with_quoted_commas_and_english_headers(self, client_for, specialist_sam):
        content = csv_bytes(
            "Company,Street address,ZIP,City,Contact person,Job title,E-mail,Decision maker,Channel",
            '"Garage Martin, père et fils","12, rue Paradis",13006,Marseille,Paul Martin,Owner,'
            "paul@garage.example,x,Email",
            encoding="utf-8",
        )
        client = client_for(specialist_sam)
        response = upload(client, content)
        assert response.context["preview"].delimiter == "comma"
        confirm(client, response.context["plan"])
        person = ContactPerson.objects.get()
        assert person.employer.name == "Garage Martin, père et fils" and person.site.address == "12, rue Paradis"
        assert person.has_hiring_authority and person.preferred_channel == "email"

    def test_rows_with_the_same_name_and_postcode_add_sites_and_contacts_to_one_employer(
        self, client_for, specialist_sam
    ):
        content = csv_bytes(
            "Nom;Adresse;CP;Ville;Contact;Latitude;Longitude",
            "Carrefour Market;10 rue A;13005;Marseille;Ana;43,2951234;5,3987",
            "CARREFOUR  market;10 rue A;13 005;Marseille;Bruno;;",
            "Carrefour Market;22 rue B;13005;Marseille;;;",
            "Carrefour Market;1 avenue C;13008;Marseille;Chloé;;",
        )
        client = client_for(specialist_sam)
        response = upload(client, content)
        confirm(client, response.context["plan"])
        in_13005, in_13008 = Employer.objects.order_by("pk")
        assert in_13005.sites.count() == 2 and in_13008.sites.count() == 1
        assert sorted(in_13005.contact_persons.values_list("name", flat=True)) == ["Ana", "Bruno"]
        first_site = in_13005.sites.get(address="10 rue A")
        assert str(first_site.latitude) == "43.295123"  # rounded to the 6 places stored
        assert set(in_13005.contact_persons.values_list("site", flat=True)) == {first_site.pk}

    def test_the_example_file_imports_without_errors(self, client_for, specialist_sam):
        client = client_for(specialist_sam)
        for language in ("fr", "en"):
            client.cookies["django_language"] = language
            example = client.get(reverse("employer_import_example"))
            assert example["Content-Type"] == "text/csv; charset=utf-8"
            preview = upload(client, example.content).context["preview"]
            assert not preview.errors and len(preview.groups) == 2 and preview.contact_count == 2

    @pytest.mark.parametrize(
        "language,delimiter,latitude,filename",
        [("fr", ";", "43,2961", "exemple-employeurs.csv"), ("en", ",", "43.2961", "employers-example.csv")],
    )
    def test_the_example_file_is_written_for_the_readers_language(
        self, client_for, specialist_sam, language, delimiter, latitude, filename
    ):
        client = client_for(specialist_sam)
        client.cookies["django_language"] = language
        example = client.get(reverse("employer_import_example"))
        assert example.content.startswith(codecs.BOM_UTF8)
        assert example["Content-Disposition"] == f'attachment; filename="{filename}"'
        header, *rows = csv.reader(io.StringIO(example.content.decode("utf-8-sig")), delimiter=delimiter)
        assert len(header) == 15 and all(len(row) == 15 for row in rows)
        assert rows[2][header.index("Latitude")] == latitude


class TestRowErrors:
    def test_errors_are_listed_per_row_and_nothing_can_be_imported(self, client_for, specialist_sam):
        content = csv_bytes(
            "Nom;Secteur;Adresse;Ville;Interlocuteur;Courriel;Latitude;Recrute",
            "Bon employeur;I;1 rue A;Marseille;Ana;ana@example.org;;oui",
            ";I;1 rue A;Marseille;;;;",
            "Mauvais secteur;Z;;;;;;",
            "Courriel faux;;;;Bob;pas-un-courriel;;",
            "Site sans ville;;5 rue B;;;;43,3;",
            "X" * 201 + ";;;;;;;",
            "Recrute inconnu;;;;Carla;;;peut-être",
        )
        client = client_for(specialist_sam)
        response = upload(client, content)
        preview = response.context["preview"]
        errors = {(error.row, error.column) for error in preview.errors}
        assert {
            (3, "Nom"),
            (4, "Secteur"),
            (5, "Courriel"),
            (6, "Ville"),
            (6, "Longitude"),
            (7, "Nom"),
            (8, "Recrute"),
        } <= (errors)
        assert preview.error_rows == 6 and response.context["plan"] is None
        page = response.content.decode()
        assert "Unknown industry “Z”" in page and "Enter a valid email address." in page
        assert "Ensure this value has at most 200 characters (it has 201)." in page
        assert "disabled" in page and "Fix the rows with errors" in page and "The employer name is missing." in page
        assert not Employer.objects.exists() and not EmployerSite.objects.exists()
        assert not EmployerImportPlan.objects.exists()

    def test_conflicting_employer_details_in_two_rows_are_an_error(self, client_for, specialist_sam):
        content = csv_bytes("Nom;Secteur;CP;Ville;Adresse", "Atelier;C;13001;Marseille;1 rue A", "Atelier;I;13001;;")
        preview = upload(client_for(specialist_sam), content).context["preview"]
        assert [(e.row, e.column) for e in preview.errors] == [(3, "Secteur")]
        assert "Differs from row 2" in preview.errors[0].message

    def test_a_postcode_without_a_site_is_an_error(self, client_for, specialist_sam):
        content = csv_bytes("Nom;CP;Contact", "Atelier;13001;Ana", "Atelier;13001;Bruno")
        preview = upload(client_for(specialist_sam), content).context["preview"]
        assert [(e.row, e.column) for e in preview.errors] == [(2, "CP")]

    def test_a_latitude_without_a_longitude_is_one_error_on_its_column(self, client_for, specialist_sam):
        # The site model checks the pair too (EmployerSite.clean): reported once, not also under the name.
        content = csv_bytes("Nom;Adresse;Ville;Latitude", "Atelier;5 rue B;Marseille;43,3")
        preview = upload(client_for(specialist_sam), content).context["preview"]
        assert [(e.row, e.column, e.message) for e in preview.errors] == [
            (2, "Longitude", "Give both latitude and longitude, or neither.")
        ]

    def test_a_row_with_more_cells_than_the_header_is_an_error(self, client_for, specialist_sam):
        content = csv_bytes("Name,Town", "Garage Martin,12, rue Paradis,Marseille", encoding="utf-8")
        preview = upload(client_for(specialist_sam), content).context["preview"]
        assert preview.errors[0].row == 2 and "more cells than the header" in preview.errors[0].message


class TestDuplicates:
    def test_employers_already_in_the_program_are_skipped_and_listed(
        self, client_for, specialist_sam, specialist_louis
    ):
        existing = EmployerFactory(organisation=specialist_sam.organisation, name="Boulangerie Le Panier")
        EmployerSiteFactory(employer=existing, postcode="13002")
        EmployerFactory(organisation=specialist_louis.organisation, name="Hôtel Bellevue")  # another program's
        content = csv_bytes(
            "Nom;Code postal;Adresse;Ville;Interlocuteur",
            "BOULANGERIE LE-PANIER ;13002;3 place de Lenche;Marseille;Claire",
            "Boulangerie Le Panier;13008;9 rue Sud;Marseille;",
            "Hotel Bellevue;13001;1 rue A;Marseille;",
        )
        client = client_for(specialist_sam)
        response = upload(client, content)
        preview = response.context["preview"]
        assert [(d.row, d.employer_id) for d in preview.duplicates] == [(2, existing.pk)]
        assert "Already in the program: Boulangerie Le Panier (13002)" in response.content.decode()
        assert reverse("employer_detail", args=[existing.pk]) in response.content.decode()
        confirm(client, response.context["plan"])
        assert Employer.objects.filter(organisation=specialist_sam.organisation).count() == 3
        assert not existing.contact_persons.exists()

    def test_an_existing_employer_without_postcode_matches_by_name(self, client_for, specialist_sam):
        EmployerFactory(organisation=specialist_sam.organisation, name="Mairie de Cassis")
        content = csv_bytes("Nom;CP;Adresse;Ville", "Mairie de Cassis;13260;Place Baragnon;Cassis")
        response = upload(client_for(specialist_sam), content)
        assert len(response.context["preview"].duplicates) == 1 and response.context["plan"] is None
        assert "Nothing new to import" in response.content.decode()

    def test_duplicates_within_the_file(self, client_for, specialist_sam):
        content = csv_bytes(
            "Nom;CP;Adresse;Ville;Contact",
            "Café des Arts;13001;1 rue A;Marseille;Ana",
            "café des arts;13001;1 rue A;Marseille;Ana",
            "Café des Arts;13001;1 rue A;Marseille;",
            "Cafe des Arts;;;;Bruno",
        )
        client = client_for(specialist_sam)
        response = upload(client, content)
        preview = response.context["preview"]
        assert [d.row for d in preview.duplicates] == [3, 4, 5]
        assert "already given in row 2" in preview.duplicates[0].message
        assert "Same name as row 2, which has a postcode" in preview.duplicates[2].message
        confirm(client, response.context["plan"])
        employer = Employer.objects.get()
        assert employer.sites.count() == 1 and list(employer.contact_persons.values_list("name", flat=True)) == ["Ana"]

    def test_an_employer_added_between_preview_and_confirmation_is_skipped(self, client_for, specialist_sam):
        client = client_for(specialist_sam)
        plan = upload(client, french_file()).context["plan"]
        EmployerFactory(organisation=specialist_sam.organisation, name="Hotel du Vieux Port")
        response = confirm(client, plan)
        assert response.status_code == 302
        assert list(Employer.objects.values_list("name", flat=True).order_by("pk")) == [
            "Hotel du Vieux Port",
            "Boulangerie L'Épi d'Or",
        ]
        messages = [str(m) for m in response.wsgi_request._messages]
        assert any("Hôtel du Vieux-Port" in message for message in messages)


class TestFileErrors:
    @pytest.mark.parametrize(
        "name,content,message",
        [
            ("vide.csv", b"", "The submitted file is empty."),
            ("vide.csv", codecs.BOM_UTF8 + b"\r\n  \r\n", "The file is empty."),
            ("classeur.xlsx", b"PK\x03\x04 whatever", "This is not a CSV file."),
            ("classeur.csv", b"PK\x03\x04\x14\x00\x06\x00", "This is a spreadsheet workbook"),
            ("photo.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "This file is not a CSV text file."),
            ("entete.csv", b"Nom;Ville\r\n", "no employers under it"),
            ("sans-nom.csv", b"Ville;Code postal\r\nMarseille;13001\r\n", "No column for the employer name"),
            ("deux-noms.csv", b"Nom;Entreprise\r\nA;B\r\n", "both give the Employer name"),
        ],
    )
    def test_unusable_files_are_refused_with_a_clear_message(self, client_for, specialist_sam, name, content, message):
        response = upload(client_for(specialist_sam), content, name)
        assert response.status_code == 200
        assert message in response.content.decode()
        assert "preview" not in response.context

    def test_a_file_over_the_size_limit_is_refused(self, client_for, specialist_sam):
        content = b"Nom\r\n" + b"x" * importing.MAX_FILE_BYTES
        response = upload(client_for(specialist_sam), content)
        assert "The file is larger than 5 MB." in response.content.decode()

    def test_a_file_over_the_row_limit_is_refused(self, client_for, specialist_sam, monkeypatch):
        monkeypatch.setattr(planning, "MAX_ROWS", 3)
        content = csv_bytes("Nom", "A", "B", "C", "D")
        response = upload(client_for(specialist_sam), content)
        assert "The file has more than 3 rows." in response.content.decode()


class TestConfirmation:
    def test_an_unknown_plan_is_not_found(self, client_for, specialist_sam):
        client = client_for(specialist_sam)
        assert client.post(reverse("employer_import_confirm", args=[uuid.uuid4()])).status_code == 404
        assert client.post(reverse("employer_import_cancel", args=[uuid.uuid4()])).status_code == 404
        for path in ("not-a-plan", "..%2F..%2Fetc%2Fpasswd", "A" * 43):
            assert client.post(f"/employers/import/{path}/confirm/").status_code == 404
        assert not Employer.objects.exists()

    def test_a_preview_is_imported_once(self, client_for, specialist_sam):
        client = client_for(specialist_sam)
        plan = upload(client, french_file()).context["plan"]
        confirm(client, plan)
        response = confirm(client, plan)
        assert response.url == reverse("employer_import") and Employer.objects.count() == 2
        assert "no longer available" in str(list(response.wsgi_request._messages)[-1])

    def test_cancel_deletes_the_plan(self, client_for, specialist_sam):
        client = client_for(specialist_sam)
        plan = upload(client, french_file()).context["plan"]
        assert cancel(client, plan).url == reverse("employer_import")
        assert not EmployerImportPlan.objects.exists()
        assert confirm(client, plan).status_code == 404 and not Employer.objects.exists()

    def test_another_programs_plan_is_not_found(self, client, client_for, specialist_sam, specialist_louis):
        plan = upload(client_for(specialist_sam), french_file()).context["plan"]
        client.logout()
        louis = client_for(specialist_louis)
        assert confirm(louis, plan).status_code == 404
        assert cancel(louis, plan).status_code == 404
        assert not Employer.objects.exists() and EmployerImportPlan.objects.filter(pk=plan.pk).exists()

        client.logout()
        assert confirm(client_for(specialist_sam), plan).url == reverse("employer_list")
        assert Employer.objects.filter(organisation=specialist_sam.organisation).count() == 2

    def test_a_colleagues_plan_is_not_found_either(self, client, client_for, specialist_sam, specialist_sofia):
        plan = upload(client_for(specialist_sam), french_file()).context["plan"]
        client.logout()
        sofia = client_for(specialist_sofia)
        assert confirm(sofia, plan).status_code == 404
        assert cancel(sofia, plan).status_code == 404
        assert not Employer.objects.exists() and EmployerImportPlan.objects.filter(pk=plan.pk).exists()

    def test_my_plan_made_in_my_former_program_is_not_found(self, client_for, specialist_sam, other_organisation):
        plan = upload(client_for(specialist_sam), french_file()).context["plan"]
        specialist_sam.organisation = other_organisation
        specialist_sam.team = None
        specialist_sam.save()
        assert confirm(client_for(specialist_sam), plan).status_code == 404
        assert not Employer.objects.exists()

    def test_nothing_is_half_imported(self, client_for, specialist_sam, monkeypatch):
        client = client_for(specialist_sam)
        plan = upload(client, french_file()).context["plan"]
        real_bulk_create = planning._bulk_create

        def fail_on_contacts(model, objects):
            if model is ContactPerson:
                raise RuntimeError("disk full")
            real_bulk_create(model, objects)

        monkeypatch.setattr(planning, "_bulk_create", fail_on_contacts)
        with pytest.raises(RuntimeError):
            confirm(client, plan)
        assert not Employer.objects.exists() and not EmployerSite.objects.exists()
        plan.refresh_from_db()
        assert plan.imported_at is None and plan.data["employers"]  # kept for a retry

        monkeypatch.setattr(planning, "_bulk_create", real_bulk_create)
        assert confirm(client, plan).url == reverse("employer_list")
        assert Employer.objects.count() == 2 and ContactPerson.objects.count() == 1

    def test_a_user_outside_any_program_cannot_confirm(self, client_for, specialist_sam, db):
        plan = upload(client_for(specialist_sam), french_file()).context["plan"]
        operator = UserFactory(organisation=None, is_superuser=True, is_staff=True)
        assert confirm(client_for(operator), plan).status_code == 404  # out of scope answers 404, like everywhere
        assert not Employer.objects.exists()


class TestPlanInTheDatabase:
    def test_the_plan_is_kept_for_its_owner_in_their_program_for_an_hour(self, client_for, specialist_sam):
        before = timezone.now()
        plan = upload(client_for(specialist_sam), french_file()).context["plan"]
        plan = EmployerImportPlan.objects.get(pk=plan.pk)
        assert (plan.owner, plan.organisation) == (specialist_sam, specialist_sam.organisation)
        assert (plan.filename, plan.row_count, plan.imported_at) == ("employeurs.csv", 2, None)
        assert before <= plan.created_at and plan.expires_at == plan.created_at + datetime.timedelta(hours=1)
        names = [group["employer"]["name"] for group in plan.data["employers"]]
        assert names == ["Boulangerie L'Épi d'Or", "Hôtel du Vieux-Port"]

    def test_a_plan_made_earlier_is_confirmed_on_another_web_host_without_any_local_file(
        self, settings, tmp_path, client_for, specialist_sam
    ):
        settings.BASE_DIR = tmp_path  # plans used to be written under BASE_DIR/var/imports
        plan = upload(client_for(specialist_sam), french_file()).context["plan"]
        assert not any(path.is_file() for path in tmp_path.rglob("*"))

        other_host = Client()  # another session, as on another web host behind the load balancer
        other_host.force_login(specialist_sam, backend="django.contrib.auth.backends.ModelBackend")
        response = confirm(other_host, plan)

        assert response.url == reverse("employer_list")
        assert Employer.objects.filter(organisation=specialist_sam.organisation).count() == 2

    def test_an_expired_plan_is_refused_with_a_clear_message_and_deleted(self, client_for, specialist_sam):
        client = client_for(specialist_sam)
        plan = upload(client, french_file()).context["plan"]
        with time_machine.travel(timezone.now() + datetime.timedelta(minutes=61)):
            client = client_for(specialist_sam)  # signed in again: an idle session ends too
            response = confirm(client, plan)
        assert response.url == reverse("employer_import") and not Employer.objects.exists()
        message = str(list(response.wsgi_request._messages)[-1])
        assert "This preview has expired: a preview is kept for 60 minutes. Nothing was imported." in message
        assert not EmployerImportPlan.objects.exists()

    def test_the_expiry_message_is_in_french_for_a_french_reader(self, client_for, specialist_sam):
        client = client_for(specialist_sam)
        client.cookies["django_language"] = "fr"
        plan = upload(client, french_file()).context["plan"]
        with time_machine.travel(timezone.now() + datetime.timedelta(hours=2)):
            client = client_for(specialist_sam)  # signed in again: an idle session ends too
            response = confirm(client, plan)
        assert "Cet aperçu a expiré\xa0: un aperçu est conservé 60 minutes." in str(
            list(response.wsgi_request._messages)[-1]
        )

    def test_a_plan_is_imported_until_it_expires(self, client_for, specialist_sam):
        client = client_for(specialist_sam)
        plan = upload(client, french_file()).context["plan"]
        with time_machine.travel(timezone.now() + datetime.timedelta(minutes=59)):
            assert confirm(client, plan).url == reverse("employer_list")
        assert Employer.objects.count() == 2

    def test_no_plan_is_kept_for_a_preview_with_errors(self, client_for, specialist_sam):
        upload(client_for(specialist_sam), csv_bytes("Nom;Secteur", "Atelier;Z"))
        assert not EmployerImportPlan.objects.exists()


class TestPurge:
    def make_plans(self, client_for, specialist_sam):
        client = client_for(specialist_sam)
        imported = upload(client, french_file()).context["plan"]
        confirm(client, imported)
        abandoned = upload(client, csv_bytes("Nom;Ville;Adresse", "Garage Martin;Marseille;1 rue A")).context["plan"]
        return imported, abandoned

    def test_expired_plans_are_purged_imported_or_not(self, client_for, specialist_sam):
        self.make_plans(client_for, specialist_sam)
        with time_machine.travel(timezone.now() + datetime.timedelta(minutes=30)):
            fresh = upload(client_for(specialist_sam), csv_bytes("Nom", "Café des Arts")).context["plan"]
        with time_machine.travel(timezone.now() + datetime.timedelta(minutes=61)):
            assert importing.plans_purge() == 2
        assert list(EmployerImportPlan.objects.values_list("pk", flat=True)) == [fresh.pk]
        assert Employer.objects.count() == 2  # purging plans never touches what was imported

    def test_nothing_is_purged_before_expiry(self, client_for, specialist_sam):
        self.make_plans(client_for, specialist_sam)
        with time_machine.travel(timezone.now() + datetime.timedelta(minutes=59)):
            assert importing.plans_purge() == 0
        assert EmployerImportPlan.objects.count() == 2

    def test_the_daily_job_purges_expired_plans(self, client_for, specialist_sam):
        self.make_plans(client_for, specialist_sam)
        with time_machine.travel(timezone.now() + datetime.timedelta(hours=2)):
            employer_tasks.purge_expired_import_plans()
        assert not EmployerImportPlan.objects.exists()

    def test_the_daily_job_is_registered_with_the_scheduler(self):
        from dramatiq_crontab import scheduler

        jobs = {job.name: job for job in scheduler.get_jobs()}
        assert "purge_expired_import_plans" in jobs
        assert "hour='3', minute='23'" in str(jobs["purge_expired_import_plans"].trigger)  # daily, at night

    def test_a_user_outside_any_program_is_refused(self, client_for, db):
        operator = UserFactory(organisation=None, is_superuser=True, is_staff=True)
        assert (
            client_for(operator).get(reverse("employer_import")).status_code == 404
        )  # out of scope answers 404, like everywhere

    def test_upload_page_lists_the_accepted_columns(self, client_for, specialist_sam):
        page = client_for(specialist_sam).get(reverse("employer_import")).content.decode()
        assert "code postal" in page and "interlocuteur" in page and reverse("employer_import_example") in page


class TestValues:
    @pytest.mark.parametrize(
        "value,code",
        [
            ("I", "I"),
            ("i", "I"),
            ("56.10A", "I"),
            ("5610A", "I"),
            ("86", "Q"),
            ("Hébergement et restauration", "I"),
            ("HEBERGEMENT ET RESTAURATION", "I"),
            ("Accommodation and food service", "I"),
            ("I - Hébergement et restauration", "I"),
            ("Section F", "F"),
            ("", None),
        ],
    )
    def test_industry(self, db, value, code):
        industry = mapping._Taxonomy().industry(value)
        assert (industry.code if industry else None) == code

    @pytest.mark.parametrize("value", ["Z", "00", "Restauration", "C - Hébergement et restauration"])
    def test_unknown_industry(self, db, value):
        with pytest.raises(ValidationError):
            mapping._Taxonomy().industry(value)

    @pytest.mark.parametrize(
        "value,size",
        [("", "unknown"), ("TPE", "micro"), ("3", "micro"), ("10-49", "small"), ("120 salariés", "medium")]
        + [("Grande", "large"), ("250+", "large"), ("Medium", "medium"), ("50-249 employees", "medium")],
    )
    def test_size(self, value, size):
        assert mapping.parse_size(value, mapping._choice_words(Employer.Size.choices)) == size

    @pytest.mark.parametrize("value,expected", [("Oui", True), ("x", True), ("1", True), ("non", False), ("", False)])
    def test_yes_no(self, value, expected):
        assert mapping.parse_yes_no(value) is expected

    @pytest.mark.parametrize(
        "header,key",
        [("Code postal", "postcode"), ("CP", "postcode"), ("E-mail", "email"), ("Téléphone", "phone")]
        + [("Site web", "website"), ("Site", "site_name"), ("NOM", "name"), ("Secteur d'activité", "industry")],
    )
    def test_header_aliases(self, header, key):
        assert mapping.HEADER_ALIASES[mapping.normalise(header)] == key

    def test_names_compare_without_case_accents_spaces_or_punctuation(self):
        assert mapping.normalise("  Boulangerie  L'ÉPI-d'or ") == mapping.normalise("boulangerie l epi d or")
        assert mapping.normalise("Cœur") == "coeur"

    def test_excel_sep_line_and_tab_delimiter(self):
        assert parsing.sniff_delimiter("sep=;\nNom,Ville;x\n") == (";", "Nom,Ville;x\n")
        assert parsing.sniff_delimiter("Nom\tVille\n")[0] == "\t"
        assert parsing.sniff_delimiter("Nom\n")[0] == ","

    def test_industry_taxonomy_is_seeded(self, db):
        assert Industry.objects.count() == 21
