from collections.abc import Callable, Sequence
from typing import TypeVar

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connections
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from crm.access import AccessScope
from crm.dates import EARLIEST, LATEST, validate_sane_date
from crm.models import CareerProfile, JobPreference, JobSeeker, Partner, Shift, Weekday
from crm.selectors import by_label, program_map_view
from crm.templatetags.typography import semicolon

T = TypeVar("T")


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class SaneDateField(forms.DateField):
    """The one form field for a date (crm.dates: the years 2000 to 2100). Every date
    field of every form is one (tests/crm/test_dates.py checks them all); a ModelForm
    names its model's date fields in `Meta.field_classes`."""

    widget = DateInput
    default_validators = [validate_sane_date]

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        if "date" in (getattr(widget, "input_type", None), widget.attrs.get("type")):
            attrs.setdefault("min", EARLIEST.isoformat())
            attrs.setdefault("max", LATEST.isoformat())
        return attrs


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Django's multiple choice of rows, with the single choice's answer to an id that
    cannot be one: a value that is not a whole number within the database's integer
    range (2^63 or more, "1e3", "²") is "Select a valid choice", never a query the
    database refuses (SQLite and psycopg cannot bind an integer past 64 bits in IN).
    Every multiple choice of rows in a form is one (tests/crm/test_dates.py checks
    them all); a ModelForm names its many-to-many fields in `Meta.field_classes`."""

    def _check_values(self, value):
        try:
            values = frozenset(value)
        except TypeError:
            raise ValidationError(self.error_messages["invalid_list"], code="invalid_list") from None
        model_field = self.queryset.model._meta.get_field(self.to_field_name or self.queryset.model._meta.pk.name)
        internal_type = model_field.get_internal_type()
        if "Integer" in internal_type or "AutoField" in internal_type:
            low, high = connections[self.queryset.db].ops.integer_field_range(internal_type)
            for pk in values:
                self.validate_no_null_characters(pk)
                if not _integer_within(pk, low, high):
                    raise ValidationError(
                        self.error_messages["invalid_choice"], code="invalid_choice", params={"value": pk}
                    )
        return super()._check_values(values)


def labelled(label, message) -> str:
    """ "Date: Choose a date…", with the reader's language's punctuation (French puts a
    space before the colon)."""
    return gettext("%(label)s: %(message)s") % {"label": label, "message": message}


def error_list(form: forms.Form, names=None) -> list[str]:
    """A form's errors in words, each field's by its label, never by its name ("*
    due_time *" was what form.errors.as_text() showed): one item per field, `names`
    only if given."""
    parts = []
    for name, errors in form.errors.items():
        if names is not None and name not in names:
            continue
        field = form.fields.get(name)
        text = " ".join(str(error) for error in errors)
        parts.append(labelled(field.label, text) if field is not None and field.label else text)
    return parts


def errors_in_words(form: forms.Form) -> str:
    """A form's errors as one sentence for a message shown after a redirect: "Date:
    Choose a date between 2000 and 2100.; Time: …" (`error_list`)."""
    return semicolon().join(error_list(form))


def parse_id(value: object) -> int | None:
    """A query parameter naming a row ("?employer=42") as an id the database can hold
    (a whole number from 1 to the largest BigAutoField); None for anything else
    (missing, "²", "1e3", 2^63, a list): never an exception, never a query the
    database refuses."""
    if not isinstance(value, str):
        return None
    _low, high = connections["default"].ops.integer_field_range("BigAutoField")
    return int(value) if _integer_within(value, 1, high) else None


def _integer_within(value, low: int | None, high: int | None) -> bool:
    """Whether a submitted id is a whole number (ASCII digits, an optional sign) within
    [low, high] (None: unbounded)."""
    text = str(value).strip()
    digits = text[1:] if text[:1] in "+-" else text
    if not (digits.isascii() and digits.isdigit()) or len(digits) > 20:
        return False
    number = int(text)
    return (low is None or number >= low) and (high is None or number <= high)


class LocationFormMixin:
    """Latitude and longitude as number inputs (they work without JavaScript), with a map
    on which a click or a drag sets them (crm/static/crm/location-map.js, Leaflet): a
    pin set by hand (crm.locations). The template renders `other_fields` in the form's
    grid and "crm/_location_fieldset.html" for the point."""

    location_fields = ("latitude", "longitude")

    def setup_location(self) -> None:
        for name, low, high in (("latitude", -90, 90), ("longitude", -180, 180)):
            field = self.fields[name]
            field.widget.attrs.update({"step": "0.000001", "min": str(low), "max": str(high), "inputmode": "decimal"})
        self.fields["latitude"].help_text = _("Set by the pin on the map, or typed in (decimal degrees).")

    def clean(self):
        cleaned = super().clean()
        if (cleaned.get("latitude") is None) != (cleaned.get("longitude") is None):
            raise ValidationError(_("Give both latitude and longitude, or neither."))
        return cleaned

    def other_fields(self):
        return [field for field in self.visible_fields() if field.name not in self.location_fields]

    def _map_organisation(self):
        organisation = getattr(self, "map_organisation", None)
        if organisation is None and getattr(self.instance, "organisation_id", None):
            organisation = self.instance.organisation
        if organisation is None and getattr(self.instance, "employer_id", None):
            organisation = self.instance.employer.organisation
        return organisation

    def location_map(self) -> dict:
        """What the map needs, as data- attributes (the CSP allows no inline script).
        Without a point yet, the map opens where the program's job seekers live, else on
        LEAFLET_DEFAULT_VIEW."""
        organisation = self._map_organisation()
        return {
            "tile_url": settings.LEAFLET_TILE_URL,
            "tile_attribution": settings.LEAFLET_TILE_ATTRIBUTION,
            "default_view": (program_map_view(organisation) if organisation else None) or settings.LEAFLET_DEFAULT_VIEW,
            "latitude_input": self["latitude"].auto_id,
            "longitude_input": self["longitude"].auto_id,
        }


class JobSeekerForm(LocationFormMixin, forms.ModelForm):
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
            "latitude",
            "longitude",
            "referral_date",
            "enrolment_date",
            "referral_source",
            "receives_benefits",
            "disclosure_preference",
            "in_education",
        ]
        widgets = {"referral_date": DateInput(), "enrolment_date": DateInput()}
        field_classes = {"referral_date": SaneDateField, "enrolment_date": SaneDateField}

    def __init__(self, *args, scope: AccessScope, **kwargs):
        super().__init__(*args, **kwargs)
        self.map_organisation = scope.organisation
        self.fields["specialist"].queryset = scope.assignable_specialists()
        self.setup_location()
        if not self.instance.pk and scope.user is not None:
            self.fields["specialist"].initial = scope.user.pk
        # When disclosure was first discussed is set by the service (crm.services), shown
        # here beside the preference, never entered (fidelity item "disclosure").
        discussed_on = self.instance.disclosure_discussed_on
        self.fields["disclosure_preference"].help_text = (
            gettext("First discussed on %(date)s.") % {"date": date_format(discussed_on, "DATE_FORMAT")}
            if discussed_on
            else _("Choosing a preference records today as the day disclosure was first discussed.")
        )

    def details(self) -> dict:
        """The cleaned fields the service takes as `details` (the specialist apart)."""
        return {name: value for name, value in self.cleaned_data.items() if name != "specialist"}


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
        field_classes = {
            "job_types": ModelMultipleChoiceField,
            "industries": ModelMultipleChoiceField,
            "avoid_job_types": ModelMultipleChoiceField,
            "avoid_industries": ModelMultipleChoiceField,
        }
        widgets = {
            "job_types": forms.SelectMultiple(attrs={"size": 6}),
            "industries": forms.SelectMultiple(attrs={"size": 6}),
            "avoid_job_types": forms.SelectMultiple(attrs={"size": 4}),
            "avoid_industries": forms.SelectMultiple(attrs={"size": 4}),
            "things_to_avoid": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("job_types", "industries", "avoid_job_types", "avoid_industries"):
            self.fields[name].queryset = by_label(self.fields[name].queryset)


class StatusChangeForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=JobSeeker.Status.choices)
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


