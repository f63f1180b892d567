from collections.abc import Iterator
from itertools import chain

from django.utils import timezone, translation

from crm.access import OutOfScope
from crm.csv_export import CsvFormat, csv_streaming_response
from crm.forms import error_list
from jobdev.exports import (
    EmployerContactExportForm,
    employer_contacts_for_export,
    export_chunks,
    export_filename,
    export_not_possible,
)


def employer_contact_export(request):
    """GET /employer-contacts/export/?date_from=&date_to=&specialist=&delimiter=comma|semicolon
    (all optional): the employer contacts the user may see, as a CSV file.

    A streamed file fails before its 200, never after: the parameters are validated
    (dates within the product's range: 400 otherwise) and the first chunk is read (the
    query runs, its first rows are written) before the response starts. An error there
    is an error response, not a 200 with a header and no rows. An error in a later chunk
    ends the file with a row saying it is incomplete and cuts the transfer
    (jobdev.exports.export_chunks)."""
    if not request.scope.in_program:
        raise OutOfScope
    form = EmployerContactExportForm(request.GET, scope=request.scope)
    if not form.is_valid():
        return export_not_possible(
            request,
            error_list(form),
        )
    data = form.cleaned_data
    language = translation.get_language()
    contacts = employer_contacts_for_export(
        request.scope, date_from=data["date_from"], date_to=data["date_to"], specialist=data["specialist"]
    )
    csv_format = CsvFormat.for_language(language, separator=data["delimiter"] or None)
    chunks = export_chunks(contacts, csv_format=csv_format, scope=request.scope)
    first = next(chunks)  # runs the query and writes the first chunk, here, before any 200
    rest = _in_context(chunks, language=language, zone=timezone.get_current_timezone())
    return csv_streaming_response(chain([first], rest), filename=export_filename(timezone.localdate()))


def _in_context(chunks: Iterator[str], *, language, zone) -> Iterator[str]:
    # The rest of the file is written after the view has returned: each chunk is written
    # in the user's language and program time zone, whatever the thread does between
    # chunks (the contexts are not held open across a yield).
    while True:
        with translation.override(language), timezone.override(zone):
            chunk = next(chunks, None)
        if chunk is None:
            return
        yield chunk
