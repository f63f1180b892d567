"""Reads on employers. Employers, their sites, contact persons and job openings are
shared across the whole program (crm.access: `program_shared`); other programs'
employers are never returned."""

import django_filters
from django import forms
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from crm.access import AccessScope, rows_rule
from crm.models import Industry
from crm.selectors import by_label
from employers.models import ContactPerson, Employer, EmployerSite, JobOpening


def employers_visible(scope: AccessScope) -> QuerySet[Employer]:
    return Employer.objects.filter(scope.program_shared("organisation")).select_related("industry")


def employers_for_list(scope: AccessScope) -> QuerySet[Employer]:
    return (
        employers_visible(scope)
        .annotate(
            site_count=Count("sites", distinct=True), contact_person_count=Count("contact_persons", distinct=True)
        )
        .order_by("name", "id")
    )


def employer_for_detail(scope: AccessScope, pk: int) -> Employer:
    return scope.get(
        employers_visible(scope)
        .select_related("created_by")
        .prefetch_related(
            "sites",
            "contact_persons__site",
            Prefetch("job_openings", queryset=JobOpening.objects.select_related("job_type", "site")),
        ),
        pk=pk,
    )


@rows_rule(EmployerSite)
def employer_sites_visible(scope: AccessScope) -> QuerySet[EmployerSite]:
    return EmployerSite.objects.filter(scope.program_shared("employer__organisation")).select_related("employer")


@rows_rule(ContactPerson)
def contact_persons_visible(scope: AccessScope) -> QuerySet[ContactPerson]:
    return ContactPerson.objects.filter(scope.program_shared("employer__organisation")).select_related("employer")


@rows_rule(JobOpening)
def job_openings_visible(scope: AccessScope) -> QuerySet[JobOpening]:
    return JobOpening.objects.filter(scope.program_shared("employer__organisation")).select_related("employer")


rows_rule(Employer)(employers_visible)


class EmployerFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Search"),
        method="search",
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Name, town or postcode")}),
    )
    industry = django_filters.ModelChoiceFilter(
        label=_("Industry"), queryset=by_label(Industry.objects.all()), empty_label=_("Any industry")
    )
    relationship_stage = django_filters.ChoiceFilter(
        label=_("Relationship stage"), choices=Employer.RelationshipStage.choices, empty_label=_("Any stage")
    )

    class Meta:
        model = Employer
        fields = ["q", "industry", "relationship_stage"]

    def search(self, queryset, name, value):
        for word in value.split():
            queryset = queryset.filter(
                Q(name__icontains=word) | Q(sites__town__icontains=word) | Q(sites__postcode__startswith=word)
            )
        return queryset.distinct()
