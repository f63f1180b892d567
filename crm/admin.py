"""Django admin for program admins (scoped to their program) and platform operators
(superusers, who see everything). Another program's record answers 404 here too."""

from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db.models.constants import LOOKUP_SEP
from django.http import Http404
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy, ngettext
from simple_history.admin import SimpleHistoryAdmin

from crm.access import access_scope, rows
from crm.forms import labelled, parse_id
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


class ScopedRelatedFieldListFilter(admin.RelatedFieldListFilter):
    """A list filter on a relation offers only the related rows the scope may see."""

    def field_choices(self, field, request, model_admin):
        ordering = self.field_admin_ordering(field, request, model_admin)
        related = rows(access_scope(request.user), field.related_model)
        if ordering:
            related = related.order_by(*ordering)
        return [(obj.pk, str(obj)) for obj in related]


class ReadOnlyFieldErrors:
    """A ModelForm mixin: the model's own rules (Model.clean) may name a field the admin
    shows read-only (a workflow field). Django's ModelForm raises ValueError for an
    error on a field it does not hold, a 500; here such an error is shown above the
    form, with the field's name, and nothing is saved."""

    #: The program a new row will belong to (ScopedAdmin.save_model sets it): known
    #: before validation, so the uniqueness rules that include it are checked.
    scope_organisation_id = None

    def _post_clean(self):
        new_in_program = self.scope_organisation_id is not None and hasattr(self.instance, "organisation_id")
        if new_in_program and self.instance.organisation_id is None:
            self.instance.organisation_id = self.scope_organisation_id
        super()._post_clean()
        # Django skips a constraint or a uniqueness rule naming a field the form does
        # not hold (the read-only organisation of "one team name per program"), and the
        # database then refused the row: a 500. Fields not in the form keep the
        # instance's own values, so such rules are checked with them (messages already
        # shown are not repeated).
        exclude = {name for name in self._get_validation_exclusions() if name in self.fields}
        shown = {str(message) for messages in self.errors.values() for message in messages}
        for check in (self.instance.validate_constraints, self.instance.validate_unique):
            try:
                check(exclude=exclude)
            except ValidationError as error:
                fresh = {
                    name: [item for item in items if not shown & set(item.messages)]
                    for name, items in error.error_dict.items()
                }
                fresh = {name: items for name, items in fresh.items() if items}
                if fresh:
                    self._update_errors(ValidationError(fresh))

    def _update_errors(self, errors):
        if hasattr(errors, "error_dict"):
            absent = [name for name in errors.error_dict if name != NON_FIELD_ERRORS and name not in self.fields]
            for name in absent:
                label = capfirst(self._meta.model._meta.get_field(name).verbose_name)
                messages = errors.error_dict.pop(name)
                errors.error_dict.setdefault(NON_FIELD_ERRORS, []).extend(
                    ValidationError(labelled(label, message)) for error in messages for message in error.messages
                )
        super()._update_errors(errors)


class _SubmittedIdsChecked:
    """Django renders a bound autocomplete by querying the submitted values: a value
    that is no id ("²", 2^63) was a ValueError there, a 500. It is left out of the
    rendering; the form field itself answers "Select a valid choice"."""

    def optgroups(self, name, value, attr=None):
        value = [item for item in value if item in ("", None) or parse_id(str(item)) is not None]
        return super().optgroups(name, value, attr)


class CheckedAutocompleteSelect(_SubmittedIdsChecked, AutocompleteSelect):
    pass


class CheckedAutocompleteSelectMultiple(_SubmittedIdsChecked, AutocompleteSelectMultiple):
    pass


def _with_read_only_field_errors(form_class):
    return type(form_class.__name__, (ReadOnlyFieldErrors, form_class), {})


