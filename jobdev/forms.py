import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from crm import clock
from crm.access import AccessScope
from crm.forms import DateInput, ModelMultipleChoiceField, SaneDateField
from crm.models import JobType
from crm.selectors import by_label
from employers.models import ContactPerson, EmployerSite
from employers.part_options import chosen_employer_id, narrow_parts
from employers.selectors import employers_visible
from jobdev.models import EmployerContact
from jobdev.selectors import NatureSuggestion, nature_suggestion
from jobdev.services import DISCLOSURE_NOT_DISCUSSED


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", **kwargs)


def _wall_instant(
    day: datetime.date, wall: datetime.time, zone, current: datetime.datetime | None
) -> datetime.datetime:
    """A day and a wall time in `zone`, its first occurrence when it happens twice
    (crm.clock), unless `current` is that same wall time at its second occurrence."""
    local = current.astimezone(zone) if current is not None else None
    kept = local is not None and local.fold and local.date() == day and local.time() == wall.replace(tzinfo=None)
    return clock.wall_instant(day, wall, zone, fold=1 if kept else 0)


class WhenMixin(forms.Form):
    day = SaneDateField(label=_("Date"), widget=DateInput())
    start_time = forms.TimeField(label=pgettext_lazy("time of day", "From"), widget=TimeInput())
    end_time = forms.TimeField(label=pgettext_lazy("time of day", "To"), widget=TimeInput())

    # The service's errors on these belong next to the fields people fill in.
    service_field_map = {"starts_at": "start_time", "ends_at": "end_time"}
    #: The (start, end) of a contact being rescheduled: a wall time left as it was
    #: keeps the occurrence it had (the October night's second 02:30 stays the second).
    current_span: tuple[datetime.datetime, datetime.datetime] | None = None

    def clean(self):
        """A day and two wall times in the program's zone become two instants by the
        product's one rule for clock changes (crm.clock): a time the clocks skip that
        night is refused in plain words, a time that happens twice is its first
        occurrence, and the end must come after the start in real time."""
        cleaned = super().clean()
        day, start, end = cleaned.get("day"), cleaned.get("start_time"), cleaned.get("end_time")
        if day and start and end:
            zone = timezone.get_current_timezone()
            current = self.current_span or (None, None)
            starts_at = _wall_instant(day, start, zone, current[0])
            ends_at = _wall_instant(day, end, zone, current[1])
            try:
                cleaned["starts_at"], cleaned["ends_at"] = clock.checked_span(
                    starts_at, ends_at, fields=("start_time", "end_time")
                )
            except ValidationError as error:
                self.add_error(None, error)
        return cleaned


class PartsMixin:
    """Employer-dependent choices limited to the scope's program, the site and person
    lists to the chosen employer's (employers.part_options)."""

    #: The employer the form names (posted, or initial), once limit_parts() has run.
    employer_id: int | None = None

    def limit_parts(self, scope: AccessScope):
        self.fields["employer"].queryset = employers_visible(scope)
        self.employer_id = chosen_employer_id(self)
        narrow_parts(self, scope, self.employer_id)
        if "job_seekers" in self.fields:
            self.fields["job_seekers"].queryset = scope.job_seekers(edit=True).order_by("last_name", "first_name")