def add_service_errors(form: forms.BaseForm, error: ValidationError, *others: forms.BaseForm) -> None:
    """Show a service's ValidationError: each field's message next to that field on
    whichever of the forms has it, anything else at the top of the first form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, errors in error.error_dict.items():
        target = next((f for f in (form, *others) if _form_field(f, name) in f.fields), None)
        name = _form_field(target, name) if target is not None else name
        if target is None:
            form.add_error(None, errors)
        else:
            target.add_error(name, errors)


def _form_field(form: forms.BaseForm, name: str) -> str:
    """The form's field for a service's field name (`service_field_map`, e.g. a form
    with a day and two times shows the service's "ends_at" error on "end_time")."""
    return getattr(form, "service_field_map", {}).get(name, name)


def submit(forms_: forms.BaseForm | Sequence[forms.BaseForm], call: Callable[[], T]) -> T | None:
    """The one way a view calls a service from forms: when every form is valid, run
    `call()`; a ValidationError it raises is shown on the forms (add_service_errors).
    Returns the service's result, or None when nothing was saved."""
    all_forms = [forms_] if isinstance(forms_, forms.BaseForm) else list(forms_)
    if not all([f.is_valid() for f in all_forms]):
        return None
    try:
        return call()
    except ValidationError as error:
        add_service_errors(*all_forms[:1], error, *all_forms[1:])
        return None


# Partner organisations and consent to share --------------------------------------------


class PartnerForm(forms.Form):
    """A partner organisation of the program (crm.services.partner_create/update)."""

    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=Partner.Kind.choices)
    referrals_to = forms.ModelChoiceField(
        label=_("Referrals go to"),
        queryset=None,
        required=False,
        help_text=_("The specialist or team leader whose caseload receives this partner's referrals."),
    )
    is_active = forms.BooleanField(
        label=_("Active"),
        required=False,
        initial=True,
        help_text=_("An inactive partner can refer nobody and is offered for no new consent or benefits step."),
    )

    def __init__(self, *args, scope: AccessScope, partner: Partner | None = None, **kwargs):
        if partner is not None:
            kwargs.setdefault(
                "initial",
                {
                    "name": partner.name,
                    "kind": partner.kind,
                    "referrals_to": partner.referrals_to_id,
                    "is_active": partner.is_active,
                },
            )
        super().__init__(*args, **kwargs)
        self.fields["referrals_to"].queryset = scope.assignable_specialists()

    def details(self) -> dict:
        """The cleaned fields as the service takes them."""
        data = self.cleaned_data
        return {
            "name": data["name"],
            "kind": data["kind"],
            "referrals_to_id": getattr(data.get("referrals_to"), "pk", None),
            "is_active": data["is_active"],
        }


