from django.contrib import admin

from crm.admin import ScopedAdmin
from employers import selectors  # noqa: F401 - registers the scope's rules for employers' models
from employers.models import ContactPerson, Employer, EmployerSite


@admin.register(Employer)
class EmployerAdmin(ScopedAdmin):
    list_display = ["name", "industry", "relationship_stage", "size"]
    # Moved by employer contacts and job starts (employers.services.employer_relationship_set).
    workflow_fields = ("relationship_stage",)
    list_filter = ["relationship_stage", "size"]
    search_fields = ["name"]


@admin.register(EmployerSite)
class EmployerSiteAdmin(ScopedAdmin):
    list_display = ["employer", "address", "postcode", "town"]
    list_filter = ["employer"]
    search_fields = ["employer__name", "name", "address", "postcode", "town"]
    autocomplete_fields = ["employer"]


@admin.register(ContactPerson)
class ContactPersonAdmin(ScopedAdmin):
    list_display = ["name", "employer", "role", "has_hiring_authority"]
    search_fields = ["name", "employer__name"]
    # Programs hold thousands of employers: search instead of a long dropdown.
    autocomplete_fields = ["employer", "site"]
