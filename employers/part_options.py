"""The Site and Contact person lists of a form that names an employer (a visit, a
logged contact, a job offer) hold that employer's sites and people only: a program's
60 sites are no list to choose from. The server renders them narrowed to the employer
the form names (initial or posted), and the page narrows them again through htmx
when the employer changes (employers.views.employer_part_options answers the
<option>s). The services still check that a site or person belongs to the employer."""

from django import forms
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from crm.access import AccessScope
from crm.forms import parse_id
from employers.selectors import contact_persons_visible, employer_sites_visible

#: The employer-dependent fields a form may have, and the rows each offers.
PARTS = {"site": employer_sites_visible, "contact_person": contact_persons_visible}

NO_EMPLOYER_LABEL = _("Choose the employer first")
NONE_LABEL = "—"


def parts_of(scope: AccessScope, part: str, employer_id: int | None) -> QuerySet:
    """The sites or contact persons (`part`) of one employer the scope sees, in name
    order; none without an employer."""
    rows = PARTS[part](scope)
    if employer_id is None:
        return rows.none()
    return rows.filter(employer_id=employer_id).order_by("name", "pk")


def empty_label(employer_id: int | None) -> str:
    return NONE_LABEL if employer_id is not None else NO_EMPLOYER_LABEL


def chosen_employer_id(form: forms.BaseForm) -> int | None:
    """The employer id the form names: the posted one when bound, else the initial one;
    None when there is none or it is no id (whether the scope sees it is the
    querysets' business)."""
    if form.is_bound:
        value = form.data.get(form.add_prefix("employer"))
    else:
        value = form.initial.get("employer", form.fields["employer"].initial)
    value = getattr(value, "pk", value)
    return parse_id(str(value)) if value not in (None, "") else None


def narrow_parts(form: forms.BaseForm, scope: AccessScope, employer_id: int | None) -> None:
    """Offer the employer's own sites and people in the form's Site and Contact person
    fields, and have the page reload those lists when the employer changes."""
    employer_field_id = form["employer"].auto_id
    for part in PARTS:
        if part not in form.fields:
            continue
        field = form.fields[part]
        field.queryset = parts_of(scope, part, employer_id)
        field.empty_label = empty_label(employer_id)
        field.label_from_instance = str
        field.widget.attrs.update(
            {
                "hx-get": reverse("employer_part_options", args=[part]),
                "hx-trigger": f"change from:#{employer_field_id}",
                "hx-include": f"#{employer_field_id}",
                "hx-sync": "this:replace",
            }
        )
