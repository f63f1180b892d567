from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from crm.access import OutOfScope
from jobdev.exports import EmployerContactExportForm, default_delimiter, employer_contacts_for_export, export_lines


def employer_contact_export(request):
    """GET /employer-contacts/export/?date_from=&date_to=&specialist=&delimiter=comma|semicolon
    (all optional): the employer contacts the user may see, as a CSV file."""
    if not request.scope.in_program:
        raise OutOfScope
    form = EmployerContactExportForm(request.GET, scope=request.scope)
    if not form.is_valid():
        problems = " ".join(
            f"{form.fields[name].label if name in form.fields else ''}: {' '.join(errors)}".lstrip(": ")
            for name, errors in form.errors.items()
        )
        message = _("The export could not be made: %(problems)s") % {"problems": problems}
        return render(request, "error.html", {"title": _("Export not possible"), "message": message}, status=400)
    data = form.cleaned_data
    language = translation.get_language()
    contacts = employer_contacts_for_export(
        request.scope, date_from=data["date_from"], date_to=data["date_to"], specialist=data["specialist"]
    )
    lines = _in_context(
        export_lines(contacts, delimiter=data["delimiter"] or default_delimiter(language)),
        language=language,
        zone=timezone.get_current_timezone(),
    )
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    filename = f"employer-contacts-{timezone.localdate():%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _in_context(lines, *, language, zone):
    # The file is written after the view has returned: keep the user's language and
    # program time zone for the labels and times, whatever the thread does meanwhile.
    with translation.override(language), timezone.override(zone):
        yield from lines
