"""CSV export of the employer contacts a user may see (see docs/import-export.md).

Employer contacts are visible across the program; the job seekers a contact was made
for appear by name only to those who may see them, the others as a count. The file is
streamed, so its size does not depend on memory, and read in chunks with the job
seekers prefetched per chunk, so the number of queries does not grow with the rows."""

import datetime
from collections.abc import Iterator
from itertools import islice

from django import forms
from django.db.models import Count, QuerySet
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext

from crm import clock
from crm.access import AccessScope
from crm.csv_export import CsvFormat, CsvWriter, csv_filename
from crm.forms import SaneDateField
from crm.models import User
from jobdev.models import EmployerContact
from jobdev.selectors import employer_contacts_visible, with_visible_job_seekers

CHUNK_SIZE = 500


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


def employer_contacts_for_export(
    scope: AccessScope, *, date_from: datetime.date | None = None, date_to: datetime.date | None = None, specialist=None
) -> QuerySet[EmployerContact]:
    """The contacts the scope may see, oldest first, with the job seekers it may see
    (`visible_job_seekers`) and the number of all of them (`job_seeker_count`)."""
    contacts = employer_contacts_visible(scope)
    zone = timezone.get_current_timezone()
    if date_from:
        contacts = contacts.filter(starts_at__gte=datetime.datetime.combine(date_from, datetime.time.min, zone))
    if date_to:
        end = date_to + datetime.timedelta(days=1)
        contacts = contacts.filter(starts_at__lt=datetime.datetime.combine(end, datetime.time.min, zone))
    if specialist is not None:
        contacts = contacts.filter(specialist=specialist)
    contacts = contacts.annotate(job_seeker_count=Count("job_seekers", distinct=True))
    return with_visible_job_seekers(contacts, scope).order_by("starts_at", "id")


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


def _on_behalf_of(contact: EmployerContact, other_labels: dict[int, str]) -> str:
    names = [job_seeker.full_name for job_seeker in contact.visible_job_seekers]
    hidden = contact.job_seeker_count - len(names)
    if hidden > 0:
        if hidden not in other_labels:
            other_labels[hidden] = ngettext("%(count)d other", "%(count)d others", hidden) % {"count": hidden}
        names.append(other_labels[hidden])
    return ", ".join(names)


def _wall_time(local: datetime.datetime) -> datetime.time | str:
    """A contact's wall time; with its UTC offset ("02:30 (UTC+02:00)") in the hour that
    happens twice on the night the clocks go back, as My week shows it (crm.clock)."""
    if clock.ambiguous(local):
        return clock.time_label(local, local.tzinfo)
    return local.time()


class RowWriter:
    """Turns contacts into rows of values; crm.csv_export writes them. Labels are
    translated once per file, not once per cell: with tens of thousands of rows,
    translation lookups were most of the time."""

    def __init__(self):
        self.modes = {value: str(label) for value, label in EmployerContact.Mode.choices}
        self.natures = {value: str(label) for value, label in EmployerContact.Nature.choices}
        self.purposes = {value: str(label) for value, label in EmployerContact.Purpose.choices}
        self.statuses = {value: str(label) for value, label in EmployerContact.Status.choices}
        self.other_labels: dict[int, str] = {}
        self.zone = timezone.get_current_timezone()

    def row(self, contact: EmployerContact) -> list:
        starts_at, ends_at = contact.starts_at.astimezone(self.zone), contact.ends_at.astimezone(self.zone)
        return [
            starts_at.date(),
            _wall_time(starts_at),
            _wall_time(ends_at),
            contact.specialist,
            contact.employer.name,
            contact.site.town if contact.site else "",
            contact.contact_person.name if contact.contact_person else "",
            self.modes.get(contact.mode, contact.mode),
            self.natures.get(contact.nature, contact.nature),
            self.purposes.get(contact.purpose, contact.purpose),
            self.statuses.get(contact.status, contact.status),
            _on_behalf_of(contact, self.other_labels),
            contact.met_hiring_authority,
            contact.learned_hiring_needs,
            contact.result,
            contact.next_step,
            contact.next_step_on,
        ]


def export_chunks(contacts: QuerySet[EmployerContact], *, csv_format: CsvFormat) -> Iterator[str]:
    """The CSV file in pieces of CHUNK_SIZE contacts: the first piece holds the byte-order
    mark, the header and the first chunk's rows (so that taking it runs the query and
    reads the first chunk: see export_views), then one piece per further chunk.

    An error in the first piece is raised as it is: nothing has been sent, the view
    answers with an error. An error in a later piece, once the 200 is sent, cannot
    change the status: the file then ends with a row saying it is incomplete (so a file
    kept anyway cannot pass for the whole export) and the error is raised again, so that
    the server cuts the transfer and the browser reports the download as failed."""
    writer = CsvWriter(csv_format)
    rows = RowWriter()
    contacts = contacts.iterator(chunk_size=CHUNK_SIZE)
    piece = writer.header(export_header())
    written = 0
    try:
        while True:
            try:
                chunk = list(islice(contacts, CHUNK_SIZE))
                piece += "".join(writer.line(rows.row(contact)) for contact in chunk)
            except Exception:
                if written == 0:  # the first piece: nothing sent yet
                    raise
                yield writer.line([incomplete_export_message(written)])
                raise
            yield piece
            written += len(chunk)
            if len(chunk) < CHUNK_SIZE:
                return
            piece = ""
    finally:
        # Close the database cursor now (PostgreSQL: a server-side cursor), on an error
        # or a client gone, not whenever the garbage collector gets to it, when the
        # connection may be in another transaction.
        contacts.close()


def incomplete_export_message(written: int) -> str:
    return ngettext(
        "INCOMPLETE EXPORT: an error stopped it after %(count)d contact. Download the file again.",
        "INCOMPLETE EXPORT: an error stopped it after %(count)d contacts. Download the file again.",
        written,
    ) % {"count": written}


def export_filename(day: datetime.date) -> str:
    """employer-contacts-2026-03-02.csv, in the reader's language."""
    return csv_filename(pgettext("file name", "employer-contacts"), day.isoformat())
