"""Employer import pages: upload and preview, then confirm. The work is done in the
employers.importing package; these views only check input and render."""

from pathlib import Path

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from crm.access import OutOfScope
from crm.csv_export import CsvFormat, csv_response
from employers import importing


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("CSV file"),
        help_text=gettext_lazy("Saved from your spreadsheet as CSV (comma or semicolon separated)."),
        widget=forms.FileInput(attrs={"accept": ".csv,.txt,text/csv,text/plain"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if Path(upload.name).suffix.lower() in importing.SPREADSHEET_EXTENSIONS:
            raise ValidationError(
                _(
                    "This is not a CSV file. In your spreadsheet, choose “Save as” and the CSV format, "
                    "then upload that file."
                )
            )
        if upload.size > importing.MAX_FILE_BYTES:
            raise ValidationError(importing.file_too_big_message())
        return upload


def _require_program(scope) -> None:
    # Employers are shared across the program: any of its staff may import them.
    if not scope.in_program:
        raise OutOfScope


def _columns_help() -> list[dict]:
    return [
        {"label": str(label), "headers": aliases.split(", "), "required": key == "name"}
        for key, (label, aliases) in importing.COLUMNS.items()
    ]


def _upload_page(request, form, status=200):
    context = {
        "form": form,
        "columns": _columns_help(),
        "max_rows": importing.MAX_ROWS,
        "max_megabytes": importing.MAX_FILE_BYTES // (1024 * 1024),
    }
    return render(request, "employers/import_upload.html", context, status=status)


def employer_import(request):
    _require_program(request.scope)
    if request.method != "POST":
        return _upload_page(request, ImportUploadForm())
    form = ImportUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _upload_page(request, form)
    upload = form.cleaned_data["file"]
    try:
        preview = importing.import_preview(
            data=upload.read(importing.MAX_FILE_BYTES + 1), filename=Path(upload.name).name, scope=request.scope
        )
    except importing.ImportFileError as error:
        form.add_error("file", error.message)
        return _upload_page(request, form)
    plan = importing.import_plan_save(preview, scope=request.scope) if preview.importable else None
    context = {"preview": preview, "plan": plan, "form": ImportUploadForm(), "max_listed": importing.MAX_LISTED}
    return render(request, "employers/import_preview.html", context)


@require_POST
def employer_import_confirm(request, plan_id):
    # Another user's or another program's plan is not found: 404, as for an unknown one.
    _require_program(request.scope)
    try:
        outcome = importing.employers_import(scope=request.scope, plan_id=plan_id)
    except importing.ImportPlanExpired:
        importing.plan_discard(scope=request.scope, plan_id=plan_id)
        messages.error(
            request,
            _(
                "This preview has expired: a preview is kept for %(minutes)d minutes. Nothing was imported. "
                "Upload the file again."
            )
            % {"minutes": int(importing.PLAN_TTL.total_seconds() // 60)},
        )
        return redirect("employer_import")
    except importing.ImportPlanUsed:
        messages.error(
            request,
            _(
                "This import is no longer available: it was already imported, cancelled or has expired. "
                "Nothing was imported. Upload the file again."
            ),
        )
        return redirect("employer_import")
    messages.success(
        request,
        _("%(employers)s, with %(sites)s and %(contacts)s.")
        % {
            "employers": ngettext("%(count)d employer imported", "%(count)d employers imported", outcome.employers)
            % {"count": outcome.employers},
            "sites": ngettext("%(count)d site", "%(count)d sites", outcome.sites) % {"count": outcome.sites},
            "contacts": ngettext("%(count)d contact person", "%(count)d contact persons", outcome.contacts)
            % {"count": outcome.contacts},
        },
    )
    if outcome.skipped:
        messages.warning(
            request,
            _("Skipped because a colleague added them since the preview: %(names)s.")
            % {"names": ", ".join(outcome.skipped[:20]) + ("…" if len(outcome.skipped) > 20 else "")},
        )
    return redirect("employer_list")


@require_POST
def employer_import_cancel(request, plan_id):
    _require_program(request.scope)
    if not importing.plan_discard(scope=request.scope, plan_id=plan_id):
        raise OutOfScope
    messages.info(request, _("Import cancelled: nothing was imported."))
    return redirect("employer_import")


def employer_import_example(request):
    _require_program(request.scope)
    language = translation.get_language()
    header, rows = importing.example_table(language)
    return csv_response(
        header, rows, filename=importing.example_filename(), csv_format=CsvFormat.for_language(language)
    )
