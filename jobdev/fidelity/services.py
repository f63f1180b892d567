"""Writes on fidelity reviews: the IPS Supported Employment Fidelity Scale's 25 items
scored on a review date (docs/fidelity-review.md).

Each service is one transaction, takes the access scope and explicit keyword
arguments, reads and locks its review through the scope (jobdev.fidelity.selectors:
out of scope is OutOfScope, a 404) and refuses bad input with a ValidationError keyed
by field. A review is created with all 25 items: the data-answerable ones (scale
`Item.data_answerable`) pre-filled from the records (jobdev.fidelity.items), score and
evidence; the reviewer scores the others and may change any score, the computed one
being kept beside it (`computed_score`)."""

import datetime
from collections.abc import Mapping
from typing import TypedDict

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from crm import clock
from crm.access import AccessScope, OutOfScope
from crm.dates import check_sane_dates
from jobdev.dashboard import MAX_PERIOD_DAYS, DashboardFilters
from jobdev.fidelity import scale
from jobdev.fidelity.selectors import (
    fidelity_review_teams,
    fidelity_reviews_available_to,
    fidelity_reviews_editable,
    may_review_program,
)
from jobdev.fidelity.worksheet import MAX_SCORE, evidence_text
from jobdev.models import FidelityReview, FidelityReviewItem

REVIEWERS_MAX_LENGTH = FidelityReview._meta.get_field("reviewers").max_length
REVIEW_NOTES_MAX_LENGTH = FidelityReview._meta.get_field("notes").max_length
ITEM_NOTES_MAX_LENGTH = FidelityReviewItem._meta.get_field("notes").max_length
ITEM_NUMBERS = frozenset(item.number for item in scale.ITEMS)


class ItemScore(TypedDict):
    """The reviewer's entry on one item: `score` 1-5 or None (not scored yet), `notes`."""

    score: int | None
    notes: str


def _check_text(name: str, value: str, max_length: int) -> str:
    if not isinstance(value, str):
        raise ValidationError({name: _("Enter text.")})
    if len(value) > max_length:
        raise ValidationError(
            {
                name: _("At most %(count)s characters (this has %(length)s).")
                % {"count": max_length, "length": len(value)}
            }
        )
    return value.strip()


def _check_score(name: str, score) -> int | None:
    """A score on the scale's anchors: a whole number from 1 to 5, or None."""
    if score is None:
        return None
    if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= MAX_SCORE:
        raise ValidationError({name: _("A score is a whole number from 1 to %(max)s.") % {"max": MAX_SCORE}})
    return score


def _check_period(*, review_date, period_from, period_to, today: datetime.date) -> None:
    for name, value in (("review_date", review_date), ("period_from", period_from), ("period_to", period_to)):
        if not isinstance(value, datetime.date) or isinstance(value, datetime.datetime):
            raise ValidationError({name: _("Enter a date.")})
    check_sane_dates(review_date=review_date, period_from=period_from, period_to=period_to)
    if review_date > today:
        # The worksheet is pre-filled with the records as they stand: a review is
        # created on its day or after it, never ahead of it.
        raise ValidationError({"review_date": _("The review date cannot be in the future.")})
    if period_to < period_from:
        raise ValidationError({"period_to": _("The end date must be on or after the start date.")})
    if period_to > review_date:
        raise ValidationError({"period_to": _("The evidence period must end on or before the review date.")})
    if (period_to - period_from).days >= MAX_PERIOD_DAYS:
        raise ValidationError(
            {"period_from": _("The period can be at most %(days)s days.") % {"days": MAX_PERIOD_DAYS}}
        )


def _computed_items(scope: AccessScope, filters: DashboardFilters, *, today: datetime.date) -> dict:
    """The data-answerable items' results (jobdev.fidelity.items.fidelity_items), by
    the scale item's key. Imported here: the figures are the heavy part of the app."""
    from jobdev.fidelity.items import fidelity_items

    return fidelity_items(scope, filters, today=today)


