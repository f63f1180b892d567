"""Reads on employers. Employers, their sites and contact persons are shared across
the whole program; other organisations' employers are never returned."""

import django_filters
from django import forms
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from crm.models import Industry
from employers.models import ContactPerson, Employer, EmployerSite, JobOpening


def employers_visible_to(user) -> QuerySet[Employer]:
    if not user.is_authenticated or user.organisation_id is None:
        return Employer.objects.none()
    return Employer.objects.filter(organisation_id=user.organisation_id).select_related("industry")


def employers_for_list(user) -> QuerySet[Employer]:
    return (
        employers_visible_to(user)
        .annotate(
            site_count=Count("sites", distinct=True), contact_person_count=Count("contact_persons", distinct=True)
        )
        .order_by("name", "id")
    )


def employer_for_detail(user, pk: int) -> Employer:
    return (
        employers_visible_to(user)
        .select_related("created_by")
        .prefetch_related(
            "sites",
            "contact_persons__site",
            Prefetch("job_openings", queryset=JobOpening.objects.select_related("job_type", "site")),
        )
        .get(pk=pk)
    )


def employer_site_for_edit(user, employer: Employer, pk: int) -> EmployerSite:
    return EmployerSite.objects.get(employer=employers_visible_to(user).get(pk=employer.pk), pk=pk)


def contact_person_for_edit(user, employer: Employer, pk: int) -> ContactPerson:
    return ContactPerson.objects.get(employer=employers_visible_to(user).get(pk=employer.pk), pk=pk)


class EmployerFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Search"),
        method="search",
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Name, town or postcode")}),
    )
    industry = django_filters.ModelChoiceFilter(
        label=_("Industry"), queryset=Industry.objects.all(), empty_label=_("Any industry")
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


def job_opening_for_edit(user, employer: Employer, pk: int) -> JobOpening:
    return JobOpening.objects.get(employer=employers_visible_to(user).get(pk=employer.pk), pk=pk)
