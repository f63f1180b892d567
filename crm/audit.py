"""The audit history (django-simple-history) of a job seeker's records, in a form
people can read. Only team leaders and program admins see it.

Diffs are computed here from the historical rows themselves, with related objects
loaded in bulk, so the page's query count does not grow with the number of changes."""

from dataclasses import dataclass
from datetime import datetime

from django.db import models
from django.utils.translation import gettext as _

from crm.access import AccessScope
from crm.models import CareerProfile, JobPreference, JobSeeker

AUDIT_LIMIT = 50
IGNORED_FIELDS = {"id", "history_id", "history_date", "history_change_reason", "history_type", "history_user"}


@dataclass
class AuditEntry:
    when: datetime
    who: str
    record: str
    action: str
    changes: list[tuple[str, str, str]]


def _m2m_accessors(history_model) -> dict[str, tuple[str, str]]:
    """{m2m field name: (accessor on the historical row, target FK name on the through row)}."""
    accessors = {}
    for field in getattr(history_model, "_history_m2m_fields", []):
        for relation in history_model._meta.related_objects:
            through = relation.related_model
            target = next(
                (f.name for f in through._meta.fields if f.is_relation and f.related_model is field.related_model),
                None,
            )
            if target and through.__name__.endswith(f"_{field.name}"):
                accessors[field.name] = (relation.get_accessor_name(), target)
    return accessors


def audit_entries(records, record_label: str, *, limit: int = AUDIT_LIMIT) -> list[AuditEntry]:
    """Readable entries from an (unsliced) queryset of simple-history records, newest first."""
    history_model = records.model
    model = history_model.instance_type
    accessors = _m2m_accessors(history_model)
    records = list(
        records.select_related("history_user").prefetch_related(
            *(f"{accessor}__{target}" for accessor, target in accessors.values())
        )[:limit]
    )
    plain_fields = [
        field
        for field in history_model._meta.concrete_fields
        if field.name not in IGNORED_FIELDS and field.name not in accessors
    ]
    related_ids: dict[type[models.Model], set] = {}
    for field in plain_fields:
        if field.is_relation:
            related_ids.setdefault(field.related_model, set()).update(
                getattr(record, field.attname) for record in records
            )
    related = {
        related_model: related_model._default_manager.in_bulk([pk for pk in ids if pk is not None])
        for related_model, ids in related_ids.items()
    }

    def show(field, value) -> str:
        if value is None or value == "" or value == []:
            return ""
        if field.is_relation:
            return str(related[field.related_model].get(value, value))
        if field.choices:
            return str(dict(field.flatchoices).get(value, value))
        if isinstance(value, list):
            return ", ".join(str(item) for item in value)
        return str(value)

    def m2m_labels(record, name) -> str:
        accessor, target = accessors[name]
        return ", ".join(sorted(str(getattr(row, target)) for row in getattr(record, accessor).all()))

    entries = []
    for index, record in enumerate(records):
        previous = records[index + 1] if index + 1 < len(records) else None
        changes = []
        if previous is not None and record.history_type == "~":
            for field in plain_fields:
                old, new = getattr(previous, field.attname), getattr(record, field.attname)
                if old != new:
                    changes.append((_label(model, field.name), _short(show(field, old)), _short(show(field, new))))
            for name in accessors:
                old, new = m2m_labels(previous, name), m2m_labels(record, name)
                if old != new:
                    changes.append((_label(model, name), _short(old), _short(new)))
        entries.append(
            AuditEntry(
                when=record.history_date,
                who=str(record.history_user) if record.history_user else "—",
                record=record_label,
                action=record.get_history_type_display(),
                changes=changes,
            )
        )
    return entries


def _label(model, name: str) -> str:
    try:
        return str(model._meta.get_field(name).verbose_name)
    except models.FieldDoesNotExist:  # a field removed since
        return name


def _short(text: str) -> str:
    return text if len(text) <= 80 else text[:77] + "…"


def audit_history_for_job_seeker(scope: AccessScope, job_seeker: JobSeeker) -> list[AuditEntry] | None:
    """The job seeker's audit history, or None where the scope does not show it."""
    if not scope.sees_audit_history:
        return None
    entries = audit_entries(JobSeeker.history.filter(id=job_seeker.pk).order_by("-history_date"), _("Job seeker"))
    entries += audit_entries(
        CareerProfile.history.filter(job_seeker_id=job_seeker.pk).order_by("-history_date"),
        _("Career profile"),
    )
    entries += audit_entries(
        JobPreference.history.filter(job_seeker_id=job_seeker.pk).order_by("-history_date"),
        _("Job preferences"),
    )
    entries.sort(key=lambda entry: entry.when, reverse=True)
    return entries[:AUDIT_LIMIT]
