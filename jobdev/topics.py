"""Topics of job development. See crm/events.py and docs/events.md."""

from django.utils.translation import gettext_lazy as _

from crm.events import declare_topic

declare_topic(
    "employer_contact.held",
    fields=["employer_contact_id", "employer_id", "mode", "purpose", "job_seeker_ids", "held_at"],
    label=_("Employer contact held"),
)