def fidelity_review_create(
    *,
    scope: AccessScope,
    review_date: datetime.date,
    period_from: datetime.date,
    period_to: datetime.date,
    team_id: int | None = None,
    reviewers: str = "",
    notes: str = "",
) -> FidelityReview:
    """Create a review of the whole program (`team_id` None: program admins only) or
    of one team (a team of the program for a program admin, one they lead for a team
    leader), with its 25 items.

    The data-answerable items (scale.Item.data_answerable: 1, 12, 13, 15-24) get the
    score computed from the records (`computed_score`, and `score` pre-filled with it)
    and their evidence (worksheet.evidence_text), from
    `jobdev.fidelity.items.fidelity_items(scope, DashboardFilters(period_from,
    period_to, team), today=review_date)`: the evidence period for the period figures,
    the review date for the figures "as of" a day (caseload size). An item without
    data gets no score (the reviewer scores it). The other items start unscored.

    Dates: local dates of the program, both ends of the period included; the review
    date not after the program's today, the period ending on or before the review
    date, at most MAX_PERIOD_DAYS (366) days long, all within crm.dates' years.

    Raises OutOfScope (a scope that reviews nothing: a specialist, a partner),
    ValidationError keyed by field ("team": a team the scope does not review, or the
    whole program by a team leader; "review_date", "period_from", "period_to",
    "reviewers", "notes")."""
    if not fidelity_reviews_available_to(scope):
        raise OutOfScope
    today = clock.program_today(scope.organisation)
    _check_period(review_date=review_date, period_from=period_from, period_to=period_to, today=today)
    reviewers = _check_text("reviewers", reviewers, REVIEWERS_MAX_LENGTH)
    notes = _check_text("notes", notes, REVIEW_NOTES_MAX_LENGTH)
    with transaction.atomic():
        team = None
        if team_id is None:
            if not may_review_program(scope):
                raise ValidationError({"team": _("Only a program admin reviews the whole program: choose your team.")})
        else:
            valid_id = isinstance(team_id, int) and not isinstance(team_id, bool)
            team = fidelity_review_teams(scope).filter(pk=team_id).first() if valid_id else None
            if team is None:
                raise ValidationError({"team": _("That team was not found among the teams you review.")})
        filters = DashboardFilters(date_from=period_from, date_to=period_to, team=team)
        results = _computed_items(scope, filters, today=review_date)
        review = FidelityReview(
            organisation_id=scope.organisation_id,
            team=team,
            review_date=review_date,
            period_from=period_from,
            period_to=period_to,
            reviewers=reviewers,
            notes=notes,
            created_by=scope.user,
        )
        review.full_clean()
        review.save()
        rows = []
        for item in scale.ITEMS:
            row = FidelityReviewItem(review=review, item=item.number)
            result = results.get(item.key) if item.data_answerable else None
            if result is not None:
                row.computed_score = result.score
                row.score = result.score
                row.evidence = evidence_text(result, period_from=period_from, period_to=period_to, as_of=review_date)[
                    : FidelityReviewItem._meta.get_field("evidence").max_length
                ]
            rows.append(row)
        FidelityReviewItem.objects.bulk_create(rows)
    return review


def _review_lock(scope: AccessScope, review_id) -> FidelityReview:
    return scope.get_for_update(fidelity_reviews_editable(scope).select_related(None), pk=review_id)


def _update(review: FidelityReview, *, reviewers: str, notes: str) -> None:
    if review.reviewers != reviewers or review.notes != notes:
        review.reviewers, review.notes = reviewers, notes
        review.save(update_fields=["reviewers", "notes", "updated_at"])


def fidelity_review_update(*, scope: AccessScope, review_id: int, reviewers: str, notes: str) -> FidelityReview:
    """Change who reviewed and the review's notes. The dates, the team and the computed
    scores stay as created (a new review reads the records again).

    Raises OutOfScope (a review the scope may not change), ValidationError
    ("reviewers", "notes": too long)."""
    reviewers = _check_text("reviewers", reviewers, REVIEWERS_MAX_LENGTH)
    notes = _check_text("notes", notes, REVIEW_NOTES_MAX_LENGTH)
    with transaction.atomic():
        review = _review_lock(scope, review_id)
        _update(review, reviewers=reviewers, notes=notes)
    return review