class ScopedAdmin(admin.ModelAdmin):
    """Every admin page goes through the access scope (crm.access): the list, the
    change form, every foreign-key and many-to-many choice, list filters, autocomplete
    and inlines offer and accept only the rows the scope may see. Program admins see
    their program; platform operators (superusers) everything. Another program's
    record answers 404, history pages included.

    `workflow_fields` change only through services (which emit events and keep the
    rules): they are read-only here, and rows of a workflow model are created in the
    app, not here (`created_in_app`)."""

    workflow_fields: tuple[str, ...] = ()
    created_in_app = False

    def scope(self, request):
        return access_scope(request.user)

    def has_module_permission(self, request):
        return self.scope(request).uses_admin

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    has_change_permission = has_view_permission

    def has_delete_permission(self, request, obj=None):
        # A workflow row is closed or ended through its service, never deleted here.
        return self.has_module_permission(request) and not self.created_in_app

    def has_add_permission(self, request, *args):
        return self.has_module_permission(request) and not self.created_in_app

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        scope = self.scope(request)
        if scope.is_operator:
            return queryset
        return queryset.filter(pk__in=rows(scope, self.model).values("pk"))

    def get_form(self, request, obj=None, **kwargs):
        form_class = _with_read_only_field_errors(super().get_form(request, obj, **kwargs))
        scope = self.scope(request)
        if self._has_organisation() and not scope.is_operator:
            form_class.scope_organisation_id = scope.organisation_id
        return form_class

    def _has_organisation(self) -> bool:
        return any(field.name == "organisation" for field in self.model._meta.concrete_fields)

    def get_readonly_fields(self, request, obj=None):
        fields = (*super().get_readonly_fields(request, obj), *self.workflow_fields)
        if self._has_organisation() and not self.scope(request).is_operator:
            fields = (*fields, "organisation")  # a program admin works in their own program
        return tuple(dict.fromkeys(fields))

    def save_model(self, request, obj, form, change):
        scope = self.scope(request)
        if self._has_organisation() and not scope.is_operator:
            obj.organisation_id = scope.organisation_id
        super().save_model(request, obj, form, change)

    def get_list_filter(self, request):
        filters = []
        for item in super().get_list_filter(request):
            if isinstance(item, str) and "__" not in item and self.model._meta.get_field(item).is_relation:
                item = (item, ScopedRelatedFieldListFilter)
            filters.append(item)
        return filters

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        scope = self.scope(request)
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = CheckedAutocompleteSelect(db_field, self.admin_site, using=kwargs.get("using"))
        if not scope.is_operator:
            kwargs["queryset"] = rows(scope, db_field.related_model)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        scope = self.scope(request)
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = CheckedAutocompleteSelectMultiple(db_field, self.admin_site, using=kwargs.get("using"))
        if not scope.is_operator:
            kwargs["queryset"] = rows(scope, db_field.related_model)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def history_view(self, request, object_id, extra_context=None):
        # simple-history falls back to historical rows when the object is not in the
        # queryset: check visibility first, so deleted or foreign records stay hidden.
        if self.get_object(request, object_id) is None:
            raise Http404
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if self.get_object(request, object_id) is None:
            raise Http404
        if request.method == "POST":
            # Reverting would write every field at once, workflow fields included,
            # with no service and no event: the history is for reading.
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        # Another program's record must look exactly like a missing one.
        raise Http404


class ScopedInline(admin.TabularInline):
    """An inline whose rows and choices go through the scope, like ScopedAdmin."""

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        scoped = self.get_queryset(request)

        class ScopedFormSet(formset):
            form = _with_read_only_field_errors(formset.form)

            def add_fields(self, form, index):
                super().add_fields(form, index)
                # The hidden id of each row: only the scope's rows may be named.
                form.fields[self._pk_field.name].queryset = scoped

        return ScopedFormSet

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        scope = access_scope(request.user)
        if scope.is_operator:
            return queryset
        return queryset.filter(pk__in=rows(scope, self.model).values("pk"))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        scope = access_scope(request.user)
        if not scope.is_operator:
            kwargs["queryset"] = rows(scope, db_field.related_model)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Organisation)
class OrganisationAdmin(ScopedAdmin):
    """The program's settings. The fidelity thresholds are grouped with the definitions
    the dashboard uses them for (their help texts: crm.models.Organisation)."""

    list_display = ["name", "slug", "time_zone", "caseload_limit", "weekly_in_person_employer_contacts"]
    fieldsets = (
        (None, {"fields": ("name", "slug", "time_zone", "town", "country", "team_cover")}),
        (
            gettext_lazy("Fidelity thresholds"),
            {
                "description": gettext_lazy(
                    "The figures of the IPS fidelity scale that the team dashboard computes use these settings; "
                    "the defaults score 5 on the scale."
                ),
                "fields": (
                    "caseload_limit",
                    "active_contact_days",
                    "weekly_in_person_employer_contacts",
                    "days_to_first_employer_contact",
                    "rapid_search_nudge_days",
                    "employer_contact_gap_days",
                    "job_type_diversity_percent",
                    "employer_diversity_percent",
                    "competitive_jobs_percent",
                    "community_time_percent",
                    "employment_rate_target_percent",
                    "retention_13_weeks_target_percent",
                ),
            },
        ),
        (
            gettext_lazy("Follow-along"),
            {
                "fields": (
                    "follow_along_first_contact_days",
                    "follow_along_weekly_weeks",
                    "follow_along_monthly_days",
                    "job_end_contact_days",
                )
            },
        ),
        (gettext_lazy("Calendars"), {"fields": ("job_seeker_names_in_calendars",)}),
    )

    def has_add_permission(self, request):
        return self.scope(request).is_operator

    def has_delete_permission(self, request, obj=None):
        return self.scope(request).is_operator


@admin.register(Team)
class TeamAdmin(ScopedAdmin):
    list_display = ["name", "leader", "organisation"]


@admin.register(User)
class CrmUserAdmin(ScopedAdmin, UserAdmin):
    list_display = ["username", "first_name", "last_name", "role", "team", "fte", "organisation", "is_active"]
    list_filter = ["role", "is_active"]
    # The FTE (full-time equivalent in employment services) divides the active caseload
    # in the fidelity item "caseload size".
    fieldsets = UserAdmin.fieldsets + ((None, {"fields": ("organisation", "role", "team", "fte")}),)
    add_fieldsets = UserAdmin.add_fieldsets + ((None, {"fields": ("organisation", "role", "team", "fte")}),)

    def get_readonly_fields(self, request, obj=None):
        if self.scope(request).is_operator:
            return ()
        # A program admin cannot mint operators or move people between programs.
        return ("is_superuser", "user_permissions", "groups", "organisation")