class SharingConsentForm(forms.Form):
    """A job seeker's consent to share with a partner (crm.services.sharing_consent_record)."""

    prefix = "consent"
    partner = forms.ModelChoiceField(label=_("Share with"), queryset=None)
    shares_progress = forms.BooleanField(
        label=_("Job search and jobs"),
        required=False,
        initial=True,
        help_text=_("Status, placements and their milestones."),
    )
    shares_support = forms.BooleanField(
        label=_("Follow-along support"), required=False, help_text=_("Support tasks and workplace accommodations.")
    )
    shares_benefits = forms.BooleanField(
        label=_("Benefits counselling"), required=False, help_text=_("Work-incentives-planning steps.")
    )
    consented_by = forms.CharField(
        label=_("Consent given by"),
        max_length=200,
        help_text=_("The job seeker, or the legal representative who gave consent (name and role)."),
    )
    consented_on = SaneDateField(label=_("Consent given on"))
    valid_until = SaneDateField(
        label=_("Valid until"), required=False, help_text=_("Leave empty for a consent given until withdrawn.")
    )

    def __init__(self, *args, scope: AccessScope, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = scope.partners().filter(is_active=True).order_by("name")

    def consent(self) -> dict:
        """The cleaned fields as the service takes them as `consent`."""
        return {name: value for name, value in self.cleaned_data.items() if name != "partner"}
