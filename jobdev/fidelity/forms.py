"""Forms of the fidelity review worksheet: creating a review, and scoring its items.
Thin: they check the shapes (dates within crm.dates, a team the reader reviews, a
score 1-5); the rules are the services' (jobdev.fidelity.services)."""

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from crm.access import AccessScope
from crm.forms import SaneDateField
from jobdev.dashboard import DEFAULT_WEEKS, iso_monday
from jobdev.fidelity import scale
from jobdev.fidelity.selectors import fidelity_review_teams, may_review_program
from jobdev.fidelity.services import ITEM_NOTES_MAX_LENGTH, REVIEW_NOTES_MAX_LENGTH, REVIEWERS_MAX_LENGTH, ItemScore
from jobdev.fidelity.worksheet import SCORES

DATE_ERRORS = {"invalid": _("Enter a date such as 2026-03-02.")}


class ReviewCreateForm(forms.Form):
    review_date = SaneDateField(label=_("Review date"), error_messages=DATE_ERRORS)
    period_from = SaneDateField(
        label=_("Evidence from"),
        error_messages=DATE_ERRORS,
        help_text=_("The records of this period are read for the items the data answers."),
    )
    period_to = SaneDateField(label=_("Evidence to"), error_messages=DATE_ERRORS)
    team = forms.ModelChoiceField(
        label=_("Team reviewed"),
        queryset=None,
        required=False,
        error_messages={"invalid_choice": _("That team was not found among the teams you review.")},
    )
    reviewers = forms.CharField(
        label=_("Reviewers"),
        max_length=REVIEWERS_MAX_LENGTH,
        required=False,
        help_text=_("Names of the fidelity reviewers."),
    )
    notes = forms.CharField(
        label=_("Notes"), max_length=REVIEW_NOTES_MAX_LENGTH, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, scope: AccessScope, today: datetime.date, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "review_date": today,
                "period_from": iso_monday(today) - datetime.timedelta(weeks=DEFAULT_WEEKS - 1),
                "period_to": today,
            },
        )
        super().__init__(*args, **kwargs)
        team = self.fields["team"]
        team.queryset = fidelity_review_teams(scope)
        if may_review_program(scope):
            team.empty_label = _("Whole program")
        else:
            # A team leader reviews the teams they lead; the whole program is a program
            # admin's review.
            team.required = True
            team.empty_label = None

    def clean(self):
        cleaned = super().clean()
        period_from, period_to = cleaned.get("period_from"), cleaned.get("period_to")
        if period_from and period_to and period_to < period_from:
            self.add_error("period_to", _("The end date must be on or after the start date."))
        return cleaned


class ItemScoreField(forms.TypedChoiceField):
    def __init__(self, **kwargs):
        super().__init__(
            choices=[("", _("Not scored"))] + [(str(score), str(score)) for score in SCORES],
            coerce=int,
            empty_value=None,
            required=False,
            error_messages={"invalid_choice": _("A score is a whole number from 1 to 5.")},
            **kwargs,
        )


class WorksheetForm(forms.Form):
    """The reviewers, the review's notes, and a score and notes for each of the 25
    items (`score_<n>`, `notes_<n>`, n the item's number on the scale)."""

    reviewers = forms.CharField(label=_("Reviewers"), max_length=REVIEWERS_MAX_LENGTH, required=False)
    notes = forms.CharField(
        label=_("Review notes"),
        max_length=REVIEW_NOTES_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, review, **kwargs):
        stored = {row.item: row for row in review.items.all()}
        initial = {"reviewers": review.reviewers, "notes": review.notes}
        for item in scale.ITEMS:
            row = stored.get(item.number)
            initial[f"score_{item.number}"] = "" if row is None or row.score is None else str(row.score)
            initial[f"notes_{item.number}"] = "" if row is None else row.notes
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        for item in scale.ITEMS:
            self.fields[f"score_{item.number}"] = ItemScoreField(
                label=_("Score, item %(number)s") % {"number": item.number}
            )
            self.fields[f"notes_{item.number}"] = forms.CharField(
                label=_("Notes, item %(number)s") % {"number": item.number},
                max_length=ITEM_NOTES_MAX_LENGTH,
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def item_entries(self) -> dict[int, ItemScore]:
        return {
            item.number: {
                "score": self.cleaned_data[f"score_{item.number}"],
                "notes": self.cleaned_data[f"notes_{item.number}"],
            }
            for item in scale.ITEMS
        }
