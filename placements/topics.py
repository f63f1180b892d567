"""Topics of placements: the job's lifecycle, its milestones, workplace adjustments and
benefits-counselling steps. See crm/events.py and docs/events.md."""

from django.utils.translation import gettext_lazy as _

from crm.events import declare_topic

# Every placement topic's payload starts with these (placements.services._emit).
PLACEMENT = ["placement_id", "job_seeker_id"]

declare_topic(
    "placement.offer_accepted",
    fields=[
        *PLACEMENT,
        "employer_id",
        "offer_date",
        "expected_start_date",
        "receives_benefits",
        "disclosure_preference",
    ],
    label=_("Job offer accepted"),
)
declare_topic(
    "placement.started",
    fields=[*PLACEMENT, "start_date", "hours_per_week", "hourly_pay"],
    label=_("Job started"),
)
declare_topic(
    "placement.terms_changed",
    fields=[*PLACEMENT, "old", "new", "effective_on"],
    label=_("Hours or pay changed"),
)
declare_topic(
    "placement.milestone_reached",
    fields=[*PLACEMENT, "milestone", "due_date", "still_working"],
    label=_("Milestone reached"),
)
declare_topic(
    "placement.ended",
    fields=[*PLACEMENT, "end_date", "end_reason"],
    label=_("Job ended"),
)
declare_topic(
    "accommodation.status_changed",
    fields=["placement_id", "accommodation_id", "from", "to"],
    label=_("Workplace adjustment changed"),
)
declare_topic(
    "benefits.step_changed",
    fields=["benefits_step_id", "job_seeker_id", "placement_id", "from", "to"],
    label=_("Benefits-counselling step changed"),
)
