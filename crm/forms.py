from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from crm.models import CareerProfile, JobPreference, JobSeeker, Shift, Weekday
from crm.selectors import specialists_assignable_by


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class JobSeekerForm(forms.ModelForm):
    class Meta:
        model = JobSeeker
        fields = [
            "first_name",
            "last_name",
            "specialist",
            "email",
            "phone",
            "address",
            "postcode",
            "town",
            "referral_date",
            "enrolment_date",
            "referral_source",
            "receives_benefits",
            "disclosure_preference",
        ]
        widgets = {"referral_date": DateInput(), "enrolment_date": DateInput()}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["specialist"].queryset = specialists_assignable_by(user)
        if not self.instance.pk:
            self.fields["specialist"].initial = user.pk

    def clean(self):
        cleaned = super().clean()
        referral, enrolment = cleaned.get("referral_date"), cleaned.get("enrolment_date")
        if referral and enrolment and enrolment < referral:
            self.add_error("enrolment_date", _("The enrolment date cannot be before the referral date."))
        return cleaned


class CareerProfileForm(forms.ModelForm):
    prefix = "profile"

    class Meta:
        model = CareerProfile
        fields = [
            "work_goal",
            "work_history",
            "education",
            "interests",
            "strengths",
            "skills",
            "coping_strategies",
            "networking_contacts",
        ]
        widgets = {name: forms.Textarea(attrs={"rows": 2}) for name in fields}


class JobPreferenceForm(forms.ModelForm):
    prefix = "preference"
    days = forms.MultipleChoiceField(
        label=_("Days available"), choices=Weekday.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    shifts = forms.MultipleChoiceField(
        label=_("Shifts"), choices=Shift.choices, required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = JobPreference
        fields = [
            "job_types",
            "industries",
            "min_hours_per_week",
            "max_hours_per_week",
            "days",
            "shifts",
            "places",
            "max_travel_minutes",
            "max_distance_km",
            "min_hourly_pay",
            "avoid_job_types",
            "avoid_industries",
            "things_to_avoid",
        ]
        widgets = {
            "job_types": forms.SelectMultiple(attrs={"size": 6}),
            "industries": forms.SelectMultiple(attrs={"size": 6}),
            "avoid_job_types": forms.SelectMultiple(attrs={"size": 4}),
            "avoid_industries": forms.SelectMultiple(attrs={"size": 4}),
            "things_to_avoid": forms.Textarea(attrs={"rows": 2}),
        }

    def clean(self):
        cleaned = super().clean()
        low, high = cleaned.get("min_hours_per_week"), cleaned.get("max_hours_per_week")
        if low is not None and high is not None and low > high:
            self.add_error("max_hours_per_week", _("The maximum hours cannot be below the minimum hours."))
        wanted, avoided = set(cleaned.get("job_types") or []), set(cleaned.get("avoid_job_types") or [])
        if wanted & avoided:
            self.add_error("avoid_job_types", _("A job type cannot be both wanted and avoided."))
        wanted, avoided = set(cleaned.get("industries") or []), set(cleaned.get("avoid_industries") or [])
        if wanted & avoided:
            self.add_error("avoid_industries", _("An industry cannot be both wanted and avoided."))
        return cleaned


class StatusChangeForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=JobSeeker.Status.choices)
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


def add_service_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: next to the field it names when
    the form has that field, otherwise at the top of the form."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)
