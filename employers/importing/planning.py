"""The import plan: the preview of a file (per-row errors, rows grouped into employers,
duplicates within the file and with the program's employers), and the import of a
validated plan in one transaction, all of it or nothing."""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection, transaction
from django.utils.translation import gettext as _

from crm.access import AccessScope, OutOfScope
from crm.models import Organisation
from employers.importing.encoding import decode_csv_bytes
from employers.importing.mangling import postcode_key
from employers.importing.mapping import (
    ParsedRow,
    RowErrors,
    RowParser,
    _header_columns,
    column_label,
    normalise,
)
from employers.importing.parsing import (
    MAX_FILE_BYTES,
    ImportFileError,
    _read_rows,
    file_too_big_message,
    sniff_delimiter,
)
from employers.importing.store import plan_check_importable, plan_for, plan_mark_imported, plan_save
from employers.models import ContactPerson, Employer, EmployerImportPlan, EmployerSite
from employers.selectors import employers_visible

MAX_ROWS = 20_000


BATCH_SIZE = 500


# Errors and rows listed on the preview page; the counts are always complete.
MAX_LISTED = 500


@dataclass
class RowError:
    row: int
    column: str
    value: str
    message: str


@dataclass
class RowNotice:
    """A value restored from what a spreadsheet made of it (see `mangling`): imported as
    `restored`, shown on the preview so that nobody is surprised."""

    row: int
    column: str
    value: str
    restored: str
    message: str


@dataclass
class Duplicate:
    row: int
    name: str
    postcode: str
    message: str
    employer_id: int | None = None


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
    notices: list[RowNotice] = field(default_factory=list)

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
    def listed_notices(self) -> list[RowNotice]:
        return self.notices[:MAX_LISTED]

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
                    "industry": _industry_text(industry, group.employer.get("nace_code", "")),
                    "size": size_labels.get(group.employer.get("size", Employer.Size.UNKNOWN), ""),
                    "sites": [" ".join(part for part in (s["postcode"], s["town"]) if part) for s in group.sites],
                    "contacts": [c["name"] for c in group.contacts],
                }
            )
        return listed


def _industry_text(industry, nace_code: str) -> str:
    """ "Accommodation and food service (NACE 56.10)" for the preview."""
    label = str(industry.label) if industry else ""
    if not nace_code:
        return label
    code = _("NACE %(code)s") % {"code": nace_code}
    return f"{label} ({code})" if label else code


def import_preview(*, data: bytes, filename: str, scope: AccessScope) -> ImportPreview:
    """Read and validate an uploaded file. Writes nothing. Raises ImportFileError when
    the file as a whole cannot be used (row problems are listed in the preview), and
    OutOfScope outside a program."""
    if not scope.in_program:
        raise OutOfScope
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

    country = scope.organisation.country
    parser = RowParser(columns=columns, header=header, organisation_id=scope.organisation_id, country=country)
    errors: list[RowError] = []
    error_rows = 0
    parsed: list[ParsedRow] = []
    notices: list[RowNotice] = []
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
            row = parser.parse(number, cells)
            parsed.append(row)
            row_notices = row.notices
        except RowErrors as row_errors:
            row_notices = row_errors.notices
            error_rows += 1
            for key, message in row_errors.errors:
                label = header[columns[key]].strip() if key in columns else (column_label(key) if key else "")
                errors.append(RowError(number, label, parser.cell(cells, key)[:80] if key else "", message))
        notices += (
            RowNotice(number, notice.column, notice.value[:80], notice.restored, notice.message)
            for notice in row_notices
        )
    if row_count == 0:
        raise ImportFileError(_("The file has a header row but no employers under it."))

    groups, duplicates, conflicts = _group(parsed, scope, country=country)
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
        notices=notices,
    )


@dataclass
class ExistingEmployer:
    pk: int
    name: str
    postcodes: frozenset  # "" stands for "no postcode known"


def existing_employers(scope: AccessScope, *, country: str) -> dict[str, list[ExistingEmployer]]:
    """The program's employers by normalised name, with their sites' postcodes as
    compared (`postcode_key`: a postcode typed or imported without its leading zero
    matches the same with it)."""
    employers = employers_visible(scope)
    postcodes = defaultdict(set)
    for employer_id, postcode in EmployerSite.objects.filter(employer__in=employers).values_list(
        "employer_id", "postcode"
    ):
        postcodes[employer_id].add(postcode_key(postcode, country))
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


def _group(parsed: list[ParsedRow], scope: AccessScope, *, country: str):
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
    index = existing_employers(scope, country=country)
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


@dataclass
class ImportOutcome:
    employers: int
    sites: int
    contacts: int
    skipped: list[str]


def import_plan_save(preview: ImportPreview, *, scope: AccessScope) -> EmployerImportPlan:
    """Keep a validated preview's plan (the rows as validated, not the file) for the scope's user
    only, until they confirm it."""
    if not preview.importable:
        raise ValueError("Only a preview without errors can be imported.")
    employers = [
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
    ]
    return plan_save(scope=scope, filename=preview.filename, row_count=preview.row_count, employers=employers)


@transaction.atomic
def employers_import(*, scope: AccessScope, plan_id) -> ImportOutcome:
    """Create every employer of the scope's validated plan `plan_id`, with its sites and
    contact persons, in one transaction. Employers added to the program since the
    preview are skipped. Raises OutOfScope (not the scope's plan),
    ImportPlanExpired or ImportPlanUsed; on any error nothing is written and the plan
    stays as it was."""
    if scope.user is None or not scope.in_program:
        raise OutOfScope
    # Serialises imports within a program, so two files confirmed at the same moment
    # cannot both miss each other's employers in the duplicate check below.
    list(Organisation.objects.select_for_update().filter(pk=scope.organisation_id).values_list("pk"))
    # Locked too: a second confirmation of this plan waits, then finds it imported.
    plan = plan_for(scope, plan_id, lock=True)
    plan_check_importable(plan)
    index = existing_employers(scope, country=scope.organisation.country)
    groups, skipped = [], []
    for group in plan.data["employers"]:
        if matching_existing(tuple(group["key"]), index):
            skipped.append(group["employer"]["name"])
        else:
            groups.append(group)

    employers = [
        Employer(organisation_id=scope.organisation_id, created_by=scope.user, **g["employer"]) for g in groups
    ]
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
    plan_mark_imported(plan)
    return ImportOutcome(len(employers), len(all_sites), len(contacts), skipped)


def _bulk_create(model, objects: list) -> None:
    if connection.features.can_return_rows_from_bulk_insert:
        model.objects.bulk_create(objects, batch_size=BATCH_SIZE)
    else:  # the primary keys are needed for the rows that point to these
        for instance in objects:
            instance.save(force_insert=True)
