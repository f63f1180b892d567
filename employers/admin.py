from django.contrib import admin

from crm.admin import OrganisationScopedAdmin
from employers.models import ContactPerson, Employer, EmployerSite


@admin.register(Employer)
class EmployerAdmin(OrganisationScopedAdmin):
    list_display = ["name", "industry", "relationship_stage", "size"]
    list_filter = ["relationship_stage", "size"]
    search_fields = ["name"]


@admin.register(EmployerSite)
class EmployerSiteAdmin(OrganisationScopedAdmin):
    organisation_path = "employer__organisation"
    list_display = ["employer", "address", "postcode", "town"]


@admin.register(ContactPerson)
class ContactPersonAdmin(OrganisationScopedAdmin):
    organisation_path = "employer__organisation"
    list_display = ["name", "employer", "role", "has_hiring_authority"]
