from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from crm.admin import OrganisationScopedAdmin
from placements.models import Placement, SupportTask


@admin.register(Placement)
class PlacementAdmin(OrganisationScopedAdmin, SimpleHistoryAdmin):
    list_display = ["job_title", "job_seeker", "employer", "status", "start_date", "end_date"]
    list_filter = ["status", "is_competitive"]


@admin.register(SupportTask)
class SupportTaskAdmin(OrganisationScopedAdmin):
    list_display = ["title", "kind", "job_seeker", "owner", "due_date", "status"]
    list_filter = ["kind", "status"]
