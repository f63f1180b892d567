"""CSV export of the employer contacts a user may see (see docs/import-export.md).

Employer contacts are visible across the program; the job seekers a contact was made
for appear by name only to those who may see them, the others as a count. The file is
streamed, so its size does not depend on memory, and read in chunks with the job
seekers prefetched per chunk, so the number of queries does not grow with the rows."""

import datetime
from collections.abc import Iterator
from itertools import islice

from django import forms
from django.contrib.postgres.expressions import ArraySubquery
from django.db import connections, transaction
from django.db.models import BigIntegerField, Count, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Cast, Concat, Extract, Floor
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext

from crm import clock
from crm.access import AccessScope
from crm.csv_export import CsvFormat, CsvWriter, csv_filename
from crm.forms import SaneDateField
from crm.models import JobSeeker, User
from jobdev.models import EmployerContact
from jobdev.selectors import employer_contacts_visible

CHUNK_SIZE = 500
# Rows fetched at a time from the server-side cursor (PostgreSQL) past the first chunk.
CURSOR_FETCH = 2000


class EmployerContactExportForm(forms.Form):
    # The product's date policy (crm.dates, years 2000 to 2100): a date outside it is a
    # 400 with its message, never a file cut short by a date the database cannot hold.
    date_from = SaneDateField(label=gettext_lazy("From"), required=False)
    date_to = SaneDateField(label=gettext_lazy("To"), required=False)
    specialist = forms.ModelChoiceField(
        label=gettext_lazy("Specialist"),
        queryset=User.objects.none(),
        required=False,
        empty_label=gettext_lazy("All specialists"),
    )
    delimiter = forms.ChoiceField(
        label=gettext_lazy("Separator"),
        choices=[("comma", gettext_lazy("Comma (,)")), ("semicolon", gettext_lazy("Semicolon (;), for French Excel"))],
        required=False,
    )

    def __init__(self, *args, scope: AccessScope, **kwargs):
        super().__init__(*args, **kwargs)
        # Contacts are visible across the program, so anyone of the program may be chosen.
        self.fields["specialist"].queryset = scope.program_staff()

    def clean(self):
        cleaned = super().clean()
        date_from, date_to = cleaned.get("date_from"), cleaned.get("date_to")
        if date_from and date_to and date_to < date_from:
            self.add_error("date_to", _("The end date must be on or after the start date."))
        return cleaned


def export_not_possible(request, problems: list[str]) -> HttpResponse:
    """The answer to an export whose parameters are not understood (a date outside the
    product's range, crm.dates): 400 with the problems in words, never a file. Every
    CSV export refuses this way (the contact export, the dashboard's tables)."""
    message = _("The export could not be made: %(problems)s") % {"problems": " ".join(problems)}
    return render(request, "error.html", {"title": _("Export not possible"), "message": message}, status=400)


# The columns the file is written from, in this order (RowWriter.row): a narrow query,
# no model objects (building five per row was most of the time at national scale).
EXPORT_COLUMNS = (
    "id",
    "starts_at",
    "ends_at",
    "specialist__first_name",
    "specialist__last_name",
    "specialist__username",
    "employer__name",
    "site__town",
    "contact_person__name",
    "mode",
    "nature",
    "purpose",
    "status",
    "met_hiring_authority",
    "learned_hiring_needs",
    "result",
    "next_step",
    "next_step_on",
)


def employer_contacts_for_export(
    scope: AccessScope, *, date_from: datetime.date | None = None, date_to: datetime.date | None = None, specialist=None
) -> QuerySet[EmployerContact]:
    """The contacts the scope may see (jobdev.selectors.employer_contacts_visible),
    oldest first (`starts_at`, then `id`), filtered by start date (inclusive, in the
    current time zone) and specialist, as tuples of EXPORT_COLUMNS. Their job seekers
    are read per chunk (`JobSeekerNames`)."""
    contacts = employer_contacts_visible(scope)
    zone = timezone.get_current_timezone()
    if date_from:
        contacts = contacts.filter(starts_at__gte=datetime.datetime.combine(date_from, datetime.time.min, zone))
    if date_to:
        end = date_to + datetime.timedelta(days=1)
        contacts = contacts.filter(starts_at__lt=datetime.datetime.combine(end, datetime.time.min, zone))
    if specialist is not None:
        contacts = contacts.filter(specialist=specialist)
    contacts = contacts.order_by("starts_at", "id")
    if connections[contacts.db].vendor == "postgresql":
        # Whole seconds since the epoch rather than timestamps: Django's loader for
        # timestamps with a time zone parses each one in Python (about 60 µs, a third of
        # a row's time); the file shows minutes, so the seconds are floored, never rounded.
        contacts = contacts.annotate(
            starts_epoch=Cast(Floor(Extract("starts_at", "epoch", tzinfo=datetime.UTC)), BigIntegerField()),
            ends_epoch=Cast(Floor(Extract("ends_at", "epoch", tzinfo=datetime.UTC)), BigIntegerField()),
        )
        columns = [
            "starts_epoch" if c == "starts_at" else "ends_epoch" if c == "ends_at" else c for c in EXPORT_COLUMNS
        ]
        # Each contact's job seekers' ids, from the link table's index, row by row: no
        # query per chunk (an IN list of a chunk's ids scanned the link table), no
        # grouping of the whole result.
        link = EmployerContact.job_seekers.through
        contacts = contacts.annotate(
            job_seeker_ids=ArraySubquery(link.objects.filter(employercontact_id=OuterRef("id")).values("jobseeker_id"))
        )
        return contacts.values_list(*columns, "job_seeker_ids")
    return contacts.values_list(*EXPORT_COLUMNS)


