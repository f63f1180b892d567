"""CSV export of the employer contacts a user may see (see docs/import-export.md).

Employer contacts are visible across the program; the job seekers a contact was made
for appear by name only to those who may see them, the others as a count. The file is
streamed, so its size does not depend on memory, and read in chunks with the job
seekers prefetched per chunk, so the number of queries does not grow with the rows."""

import csv
import datetime

from django import forms
from django.db.models import Count, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from crm.access import AccessScope
from crm.forms import DateInput
from crm.models import User
from jobdev.models import EmployerContact
from jobdev.selectors import employer_contacts_visible, with_visible_job_seekers

CHUNK_SIZE = 500
DELIMITERS = {"comma": ",", "semicolon": ";"}
# A spreadsheet runs a cell starting with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def default_delimiter(language: str | None) -> str:
    """French Excel splits CSV files on semicolons (the French list separator), so a
    French user gets ';' unless they ask otherwise; everyone else gets ','."""
    return "semicolon" if (language or "").startswith("fr") else "comma"


class EmployerContactExportForm(forms.Form):
    date_from = forms.DateField(label=gettext_lazy("From"), required=False, widget=DateInput())
    date_to = forms.DateField(label=gettext_lazy("To"), required=False, widget=DateInput())
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


def _text(value) -> str:
    value = "" if value is None else str(value)
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def _on_behalf_of(contact: EmployerContact, other_labels: dict[int, str]) -> str:
    names = [job_seeker.full_name for job_seeker in contact.visible_job_seekers]
    hidden = contact.job_seeker_count - len(names)
    if hidden > 0:
        if hidden not in other_labels:
            other_labels[hidden] = ngettext("%(count)d other", "%(count)d others", hidden) % {"count": hidden}
        names.append(other_labels[hidden])
    return ", ".join(names)


class RowWriter:
    """Turns contacts into rows. Labels are translated once per file, not once per
    cell: with tens of thousands of rows, translation lookups were most of the time."""

    def __init__(self):
        self.modes = {value: str(label) for value, label in EmployerContact.Mode.choices}
        self.natures = {value: str(label) for value, label in EmployerContact.Nature.choices}
        self.purposes = {value: str(label) for value, label in EmployerContact.Purpose.choices}
        self.statuses = {value: str(label) for value, label in EmployerContact.Status.choices}
        self.yes_no = {True: _("yes"), False: _("no"), None: ""}
        self.other_labels: dict[int, str] = {}
        self.zone = timezone.get_current_timezone()

    def row(self, contact: EmployerContact) -> list[str]:
        starts_at, ends_at = contact.starts_at.astimezone(self.zone), contact.ends_at.astimezone(self.zone)
        return [
            starts_at.date().isoformat(),
            starts_at.strftime("%H:%M"),
            ends_at.strftime("%H:%M"),
            _text(contact.specialist),
            _text(contact.employer.name),
            _text(contact.site.town if contact.site else ""),
            _text(contact.contact_person.name if contact.contact_person else ""),
            self.modes.get(contact.mode, contact.mode),
            self.natures.get(contact.nature, contact.nature),
            self.purposes.get(contact.purpose, contact.purpose),
            self.statuses.get(contact.status, contact.status),
            _text(_on_behalf_of(contact, self.other_labels)),
            self.yes_no[contact.met_hiring_authority],
            _text(contact.learned_hiring_needs),
            _text(contact.result),
            _text(contact.next_step),
            contact.next_step_on.isoformat() if contact.next_step_on else "",
        ]


class _Echo:
    """A file-like object for csv.writer that hands each line back instead of storing it."""

    def write(self, value: str) -> str:
        return value


def export_lines(contacts: QuerySet[EmployerContact], *, delimiter: str):
    """The CSV file line by line: a UTF-8 BOM (so Excel reads the accents), the header,
    then one line per contact."""
    writer = csv.writer(_Echo(), delimiter=DELIMITERS[delimiter], lineterminator="\r\n")
    rows = RowWriter()
    yield "\ufeff" + writer.writerow(export_header())
    for contact in contacts.iterator(chunk_size=CHUNK_SIZE):
        yield writer.writerow(rows.row(contact))
