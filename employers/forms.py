from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from crm.forms import DateInput, LocationFormMixin, SaneDateField
from crm.models import Shift
from crm.selectors import by_label
from employers.models import ContactPerson, Employer, EmployerSite, JobOpening


class EmployerForm(forms.ModelForm):
    website = forms.URLField(label=_("Website"), required=False, max_length=200, assume_scheme="https")
    # Longer than the stored code: a NAF code as the register writes it ("45.20A") is accepted.
    nace_code = forms.CharField(
        label=_("NACE code"),
        required=False,
        max_length=8,
        help_text=Employer._meta.get_field("nace_code").help_text,
    )

    class Meta:
        model = Employer
        fields = ["name", "industry", "nace_code", "size", "relationship_stage", "website", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["industry"].queryset = by_label(self.fields["industry"].queryset)

    def clean_nace_code(self):
        """A NAF/APE code as written in the register ("4520A") or a NACE code ("45.20"),
        kept as the NACE code; it must lie in the industry chosen, which it gives when none
        is chosen (matching compares employers by this finer code: docs/matching.md)."""
        from crm.models import Industry
        from crm.taxonomies import nace_section
        from employers.importing.mapping import parse_nace_code

        try:
            code = parse_nace_code(self.cleaned_data.get("nace_code") or "")
        except forms.ValidationError:
            raise forms.ValidationError(
                _("Give a NACE code (45.20, 45.2 or 45) or a NAF code as in the register (4520A).")
            ) from None
        industry = self.cleaned_data.get("industry")
        section = nace_section(code) if code else None
        if industry is not None and section is not None and industry.code != section:
            raise forms.ValidationError(
                _("The NACE code %(code)s belongs to section %(section)s, not to the industry chosen.")
                % {"code": code, "section": section}
            )
        if industry is None and section is not None and "industry" not in self.errors:
            self.cleaned_data["industry"] = Industry.objects.filter(code=section).first()
        return code

    def details(self) -> dict:
        """The cleaned fields the services take as `details`; the relationship stage has
        its own writer (employers.services.employer_relationship_set)."""
        return {name: value for name, value in self.cleaned_data.items() if name != "relationship_stage"}


class EmployerSiteForm(LocationFormMixin, forms.ModelForm):
    prefix = "site"

    class Meta:
        model = EmployerSite
        fields = ["name", "address", "postcode", "town", "latitude", "longitude"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_location()


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
        self.fields["job_type"].queryset = by_label(self.fields["job_type"].queryset)
        self.fields["hours_per_week"].validators.append(MaxValueValidator(80))
        self.fields["hourly_pay"].min_value = 0
        self.fields["hourly_pay"].validators.append(MinValueValidator(0))
