from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from crm.admin import ScopedAdmin
from placements import selectors  # noqa: F401 - registers the scope's rules for placements' models
from placements.forms import competitive_field, term_field
from placements.models import Placement, SupportTask


class PlacementAdminForm(forms.ModelForm):
    """Whether the job is competitive and permanent or temporary may be corrected here,
    never left unanswered (asked on every placement: fidelity item "competitive jobs")."""

    is_competitive = competitive_field()
    term = term_field()

    class Meta:
        model = Placement
        fields = "__all__"  # noqa: DJ007 - the admin chooses what it shows (workflow fields read-only)


@admin.register(Placement)
class PlacementAdmin(ScopedAdmin, SimpleHistoryAdmin):
    form = PlacementAdminForm
    list_display = ["job_title", "job_seeker", "employer", "status", "is_competitive", "term", "start_date", "end_date"]
    list_filter = ["status", "is_competitive", "term"]
    autocomplete_fields = ["employer", "site"]
    # The lifecycle moves through placements.services (offer, start, terms, end), which
    # emit the events that plan follow-along, benefits re-checks and job-end support.
    workflow_fields = (
        "job_seeker",
        "status",
        "offer_date",
        "start_date",
        "end_date",
        "end_reason",
        "hours_per_week",
        "hourly_pay",
    )
    created_in_app = True


@admin.register(SupportTask)
class SupportTaskAdmin(ScopedAdmin):
    list_display = ["title", "kind", "job_seeker", "owner", "due_date", "status"]
    list_filter = ["kind", "status"]
    exclude = ["title_key", "title_params"]
    # Created by placements.services.support_task_create (the owner is the job seeker's
    # specialist, moved on reassignment), completed and scheduled through its services.
    workflow_fields = (
        "rendered_title",
        "job_seeker",
        "placement",
        "kind",
        "owner",
        "status",
        "completed_on",
        "completion_mode",
        "place",
        "support_type",
        "given_by",
        "completion_note",
        "cancel_reason",
        "cancelled_on",
        "source_event",
        "accommodation",
        "benefits_step",
        "sequence",
    )
    created_in_app = True

    @admin.display(description=_("title"))
    def rendered_title(self, obj):
        return obj.title

    def has_change_permission(self, request, obj=None):
        # Read here; completed, moved and given a time in My tasks, through
        # placements.services (which keeps the rules and the calendar's SEQUENCE).
        return False
