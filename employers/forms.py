from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from crm.forms import DateInput, SaneDateField
from crm.models import Shift
from employers.models import ContactPerson, Employer, EmployerSite, JobOpening


class EmployerForm(forms.ModelForm):
    website = forms.URLField(label=_("Website"), required=False, max_length=200, assume_scheme="https")

    class Meta:
        model = Employer
        fields = ["name", "industry", "size", "relationship_stage", "website", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def details(self) -> dict:
        """The cleaned fields the services take as `details`; the relationship stage has
        its own writer (employers.services.employer_relationship_set)."""
        return {name: value for name, value in self.cleaned_data.items() if name != "relationship_stage"}


class EmployerSiteForm(forms.ModelForm):
    prefix = "site"

    class Meta:
        model = EmployerSite
        fields = ["name", "address", "postcode", "town", "latitude", "longitude"]

    def clean(self):
        cleaned = super().clean()
        if (cleaned.get("latitude") is None) != (cleaned.get("longitude") is None):
            raise forms.ValidationError(_("Give both latitude and longitude, or neither."))
        return cleaned


class OptionalPartMixin:
    """A part of the employer creation page that may be left empty.

    It counts as filled in only when one of its `key_fields` has a value, so default
    choices alone (e.g. the preferred channel) never make an empty part invalid."""

    key_fields: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.empty_permitted = True
        self.use_required_attribute = False

    def has_changed(self):
        return any(str(self.data.get(self.add_prefix(name), "")).strip() for name in self.key_fields)


class OptionalEmployerSiteForm(OptionalPartMixin, EmployerSiteForm):
    key_fields = ("name", "address", "postcode", "town", "latitude", "longitude")


class ContactPersonForm(forms.ModelForm):
    prefix = "contact"

    class Meta:
        model = ContactPerson
        fields = ["name", "role", "site", "has_hiring_authority", "preferred_channel", "phone", "email"]

    def __init__(self, *args, employer=None, **kwargs):
        super().__init__(*args, **kwargs)
        if employer is None:
            del self.fields["site"]
        else:
            self.fields["site"].queryset = employer.sites.all()


class OptionalContactPersonForm(OptionalPartMixin, ContactPersonForm):
    key_fields = ("name", "role", "phone", "email")


class JobOpeningForm(forms.ModelForm):
    prefix = "opening"
    shifts = forms.MultipleChoiceField(
        label=_("Shifts"), choices=Shift.choices, required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = JobOpening
        fields = [
            "title",
            "job_type",
            "site",
            "hours_per_week",
            "shifts",
            "hourly_pay",
            "status",
            "source",
            "learned_on",
            "note",
        ]
        widgets = {"learned_on": DateInput(), "note": forms.Textarea(attrs={"rows": 2})}
        field_classes = {"learned_on": SaneDateField}

    def __init__(self, *args, employer, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = employer.sites.all()
        self.fields["hours_per_week"].validators.append(MaxValueValidator(80))
        self.fields["hourly_pay"].min_value = 0
        self.fields["hourly_pay"].validators.append(MinValueValidator(0))
