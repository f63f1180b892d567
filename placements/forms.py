from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm.access import AccessScope
from crm.forms import DateInput, SaneDateField
from crm.selectors import by_label
from employers.part_options import chosen_employer_id, narrow_parts
from employers.selectors import employers_visible
from placements.models import (
    Accommodation,
    BenefitsStep,
    FollowAlongPlan,
    JobEndReport,
    Placement,
    SupportTask,
    TaskTitle,
)


def competitive_field() -> forms.TypedChoiceField:
    """ "Competitive job?" yes or no, nothing preselected and an answer required: asked on
    every placement, never assumed (fidelity item "competitive jobs")."""
    return forms.TypedChoiceField(
        label=_("Competitive job?"),
        choices=[(True, _("Yes")), (False, _("No"))],
        coerce=lambda value: value in (True, "True"),
        empty_value=None,
        widget=forms.RadioSelect,
        help_text=Placement._meta.get_field("is_competitive").help_text,
        error_messages={"required": _("Say whether the job is competitive.")},
    )


def term_field() -> forms.ChoiceField:
    """Permanent or temporary, nothing preselected and an answer required."""
    return forms.ChoiceField(
        label=_("Permanent or temporary?"),
        choices=Placement.Term.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Say whether the job is permanent or temporary.")},
    )


class OfferAcceptForm(forms.ModelForm):
    is_competitive = competitive_field()
    term = term_field()

    class Meta:
        model = Placement
        fields = [
            "employer",
            "site",
            "job_title",
            "job_type",
            "hours_per_week",
            "hourly_pay",
            "is_competitive",
            "term",
            "offer_date",
            "expected_start_date",
        ]
        widgets = {"offer_date": DateInput(), "expected_start_date": DateInput()}
        field_classes = {"offer_date": SaneDateField, "expected_start_date": SaneDateField}

    def __init__(self, *args, scope: AccessScope, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["employer"].queryset = employers_visible(scope)
        self.fields["job_type"].queryset = by_label(self.fields["job_type"].queryset)
        # The chosen employer's sites only, reloaded in the page when the employer changes.
        narrow_parts(self, scope, chosen_employer_id(self))
        self.fields["offer_date"].initial = timezone.localdate()

    def offer_fields(self) -> dict:
        """The cleaned fields as the service's PlacementOfferFields (the employer apart)."""
        data = self.cleaned_data
        fields = {name: value for name, value in data.items() if name not in ("employer", "site", "job_type")}
        fields["site_id"] = data["site"].pk if data.get("site") else None
        fields["job_type_id"] = data["job_type"].pk if data.get("job_type") else None
        return fields


class StartForm(forms.Form):
    prefix = "start"
    start_date = SaneDateField(
        label=_("Start date"),
        widget=DateInput(),
        help_text=_("Recorded on the day the job starts, not before."),
    )


class TermsForm(forms.Form):
    prefix = "terms"
    hours_per_week = forms.DecimalField(
        label=_("Hours per week"), max_digits=4, decimal_places=1, min_value=0, max_value=80, required=False
    )
    hourly_pay = forms.DecimalField(label=_("Hourly pay"), max_digits=6, decimal_places=2, min_value=0, required=False)
    effective_on = SaneDateField(label=_("From"), widget=DateInput(), initial=timezone.localdate)


class EndForm(forms.Form):
    prefix = "end"
    end_date = SaneDateField(label=_("End date"), widget=DateInput())
    end_reason = forms.ChoiceField(label=_("Reason"), choices=[("", "—")] + list(Placement.EndReason.choices))


class FollowAlongForm(forms.Form):
    prefix = "plan"
    ACTIONS = [
        ("frequency", _("Change the rhythm")),
        ("pause", _("Pause")),
        ("resume", _("Resume")),
        ("decline", _("The worker declines support")),
        ("step_down", _("Plan a step-down to the mental-health team")),
    ]
    action = forms.ChoiceField(label=_("Change"), choices=ACTIONS)
    frequency = forms.ChoiceField(label=_("Rhythm"), choices=FollowAlongPlan.Frequency.choices, required=False)
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)
    step_down_date = SaneDateField(label=_("Step-down date"), widget=DateInput(), required=False)
    step_down_agreed = forms.BooleanField(label=_("The worker agrees"), required=False)


class AccommodationForm(forms.Form):
    prefix = "accommodation"
    description = forms.CharField(label=_("Adjustment needed"), max_length=300)
    consents = forms.BooleanField(label=_("The worker consents to disclosing it to the employer"), required=False)


class AccommodationStatusForm(forms.Form):
    # Left empty, the adjustment moves to its next step (Accommodation.next_status).
    status = forms.ChoiceField(
        label=_("New status"), choices=[("", "—"), *Accommodation.Status.choices], required=False
    )
    consents = forms.BooleanField(label=_("The worker consents to disclosure"), required=False)
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