class PlanForm(PartsMixin, WhenMixin, forms.ModelForm):
    class Meta:
        model = EmployerContact
        fields = [
            "employer",
            "site",
            "contact_person",
            "mode",
            "purpose",
            "job_seekers",
            "nature",
            "confirmed",
            "next_step",
        ]
        widgets = {"job_seekers": forms.SelectMultiple(attrs={"size": 5})}
        field_classes = {"job_seekers": ModelMultipleChoiceField}
        labels = {"next_step": _("Aim of the visit")}

    #: Asked only once the service refused the contact because disclosure was not
    #: discussed with someone it is for (jobdev.services.DISCLOSURE_NOT_DISCUSSED).
    disclosure_confirmed = forms.BooleanField(
        label=_("Go ahead without the disclosure talk"),
        required=False,
        help_text=_("Disclosure is best talked over before contacting employers on the person's behalf."),
    )

    field_order = [
        "employer",
        "site",
        "contact_person",
        "nature",
        "day",
        "start_time",
        "end_time",
        "mode",
        "purpose",
        "job_seekers",
        "disclosure_confirmed",
    ]

    # Nothing preselected: the suggestion from the employer's history is offered once the
    # employer is known, and the specialist confirms or changes it (the first/second/
    # ongoing record is a fidelity measure, not a default).
    nature = forms.ChoiceField(
        label=_("Nature"),
        choices=[("", "—"), *EmployerContact.Nature.choices],
        error_messages={
            "required": _("Say whether this is a first meeting, a second meeting or an ongoing relationship.")
        },
    )

    #: The nature suggested from the program's held contacts with the employer (None: no employer known yet).
    suggestion: NatureSuggestion | None = None

    def __init__(self, *args, scope: AccessScope, **kwargs):
        super().__init__(*args, **kwargs)
        self.limit_parts(scope)
        self.suggestion = nature_suggestion(scope, self.employer_id) if self.employer_id else None
        nature = self.fields["nature"]
        if self.suggestion is None:
            nature.help_text = _("Suggested from the earlier contacts with the employer once you choose it.")
        else:
            nature.help_text = suggestion_hint(self.suggestion)
            nature.initial = self.suggestion.nature
        # The page asks for the suggestion again when the employer changes (contact_plan
        # answers a GET naming an employer with the field set to it).
        self.nature_refresh = {
            "hx-get": reverse("contact_plan"),
            "hx-trigger": f"change from:#{self['employer'].auto_id}",
            "hx-include": f"#{self['employer'].auto_id}",
            # The inner field is swapped, not this element: a replaced element listens for
            # the next change only once htmx has settled it, and a quick second choice was lost.
            "hx-select": "#nature-choice > .field",
            "hx-swap": "innerHTML",
            "hx-sync": "this:replace",
        }
        self.fields["day"].initial = timezone.localdate()
        self.fields["start_time"].initial = datetime.time(10, 0)
        self.fields["end_time"].initial = datetime.time(11, 0)
        if not (
            self.is_bound
            and self.fields["disclosure_confirmed"].widget.value_from_datadict(
                self.data, self.files, self.add_prefix("disclosure_confirmed")
            )
        ):
            self.fields["disclosure_confirmed"].widget = forms.HiddenInput()

    def offer_suggestion(self) -> None:
        """Shown again with errors and no nature chosen: preselect the suggestion, for the
        specialist to confirm with the next save."""
        name = self.add_prefix("nature")
        if self.is_bound and self.suggestion is not None and not self.data.get(name):
            self.data = self.data.copy()
            self.data[name] = self.suggestion.nature

    def ask_disclosure_confirmation(self) -> bool:
        """After the service's refusal (code "disclosure_not_discussed", its message on
        the job seekers naming them): show the box to go ahead anyway. Returns whether
        it was that refusal."""
        if not self.has_error("job_seekers", code=DISCLOSURE_NOT_DISCUSSED):
            return False
        self.fields["disclosure_confirmed"].widget = forms.CheckboxInput()
        return True


def suggestion_hint(suggestion: NatureSuggestion) -> str:
    nature = str(EmployerContact.Nature(suggestion.nature).label).lower()
    if suggestion.held_contacts == 0:
        return gettext("No earlier contact with this employer: suggested %(nature)s.") % {"nature": nature}
    return ngettext(
        "Suggested from %(count)d earlier contact with this employer: %(nature)s.",
        "Suggested from %(count)d earlier contacts with this employer: %(nature)s.",
        suggestion.held_contacts,
    ) % {"count": suggestion.held_contacts, "nature": nature}


