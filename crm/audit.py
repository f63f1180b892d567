"""The audit history (django-simple-history) of a job seeker's records, in a form
people can read. Only team leaders and program admins see it."""

from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext as _

from crm.models import CareerProfile, JobPreference, JobSeeker

AUDIT_LIMIT = 50


@dataclass
class AuditEntry:
    when: datetime
    who: str
    record: str
    action: str
    changes: list[tuple[str, str, str]]


def audit_entries(records, record_label) -> list[AuditEntry]:
    """Readable entries from simple-history records, newest first."""
    records = list(records)
    entries = []
    for index, record in enumerate(records):
        previous = records[index + 1] if index + 1 < len(records) else None
        changes = []
        if previous is not None and record.history_type == "~":
            delta = record.diff_against(previous, foreign_keys_are_objs=True)
            model = record.instance_type
            for change in delta.changes:
                try:
                    label = str(model._meta.get_field(change.field).verbose_name)
                except Exception:  # noqa: BLE001 - a field removed since
                    label = change.field
                changes.append((label, _short(change.old), _short(change.new)))
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


def _short(value) -> str:
    if isinstance(value, list):
        value = ", ".join(
            str(item.get(next(iter(item)), item)) if isinstance(item, dict) else str(item) for item in value
        )
    text = "" if value is None else str(value)
    return text if len(text) <= 80 else text[:77] + "…"


def audit_history_for_job_seeker(user, job_seeker: JobSeeker) -> list[AuditEntry] | None:
    if not user.sees_audit_history:
        return None
    entries = audit_entries(
        JobSeeker.history.filter(id=job_seeker.pk)
        .select_related("history_user")
        .order_by("-history_date")[:AUDIT_LIMIT],
        _("Job seeker"),
    )
    entries += audit_entries(
        CareerProfile.history.filter(job_seeker_id=job_seeker.pk)
        .select_related("history_user")
        .order_by("-history_date")[:AUDIT_LIMIT],
        _("Career profile"),
    )
    entries += audit_entries(
        JobPreference.history.filter(job_seeker_id=job_seeker.pk)
        .select_related("history_user")
        .order_by("-history_date")[:AUDIT_LIMIT],
        _("Job preferences"),
    )
    entries.sort(key=lambda entry: entry.when, reverse=True)
    return entries[:AUDIT_LIMIT]