class JobSeekerNames:
    """The job seekers of each contact as the file names them: the full names of those
    the scope may see (scope.job_seekers(), in its order: last name, first name, id) and
    the number of all of them.

    The visible job seekers' names are read once per file, on the first contact that
    has any (one query; memory grows with the caseload the scope sees, never with the
    contacts: about 6 MB for 40,000 job seekers); each chunk's links with one query on
    the link table's index. Before, each chunk joined the job seekers and the scope's
    rule again, and the whole export grouped every contact on a distinct count."""

    def __init__(self, scope: AccessScope):
        self.scope = scope
        self._visible: dict[int, tuple[int, str]] | None = None  # id: (rank in order, full name)

    def _visible_names(self) -> dict[int, tuple[int, str]]:
        if self._visible is None:
            rows = self.scope.job_seekers().values_list("id", "first_name", "last_name")
            self._visible = {
                job_seeker_id: (rank, f"{first_name} {last_name}".strip())
                for rank, (job_seeker_id, first_name, last_name) in enumerate(rows.iterator(chunk_size=5000))
            }
        return self._visible

    def by_contact(self, contact_ids: list[int]) -> dict[int, tuple[list[str], int]]:
        """For each of `contact_ids` that has job seekers: (visible names, number of all)."""
        links: dict[int, list[int]] = {}
        link = EmployerContact.job_seekers.through
        rows = link.objects.filter(employercontact_id__in=contact_ids).values_list("employercontact_id", "jobseeker_id")
        for contact_id, job_seeker_id in rows:
            links.setdefault(contact_id, []).append(job_seeker_id)
        return self.from_links(links)

    def from_links(self, links: dict[int, list[int]]) -> dict[int, tuple[list[str], int]]:
        """As by_contact, from each contact's job seeker ids (`links`, read already)."""
        if not links:
            return {}
        visible = self._visible_names()
        found = {}
        for contact_id, job_seeker_ids in links.items():
            seen = sorted(visible[job_seeker_id] for job_seeker_id in job_seeker_ids if job_seeker_id in visible)
            found[contact_id] = ([name for _rank, name in seen], len(job_seeker_ids))
        return found


def export_header() -> list[str]:
    return [
        _("Date"),
        _("Time"),
        _("End time"),
        _("Specialist"),
        _("Employer"),
        _("Site town"),
        _("Contact person"),
        _("Mode"),
        _("Nature"),
        _("Purpose"),
        _("Status"),
        _("On behalf of"),
        _("Hiring authority"),
        _("Hiring needs learned"),
        _("Result"),
        _("Next step"),
        _("Next step date"),
    ]


def _on_behalf_of(names: list[str], count: int, other_labels: dict[int, str]) -> str:
    hidden = count - len(names)
    if hidden > 0:
        if hidden not in other_labels:
            other_labels[hidden] = ngettext("%(count)d other", "%(count)d others", hidden) % {"count": hidden}
        names = [*names, other_labels[hidden]]
    return ", ".join(names)


