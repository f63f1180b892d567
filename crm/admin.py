"""Django admin for program admins (scoped to their program) and platform operators
(superusers, who see everything). Another program's record answers 404 here too."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.http import Http404
from django.utils.translation import gettext as _
from simple_history.admin import SimpleHistoryAdmin

from crm.models import (
    CareerProfile,
    EventHandling,
    Industry,
    JobPreference,
    JobSeeker,
    JobType,
    Organisation,
    OutboxEvent,
    Team,
    User,
)


class OrganisationScopedAdmin(admin.ModelAdmin):
    """Limits a ModelAdmin to the logged-in program admin's organisation.

    `organisation_path` is the lookup from the model to its Organisation."""

    organisation_path = "organisation"

    def _is_operator(self, request) -> bool:
        return request.user.is_active and request.user.is_superuser

    def _is_program_admin(self, request) -> bool:
        user = request.user
        return user.is_active and user.is_staff and user.is_program_admin and user.organisation_id is not None

    def has_module_permission(self, request):
        return self._is_operator(request) or self._is_program_admin(request)

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    has_change_permission = has_view_permission
    has_add_permission = has_module_permission
    has_delete_permission = has_view_permission

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if self._is_operator(request):
            return queryset
        if self._is_program_admin(request):
            return queryset.filter(**{self.organisation_path: request.user.organisation_id})
        return queryset.none()

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if not self._is_operator(request):
            related = db_field.related_model
            if related is Organisation:
                kwargs["queryset"] = Organisation.objects.filter(pk=request.user.organisation_id)
            elif hasattr(related, "organisation"):
                kwargs["queryset"] = related._default_manager.filter(organisation_id=request.user.organisation_id)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def history_view(self, request, object_id, extra_context=None):
        # simple-history falls back to historical rows when the object is not in the
        # queryset: check visibility first, so deleted or foreign records stay hidden.
        if self.get_object(request, object_id) is None:
            raise Http404
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if self.get_object(request, object_id) is None:
            raise Http404
        return super().history_form_view(request, object_id, version_id, extra_context)

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        # Another program's record must look exactly like a missing one.
        raise Http404


@admin.register(Organisation)
class OrganisationAdmin(OrganisationScopedAdmin):
    organisation_path = "pk"
    list_display = ["name", "slug", "time_zone", "caseload_limit", "weekly_in_person_employer_contacts"]

    def has_add_permission(self, request):
        return self._is_operator(request)

    def has_delete_permission(self, request, obj=None):
        return self._is_operator(request)


@admin.register(Team)
class TeamAdmin(OrganisationScopedAdmin):
    list_display = ["name", "leader", "organisation"]


@admin.register(User)
class CrmUserAdmin(OrganisationScopedAdmin, UserAdmin):
    list_display = ["username", "first_name", "last_name", "role", "team", "organisation", "is_active"]
    list_filter = ["role", "is_active"]
    fieldsets = UserAdmin.fieldsets + ((None, {"fields": ("organisation", "role", "team")}),)
    add_fieldsets = UserAdmin.add_fieldsets + ((None, {"fields": ("organisation", "role", "team")}),)

    def get_readonly_fields(self, request, obj=None):
        if self._is_operator(request):
            return ()
        # A program admin cannot mint operators or move people between programs.
        return ("is_superuser", "user_permissions", "groups", "organisation")

    def save_model(self, request, obj, form, change):
        if not self._is_operator(request):
            obj.organisation_id = request.user.organisation_id
        super().save_model(request, obj, form, change)


@admin.register(JobSeeker)
class JobSeekerAdmin(OrganisationScopedAdmin, SimpleHistoryAdmin):
    list_display = ["last_name", "first_name", "status", "specialist", "enrolment_date"]
    list_filter = ["status"]
    search_fields = ["last_name", "first_name"]


@admin.register(CareerProfile)
class CareerProfileAdmin(OrganisationScopedAdmin, SimpleHistoryAdmin):
    organisation_path = "job_seeker__organisation"


@admin.register(JobPreference)
class JobPreferenceAdmin(OrganisationScopedAdmin, SimpleHistoryAdmin):
    organisation_path = "job_seeker__organisation"


class TaxonomyAdmin(admin.ModelAdmin):
    list_display = ["code", "label_en", "label_fr"]
    search_fields = ["code", "label_en", "label_fr"]

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser


admin.site.register(Industry, TaxonomyAdmin)
admin.site.register(JobType, TaxonomyAdmin)


class EventHandlingInline(admin.TabularInline):
    model = EventHandling
    extra = 0
    can_delete = False
    fields = ["handler", "status", "attempts", "last_error", "updated_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        # Shown inside an event the user may already see (OutboxEventAdmin scopes it).
        return request.user.is_active and (request.user.is_superuser or request.user.is_program_admin)


@admin.register(OutboxEvent)
class OutboxEventAdmin(OrganisationScopedAdmin):
    """Program admins see their program's events; failed ones show each handler's error
    and can be retried."""

    list_display = ["id", "topic", "aggregate_type", "aggregate_id", "occurred_at", "status", "send_count"]
    list_filter = ["status", "topic"]
    readonly_fields = [
        "topic",
        "aggregate_type",
        "aggregate_id",
        "payload",
        "occurred_at",
        "dedup_key",
        "actor",
        "status",
        "created_at",
        "last_sent_at",
        "send_count",
        "handled_at",
    ]
    exclude = ["organisation"]
    inlines = [EventHandlingInline]
    actions = ["retry_failed_handlers"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Retry the failed handlers of the selected events"))
    def retry_failed_handlers(self, request, queryset):
        from crm.events import retry_failed

        failed = list(queryset.filter(status=OutboxEvent.Status.FAILED))
        for event in failed:
            retry_failed(event)
        self.message_user(request, _("%(count)d event(s) sent again.") % {"count": len(failed)})


@admin.register(EventHandling)
class EventHandlingAdmin(OrganisationScopedAdmin):
    organisation_path = "event__organisation"
    list_display = ["event", "handler", "status", "attempts", "updated_at"]
    list_filter = ["status"]
    readonly_fields = ["event", "handler", "status", "attempts", "last_error", "updated_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