class BenefitsStatusForm(forms.Form):
    # Left empty, the step moves to its next one (BenefitsStep.next_status).
    status = forms.ChoiceField(label=_("New status"), choices=[("", "—"), *BenefitsStep.Status.choices], required=False)
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


class BenefitsCounsellorForm(forms.Form):
    """Who counsels the worker on this step: a partner organisation of the program, which
    may then move the step on through the API under a consent covering benefits.
    `partners`: the (id, name) pairs offered, read once for all the page's steps."""

    counsellor = forms.ChoiceField(label=_("Benefits counsellor"), required=False)

    def __init__(self, *args, partners: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["counsellor"].choices = [("", _("Nobody outside the team"))] + [
            (str(pk), name) for pk, name in partners
        ]

    def counsellor_id(self) -> int | None:
        value = self.cleaned_data["counsellor"]
        return int(value) if value else None

    @staticmethod
    def partners_offered(scope: AccessScope) -> list[tuple[int, str]]:
        return list(scope.partners().filter(is_active=True).order_by("name").values_list("pk", "name"))


class TaskCompleteForm(forms.Form):
    """ "Mark as done" for one task (placements.services.support_task_complete). A
    follow-along contact asks what support was given (required) and who gave it
    (fidelity item "individualized follow-along supports"); every task asks where an
    in-person contact took place (fidelity item "community-based services"), left
    empty when not recorded. The service refuses a place for a contact not in person."""

    completed_on = SaneDateField(label=_("Done on"), widget=DateInput(), initial=timezone.localdate)
    completion_mode = forms.ChoiceField(label=_("How"), choices=SupportTask.Mode.choices)
    support_type = forms.ChoiceField(
        label=_("Type of support"),
        choices=[("", "—"), *SupportTask.SupportType.choices],
        error_messages={"required": _("Say what support was given.")},
    )
    # Left out, the service records the specialist.
    given_by = forms.ChoiceField(
        label=_("Given by"),
        choices=SupportTask.GivenBy.choices,
        initial=SupportTask.GivenBy.SPECIALIST,
        required=False,
    )
    place = forms.ChoiceField(
        label=_("Where (in person)"),
        choices=[("", _("Not recorded")), *SupportTask.Place.choices],
        required=False,
        help_text=_("For a contact in person only."),
    )
    completion_note = forms.CharField(
        label=_("Note"), max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    field_order = ["completed_on", "completion_mode", "place", "support_type", "given_by", "completion_note"]

    def __init__(self, *args, task: SupportTask, **kwargs):
        kwargs.setdefault("prefix", f"task{task.pk}")
        super().__init__(*args, **kwargs)
        self.task = task
        if task.kind != SupportTask.Kind.FOLLOW_ALONG:
            del self.fields["support_type"], self.fields["given_by"]
        self.completes_step_down = task.title_key == TaskTitle.STEP_DOWN_HANDOVER

    def completion(self) -> dict:
        """The service's keyword arguments after task_id and scope."""
        data = self.cleaned_data
        return {
            "completed_on": data["completed_on"],
            "mode": data["completion_mode"],
            "note": data["completion_note"],
            "place": data["place"],
            "support_type": data.get("support_type", ""),
            "given_by": data.get("given_by", ""),
        }


class StepDownForm(forms.Form):
    """The planned, agreed step-down happened (follow_along_step_down_complete)."""

    prefix = "stepdown"
    on = SaneDateField(label=_("Stepped down on"), widget=DateInput(), initial=timezone.localdate)


class JobEndReportForm(forms.ModelForm):
    prefix = "report"
    disclosed = forms.NullBooleanField(label=_("The worker had disclosed to the employer"), required=False)
    wants_another_job = forms.NullBooleanField(label=_("Wants another job"), required=False)

    class Meta:
        model = JobEndReport
        fields = [
            "face_to_face_contact_on",
            "disclosed",
            "worker_perspective",
            "staff_perspective",
            "employer_perspective",
            "supports_given",
            "what_worked",
            "wants_another_job",
            "next_job_wanted",
            "disclosure_next_time",
            "next_steps",
        ]
        field_classes = {"face_to_face_contact_on": SaneDateField}
        widgets = {
            "face_to_face_contact_on": DateInput(),
            **{
                name: forms.Textarea(attrs={"rows": 2})
                for name in [
                    "worker_perspective",
                    "staff_perspective",
                    "employer_perspective",
                    "supports_given",
                    "what_worked",
                    "next_steps",
                ]
            },
        }


class TaskScheduleForm(forms.Form):
    due_date = SaneDateField(label=_("Date"), widget=DateInput())
    due_time = forms.TimeField(
        label=_("Time"), required=False, widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    duration_minutes = forms.IntegerField(label=_("Duration (minutes)"), min_value=5, max_value=720, initial=60)