class RowWriter:
    """Turns contacts (tuples of EXPORT_COLUMNS) into rows of values; crm.csv_export
    writes them. Labels are translated once per file, not once per cell: with tens of
    thousands of rows, translation lookups were most of the time."""

    NO_JOB_SEEKERS = ([], 0)

    def __init__(self):
        self.modes = {value: str(label) for value, label in EmployerContact.Mode.choices}
        self.natures = {value: str(label) for value, label in EmployerContact.Nature.choices}
        self.purposes = {value: str(label) for value, label in EmployerContact.Purpose.choices}
        self.statuses = {value: str(label) for value, label in EmployerContact.Status.choices}
        self.other_labels: dict[int, str] = {}
        self.zone = timezone.get_current_timezone()
        self._days_with_a_change: dict[datetime.date, bool] = {}
        # The current chunk's job seekers, by contact id (JobSeekerNames.by_contact).
        self.job_seekers: dict[int, tuple[list[str], int]] = {}

    def _wall_time(self, local: datetime.datetime) -> datetime.time | str:
        """A contact's wall time; with its UTC offset ("02:30 (UTC+02:00)") in the hour
        that happens twice on the night the clocks go back, as My week shows it
        (crm.clock). Only days on which the offset changes are looked at closely."""
        day = local.date()
        changes = self._days_with_a_change.get(day)
        if changes is None:
            midnight = datetime.datetime.combine(day, datetime.time.min, self.zone)
            after = midnight + datetime.timedelta(days=1)  # wall-clock arithmetic: the next midnight
            changes = (
                midnight.utcoffset() != after.utcoffset()
                or midnight.utcoffset() != midnight.replace(fold=1).utcoffset()
            )
            self._days_with_a_change[day] = changes
        if changes and clock.ambiguous(local):
            return clock.time_label(local, local.tzinfo)
        return local.time()

    def row(self, contact: tuple) -> list:
        """One line's cells, with the contact's job seekers from `self.job_seekers`."""
        (
            contact_id,
            starts_at,
            ends_at,
            first_name,
            last_name,
            username,
            employer,
            town,
            person,
            mode,
            nature,
            purpose,
            status,
            hiring_authority,
            hiring_needs,
            result,
            next_step,
            next_step_on,
        ) = contact[:18]
        if type(starts_at) is int:  # seconds since the epoch (PostgreSQL)
            starts_at = datetime.datetime.fromtimestamp(starts_at, self.zone)
            ends_at = datetime.datetime.fromtimestamp(ends_at, self.zone)
        else:
            starts_at, ends_at = starts_at.astimezone(self.zone), ends_at.astimezone(self.zone)
        job_seekers = self.job_seekers.get(contact_id, self.NO_JOB_SEEKERS)
        return [
            starts_at.date(),
            self._wall_time(starts_at),
            self._wall_time(ends_at),
            f"{first_name} {last_name}".strip() or username,  # str(User)
            employer,
            town or "",
            person or "",
            self.modes.get(mode, mode),
            self.natures.get(nature, nature),
            self.purposes.get(purpose, purpose),
            self.statuses.get(status, status),
            _on_behalf_of(*job_seekers, self.other_labels) if job_seekers[1] else "",
            hiring_authority,
            hiring_needs,
            result,
            next_step,
            next_step_on,
        ]


def _remaining(contacts: QuerySet, after: tuple) -> Iterator[tuple]:
    """The contacts after `after` (a row of EXPORT_COLUMNS) in the export's order, read
    through one server-side cursor on PostgreSQL. The cursor is opened in a transaction
    of its own: outside one, Django declares it WITH HOLD and PostgreSQL then computes
    the whole result before the first row. It is opened only once the first chunk is
    sent (see export_chunks), so nothing the request does after the view (a session
    saved) runs inside that transaction."""
    contact_id = after[0]
    # Its start as stored (the row may hold it in whole seconds: employer_contacts_for_export).
    starts_at = EmployerContact.objects.filter(pk=contact_id).values("starts_at")
    rest = contacts.filter(Q(starts_at__gt=Subquery(starts_at)) | Q(starts_at=Subquery(starts_at), id__gt=contact_id))
    with transaction.atomic(using=contacts.db):
        if connections[contacts.db].vendor == "postgresql":
            with connections[contacts.db].cursor() as cursor:
                # Every row is read: plan for all of them, not for the first tenth.
                cursor.execute("SET LOCAL cursor_tuple_fraction = 1")
        rows = rest.iterator(chunk_size=CURSOR_FETCH)
        try:
            yield from rows
        finally:
            rows.close()