class RescheduleForm(PartsMixin, WhenMixin, forms.Form):
    prefix = "reschedule"
    site = forms.ModelChoiceField(label=_("Site"), queryset=EmployerSite.objects.none(), required=False)
    contact_person = forms.ModelChoiceField(
        label=_("Person to meet"), queryset=ContactPerson.objects.none(), required=False
    )
    confirmed = forms.BooleanField(label=_("Confirmed with the employer"), required=False)

    def __init__(self, *args, contact, **kwargs):
        super().__init__(*args, **kwargs)
        self.current_span = (contact.starts_at, contact.ends_at)
        self.fields["site"].queryset = contact.employer.sites.all()
        self.fields["contact_person"].queryset = contact.employer.contact_persons.all()


class CancelForm(forms.Form):
    prefix = "cancel"
    reason = forms.CharField(label=_("Reason"), max_length=300)


class OutcomeForm(forms.Form):
    prefix = "outcome"
    HELD, NO_SHOW = "held", "no_show"
    happened = forms.ChoiceField(
        label=_("What happened"), choices=[(HELD, _("The contact took place")), (NO_SHOW, _("No-show"))], initial=HELD
    )
    contact_person = forms.ModelChoiceField(
        label=_("Person met"), queryset=ContactPerson.objects.none(), required=False
    )
    nature = forms.ChoiceField(label=_("Nature"), choices=EmployerContact.Nature.choices)
    met_hiring_authority = forms.NullBooleanField(label=_("The person met has hiring authority"), required=False)
    learned_hiring_needs = forms.CharField(
        label=_("Hiring needs learned"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    learned_job_types = ModelMultipleChoiceField(
        label=_("Job types they hire for"),
        queryset=by_label(JobType.objects.all()),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 4}),
    )
    learned_hiring_process = forms.CharField(
        label=_("Hiring process"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    best_time_to_apply = forms.CharField(label=_("Best time to apply"), max_length=200, required=False)
    result = forms.CharField(
        label=_("Result"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    next_step = forms.CharField(label=_("Next step"), max_length=300, required=False)
    next_step_on = SaneDateField(label=_("Next step date"), widget=DateInput(), required=False)

    def __init__(self, *args, contact, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contact_person"].queryset = contact.employer.contact_persons.all()
        self.fields["contact_person"].initial = contact.contact_person_id
        self.fields["nature"].initial = contact.nature

    def outcome(self) -> dict:
        """What the service takes as `outcome` (jobdev.services.ContactOutcomeFields)."""
        data = {key: value for key, value in self.cleaned_data.items() if key not in ("happened", "contact_person")}
        data["contact_person_id"] = getattr(self.cleaned_data.get("contact_person"), "pk", None)
        return data


class LogForm(PartsMixin, forms.Form):
    """A quick phone, video or email contact (or a visit not planned here)."""

    employer = forms.ModelChoiceField(label=_("Employer"), queryset=None)
    contact_person = forms.ModelChoiceField(label=_("Person reached"), queryset=None, required=False)
    mode = forms.ChoiceField(label=_("Mode"), choices=EmployerContact.Mode.choices, initial=EmployerContact.Mode.PHONE)
    purpose = forms.ChoiceField(label=_("Purpose"), choices=EmployerContact.Purpose.choices)
    job_seekers = ModelMultipleChoiceField(
        label=_("On behalf of"), queryset=None, required=False, widget=forms.SelectMultiple(attrs={"size": 4})
    )
    day = SaneDateField(label=_("Date"), widget=DateInput(), initial=timezone.localdate)
    time = forms.TimeField(
        label=_("Time"),
        widget=TimeInput(),
        initial=lambda: timezone.localtime().time().replace(second=0, microsecond=0),
    )
    result = forms.CharField(
        label=_("Result"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    next_step = forms.CharField(label=_("Next step"), max_length=300, required=False)
    next_step_on = SaneDateField(label=_("Next step date"), widget=DateInput(), required=False)

    service_field_map = {"occurred_at": "time"}

    def __init__(self, *args, scope: AccessScope, **kwargs):
        super().__init__(*args, **kwargs)
        self.limit_parts(scope)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("day") and cleaned.get("time"):
            try:  # the rule of crm.clock, as for a planned visit
                cleaned["occurred_at"] = clock.local_instant(cleaned["day"], cleaned["time"], field="time")
            except ValidationError as error:
                self.add_error(None, error)
        return cleaned