def _check_items(entries: Mapping[int, ItemScore]) -> dict[int, tuple[int | None, str]]:
    checked = {}
    for number, entry in entries.items():
        if isinstance(number, bool) or number not in ITEM_NUMBERS:
            raise ValidationError({"item": _("There is no item %(number)s on the scale.") % {"number": number}})
        unknown = set(entry) - set(ItemScore.__annotations__)
        if unknown:
            raise ValueError(f"ItemScore has no field(s) {', '.join(sorted(unknown))}")
        checked[number] = (
            _check_score(f"score_{number}", entry.get("score")),
            _check_text(f"notes_{number}", entry.get("notes", ""), ITEM_NOTES_MAX_LENGTH),
        )
    return checked


def _save_items(review: FidelityReview, checked: dict[int, tuple[int | None, str]]) -> list[FidelityReviewItem]:
    rows = {row.item: row for row in review.items.select_for_update().filter(item__in=checked)}
    # A reviewer who scores an item otherwise than the records says why: the review
    # must show its evidence (the manual asks for the reason of each score).
    unexplained = {
        f"notes_{number}": _("Say why the score differs from the records' (%(computed)s).")
        % {"computed": rows[number].computed_score}
        for number, (score, item_notes) in checked.items()
        if number in rows
        and rows[number].computed_score is not None
        and score != rows[number].computed_score
        and not item_notes.strip()
    }
    if unexplained:
        raise ValidationError(unexplained)
    changed = []
    for number, (score, item_notes) in sorted(checked.items()):
        row = rows.get(number) or FidelityReviewItem(review=review, item=number)
        if row.pk is not None and row.score == score and row.notes == item_notes:
            continue
        row.score, row.notes = score, item_notes
        row.full_clean(exclude=["review"])
        row.save()
        changed.append(row)
    if changed:
        review.save(update_fields=["updated_at"])
    return changed


def fidelity_review_items_save(
    *, scope: AccessScope, review_id: int, items: Mapping[int, ItemScore]
) -> list[FidelityReviewItem]:
    """The reviewer's scores and notes on several items of a review at once: `items`
    maps an item's number on the scale (1-25) to its entry (ItemScore: `score` 1-5 or
    None for not scored, `notes`). A computed score is never changed: a score
    different from it is the reviewer's override, shown beside it. Returns the rows
    that changed.

    Raises OutOfScope (a review the scope may not change), ValidationError ("item": no
    such item; "score_<n>": not a whole number from 1 to 5; "notes_<n>": too long, or
    empty beside a score that differs from the computed one)."""
    checked = _check_items(items)
    with transaction.atomic():
        review = _review_lock(scope, review_id)
        return _save_items(review, checked)


def fidelity_review_item_save(
    *, scope: AccessScope, review_id: int, item: int, score: int | None, notes: str = ""
) -> FidelityReviewItem:
    """The reviewer's score (1-5, or None: not scored) and notes on one item (its number
    on the scale, 1-25). Raises as fidelity_review_items_save."""
    checked = _check_items({item: {"score": score, "notes": notes}})
    with transaction.atomic():
        review = _review_lock(scope, review_id)
        _save_items(review, checked)
        return review.items.get(item=item)


def fidelity_review_worksheet_save(
    *, scope: AccessScope, review_id: int, reviewers: str, notes: str, items: Mapping[int, ItemScore]
) -> FidelityReview:
    """The worksheet's form in one transaction: who reviewed, the review's notes, and
    the items' scores and notes (as fidelity_review_update and
    fidelity_review_items_save). Raises as they do."""
    reviewers = _check_text("reviewers", reviewers, REVIEWERS_MAX_LENGTH)
    notes = _check_text("notes", notes, REVIEW_NOTES_MAX_LENGTH)
    checked = _check_items(items)
    with transaction.atomic():
        review = _review_lock(scope, review_id)
        _update(review, reviewers=reviewers, notes=notes)
        _save_items(review, checked)
    return review


def fidelity_review_delete(*, scope: AccessScope, review_id: int) -> None:
    """Delete a review and its items (a review made by mistake). Raises OutOfScope."""
    with transaction.atomic():
        review = _review_lock(scope, review_id)
        review.delete()
