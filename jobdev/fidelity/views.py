"""The fidelity review worksheet's pages: the list of reviews with their trend, a new
review, the worksheet (scored in place), its printable form and its CSV file. Thin:
validate, call a service or a selector, render (docs/fidelity-review.md)."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from crm import clock
from crm.access import OutOfScope
from crm.csv_export import CsvFormat, csv_response
from crm.forms import submit
from jobdev.fidelity import services
from jobdev.fidelity.forms import ReviewCreateForm, WorksheetForm
from jobdev.fidelity.selectors import (
    fidelity_review_for_detail,
    fidelity_review_list,
    fidelity_reviews_available_to,
    may_create_review,
    may_edit_review,
)
from jobdev.fidelity.worksheet import (
    ITEM_COUNT,
    MAX_TOTAL,
    bands,
    csv_file_name,
    csv_header,
    csv_rows,
    totals,
    trends,
    worksheet_rows,
    worksheet_sections,
)


def _require_access(request):
    if not fidelity_reviews_available_to(request.scope):
        raise OutOfScope


def review_list(request):
    _require_access(request)
    reviews = fidelity_review_list(request.scope)
    context = {
        "trends": trends(reviews),
        "may_create": may_create_review(request.scope),
        "item_count": ITEM_COUNT,
        "max_total": MAX_TOTAL,
    }
    return render(request, "jobdev/fidelity/review_list.html", context)


def review_create(request):
    _require_access(request)
    scope = request.scope
    if not may_create_review(scope):
        raise OutOfScope
    today = clock.program_today(scope.organisation)
    form = ReviewCreateForm(request.POST if request.method == "POST" else None, scope=scope, today=today)
    if request.method == "POST":
        data = form.cleaned_data if form.is_valid() else {}
        review = submit(
            form,
            lambda: services.fidelity_review_create(
                scope=scope,
                review_date=data["review_date"],
                period_from=data["period_from"],
                period_to=data["period_to"],
                team_id=getattr(data["team"], "pk", None),
                reviewers=data["reviewers"],
                notes=data["notes"],
            ),
        )
        if review:
            messages.success(
                request, _("Review created: the items the records answer are pre-filled; score the others.")
            )
            return redirect("fidelity_review_detail", review.pk)
    return render(request, "jobdev/fidelity/review_form.html", {"form": form})


def _worksheet_context(review, *, form=None, editable=False) -> dict:
    rows = worksheet_rows(review)
    if form is not None:
        for row in rows:
            row.score_field = form[f"score_{row.item.number}"]
            row.notes_field = form[f"notes_{row.item.number}"]
    return {
        "review": review,
        "sections": worksheet_sections(rows),
        "totals": totals(row.row.score for row in rows),
        "computed_count": sum(1 for row in rows if row.item.data_answerable),
        "item_count": ITEM_COUNT,
        "max_total": MAX_TOTAL,
        "form": form,
        "editable": editable,
        "bands": bands(),
    }


def review_detail(request, pk):
    _require_access(request)
    scope = request.scope
    review = fidelity_review_for_detail(scope, pk)
    editable = may_edit_review(scope, review)
    if request.method == "POST" and not editable:
        raise OutOfScope
    form = None
    if editable:
        form = WorksheetForm(request.POST if request.method == "POST" else None, review=review)
        if request.method == "POST":
            data = form.cleaned_data if form.is_valid() else {}
            saved = submit(
                form,
                lambda: services.fidelity_review_worksheet_save(
                    scope=scope,
                    review_id=review.pk,
                    reviewers=data["reviewers"],
                    notes=data["notes"],
                    items=form.item_entries(),
                ),
            )
            if saved is not None:
                messages.success(request, _("Worksheet saved."))
                return redirect("fidelity_review_detail", review.pk)
            messages.error(request, _("The worksheet was not saved: see the problems below."))
    return render(
        request, "jobdev/fidelity/review_detail.html", _worksheet_context(review, form=form, editable=editable)
    )


def review_print(request, pk):
    _require_access(request)
    review = fidelity_review_for_detail(request.scope, pk)
    return render(request, "jobdev/fidelity/review_print.html", _worksheet_context(review))


def review_export(request, pk):
    _require_access(request)
    review = fidelity_review_for_detail(request.scope, pk)
    return csv_response(
        csv_header(),
        csv_rows(review),
        filename=csv_file_name(review),
        csv_format=CsvFormat.for_language(translation.get_language()),
    )


@require_POST
def review_delete(request, pk):
    _require_access(request)
    services.fidelity_review_delete(scope=request.scope, review_id=pk)
    messages.success(request, _("Review deleted."))
    return redirect("fidelity_review_list")
