"""Topics of the core domain (crm). See crm/events.py and docs/events.md."""

from django.utils.translation import gettext_lazy as _

from crm.events import declare_topic

declare_topic(
    "jobseeker.enrolled",
    fields=["job_seeker_id", "job_search_since", "reentry"],
    label=_("Enrolled in job search"),
)

declare_topic(
    "jobseeker.reassigned",
    fields=["job_seeker_id", "from_specialist_id", "to_specialist_id"],
    label=_("Reassigned to another specialist"),
    # Handled by placements.hand_over_open_tasks (open support tasks follow the person).
)