@admin.register(JobSeeker)
class JobSeekerAdmin(ScopedAdmin, SimpleHistoryAdmin):
    list_display = ["last_name", "first_name", "status", "specialist", "enrolment_date"]
    list_filter = ["status", "specialist"]
    search_fields = ["last_name", "first_name"]
    # Status, reassignment and the rapid-job-search clock change through crm.services
    # (status history, events, tasks handed over), never directly.
    # The disclosure preference too: crm.services dates the first talk when a preference
    # is first recorded (fidelity item "disclosure"), which a save here would skip.
    workflow_fields = (
        "status",
        "specialist",
        "enrolment_date",
        "job_search_since",
        "first_employer_contact_on",
        "disclosure_preference",
        "disclosure_discussed_on",
    )
    created_in_app = True


@admin.register(CareerProfile)
class CareerProfileAdmin(ScopedAdmin, SimpleHistoryAdmin):
    workflow_fields = ("job_seeker",)
    created_in_app = True


@admin.register(JobPreference)
class JobPreferenceAdmin(ScopedAdmin, SimpleHistoryAdmin):
    """Read here; changed on the job seeker's page, where crm.services checks them (a
    job type is not both wanted and avoided)."""

    created_in_app = True

    def has_change_permission(self, request, obj=None):
        return False


class TaxonomyAdmin(ScopedAdmin):
    """The shared classifications: read by program admins, changed by operators only
    (a code is never renumbered or reused)."""

    list_display = ["code", "label_en", "label_fr"]
    search_fields = ["code", "label_en", "label_fr"]

    def has_change_permission(self, request, obj=None):
        return self.scope(request).is_operator

    has_add_permission = has_delete_permission = has_change_permission


admin.site.register(Industry, TaxonomyAdmin)
admin.site.register(JobType, TaxonomyAdmin)


class FailureSummaryMixin:
    """`last_error` holds a failure's whole traceback (crm.events). Platform operators
    see it under the summary; program admins see the summary only (the exception's
    type and message: crm.events.failure_summary), not the server's files and code."""

    def _shows_tracebacks(self, request) -> bool:
        return access_scope(request.user).is_operator

    def _with_summary(self, request, names) -> list[str]:
        names = list(names)
        if "last_error" in names:
            names[names.index("last_error")] = "error_summary"
        names = list(dict.fromkeys(names))
        if self._shows_tracebacks(request) and "error_summary" in names:
            names.insert(names.index("error_summary") + 1, "last_error")
        return names

    def get_fields(self, request, obj=None):
        return self._with_summary(request, super().get_fields(request, obj))

    def get_readonly_fields(self, request, obj=None):
        return self._with_summary(request, super().get_readonly_fields(request, obj))

    def get_exclude(self, request, obj=None):
        exclude = list(super().get_exclude(request, obj) or ())
        return exclude if self._shows_tracebacks(request) else [*exclude, "last_error"]

    def lookup_allowed(self, lookup, value, request):
        # A filter on the traceback (?last_error__contains=...) would let a program
        # admin read it a guess at a time.
        if lookup.split(LOOKUP_SEP)[0] == "last_error" and not self._shows_tracebacks(request):
            return False
        return super().lookup_allowed(lookup, value, request)

    @admin.display(description=gettext_lazy("error"))
    def error_summary(self, obj):
        from crm.events import failure_summary

        return failure_summary(obj.last_error) if obj.last_error else ""


class EventHandlingInline(FailureSummaryMixin, ScopedInline):
    model = EventHandling
    extra = 0
    can_delete = False
    fields = ["handler", "status", "attempts", "next_attempt_at", "last_error", "updated_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        # Shown inside an event the user may already see (OutboxEventAdmin scopes it).
        return access_scope(request.user).uses_admin


@admin.register(OutboxEvent)
class OutboxEventAdmin(FailureSummaryMixin, ScopedAdmin):
    """Program admins see their program's events; failed ones show each handler's error
    (its summary: FailureSummaryMixin) and can be retried."""

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
        "last_error",
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

    @admin.action(description=gettext_lazy("Retry the failed handlers of the selected events"))
    def retry_failed_handlers(self, request, queryset):
        from crm.events import retry_failed

        failed = list(queryset.filter(status=OutboxEvent.Status.FAILED))
        for event in failed:
            retry_failed(event)
        self.message_user(
            request,
            ngettext("%(count)d event sent again.", "%(count)d events sent again.", len(failed))
            % {"count": len(failed)},
        )


@admin.register(EventHandling)
class EventHandlingAdmin(FailureSummaryMixin, ScopedAdmin):
    list_display = ["event", "handler", "status", "attempts", "next_attempt_at", "updated_at"]
    list_filter = ["status"]
    readonly_fields = ["event", "handler", "status", "attempts", "next_attempt_at", "last_error", "updated_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