def export_chunks(contacts: QuerySet, *, csv_format: CsvFormat, scope: AccessScope) -> Iterator[str]:
    """The CSV file in pieces of CHUNK_SIZE contacts: the first piece holds the byte-order
    mark, the header and the first chunk's rows (so that taking it runs the query and
    reads the first chunk: see export_views), then one piece per further chunk.
    `contacts`: employer_contacts_for_export's tuples; `scope` names the job seekers.

    The first chunk is read with one query (LIMIT CHUNK_SIZE): most exports end there.
    The rest, if any, is read through one cursor (`_remaining`), and each chunk's job
    seekers with one more query, so the queries are 2 for a file of up to CHUNK_SIZE
    contacts and 3 + one per further chunk otherwise.

    An error in the first piece is raised as it is: nothing has been sent, the view
    answers with an error. An error in a later piece, once the 200 is sent, cannot
    change the status: the file then ends with a row saying it is incomplete (so a file
    kept anyway cannot pass for the whole export) and the error is raised again, so that
    the server cuts the transfer and the browser reports the download as failed."""
    writer = CsvWriter(csv_format)
    rows = RowWriter()
    names = JobSeekerNames(scope)
    chunk_size = CHUNK_SIZE
    first = list(contacts[:chunk_size])
    yield writer.header(export_header()) + _piece(writer, rows, names, first)
    if len(first) < chunk_size:
        return
    written = len(first)
    chunk_size = max(CHUNK_SIZE, CURSOR_FETCH)
    remaining = _remaining(contacts, first[-1])
    try:
        while True:
            try:
                chunk = list(islice(remaining, chunk_size))
                piece = _piece(writer, rows, names, chunk)
            except Exception:
                yield writer.line([incomplete_export_message(written)])
                raise
            if piece:
                yield piece
            written += len(chunk)
            if len(chunk) < chunk_size:
                return
    finally:
        # Close the database cursor and its transaction now, on an error or a client
        # gone, not whenever the garbage collector gets to it.
        remaining.close()


def _piece(writer: CsvWriter, rows: RowWriter, names: JobSeekerNames, chunk: list[tuple]) -> str:
    if not chunk:
        return ""
    if len(chunk[0]) > len(EXPORT_COLUMNS):  # PostgreSQL: each row holds its job seeker ids
        rows.job_seekers = names.from_links({contact[0]: contact[-1] for contact in chunk if contact[-1]})
    else:
        rows.job_seekers = names.by_contact([contact[0] for contact in chunk])
    line, row = writer.line, rows.row
    return "".join([line(row(contact)) for contact in chunk])


def contact_export_stream(
    scope: AccessScope,
    *,
    csv_format: CsvFormat | None = None,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    specialist=None,
) -> Iterator[str]:
    """The whole employer-contact file as the view streams it (text pieces; the view
    sends them UTF-8 encoded), for `scope`, in the current language and time zone.
    `csv_format`: default, the current language's. For the bench (demo/bench): time it
    against export_floor_sql's COPY."""
    csv_format = csv_format or CsvFormat.for_language(translation.get_language())
    contacts = employer_contacts_for_export(scope, date_from=date_from, date_to=date_to, specialist=specialist)
    return export_chunks(contacts, csv_format=csv_format, scope=scope)


def export_floor_sql(scope: AccessScope, **filters) -> tuple[str, tuple]:
    """The SQL and parameters returning the same data as contact_export_stream in one
    statement (the exported columns, each contact's job seekers visible to `scope` as
    one string and the number of all of them), in the same order: the floor the bench
    measures with `COPY (<sql>) TO STDOUT`. PostgreSQL only (string_agg)."""
    from django.contrib.postgres.aggregates import StringAgg

    link = EmployerContact.job_seekers.through
    visible = scope.job_seekers().values("pk")
    per_contact = link.objects.filter(employercontact_id=OuterRef("id")).values("employercontact_id")
    count = per_contact.annotate(count=Count("*")).values("count")
    names = (
        per_contact.filter(jobseeker_id__in=visible)
        .annotate(
            names=StringAgg(
                Concat("jobseeker__first_name", Value(" "), "jobseeker__last_name"),
                delimiter=", ",
                ordering=[f"jobseeker__{field}" for field in JobSeeker._meta.ordering],
            )
        )
        .values("names")
    )
    contacts = employer_contacts_for_export(scope, **filters).annotate(
        job_seeker_count=Subquery(count), visible_names=Subquery(names)
    )
    sql, params = contacts.query.sql_with_params()
    return sql, tuple(params)


def incomplete_export_message(written: int) -> str:
    return ngettext(
        "INCOMPLETE EXPORT: an error stopped it after %(count)d contact. Download the file again.",
        "INCOMPLETE EXPORT: an error stopped it after %(count)d contacts. Download the file again.",
        written,
    ) % {"count": written}


def export_filename(day: datetime.date) -> str:
    """employer-contacts-2026-03-02.csv, in the reader's language."""
    return csv_filename(pgettext("file name", "employer-contacts"), day.isoformat())
