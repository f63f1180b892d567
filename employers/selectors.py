"""Reads on employers. Employers, their sites, contact persons and job openings are
shared across the whole program (crm.access: `program_shared`); other programs'
employers are never returned."""

import dataclasses

import django_filters
from django import forms
from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from crm.access import AccessScope, rows_rule
from crm.models import Industry
from crm.selectors import by_label
from employers.models import ContactPerson, Employer, EmployerSite, JobOpening


def employers_visible(scope: AccessScope) -> QuerySet[Employer]:
    return Employer.objects.filter(scope.program_shared("organisation")).select_related("industry")


def employers_for_list(scope: AccessScope) -> QuerySet[Employer]:
    """The employers of the list, by name then id, before filtering and paging. The
    counts of sites and contact persons are added to the page's rows only
    (`employer_list_page`): a grouped join over every employer cost 0.5 s at 100,000."""
    return employers_visible(scope).order_by("name", "id")


def _count_of(model, **correlation) -> Coalesce:
    """A correlated COUNT(*) of `model`'s rows for the outer row: one index probe per
    row of the page (PostgreSQL evaluates it after the LIMIT)."""
    rows = model.objects.filter(**correlation).order_by().values(*correlation).annotate(n=Count("*")).values("n")
    return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))


#: Up to this many matching rows the list counts them exactly and numbers its pages;
#: beyond, it says "more than" and pages by Previous / Next only. Counting is then a
#: scan of at most LIST_COUNT_CAP + 1 index entries instead of the whole table.
LIST_COUNT_CAP = 1000


@dataclasses.dataclass
class ListPage:
    """One page of a list counted up to a cap (the part of Django's Page the templates
    use). `count` is exact when `count_is_exact`, else at least LIST_COUNT_CAP + 1;
    `num_pages` is None when the count is not exact."""

    object_list: list
    number: int
    page_size: int
    count: int
    count_is_exact: bool
    has_next: bool
    count_cap: int = LIST_COUNT_CAP

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_other_pages(self) -> bool:
        return self.has_previous or self.has_next

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def num_pages(self) -> int | None:
        if not self.count_is_exact:
            return None
        return max(1, -(-self.count // self.page_size))


def _page_number(raw) -> int:
    try:
        number = int(raw)
    except (TypeError, ValueError):
        return 1
    return number if number >= 1 else 1


def list_page(queryset: QuerySet, raw_number, page_size: int, *, cap: int | None = None, rows=None) -> ListPage:
    """The page `raw_number` (as sent; anything not a positive number is page 1; past
    the end, the last page) of an ordered `queryset`, in two queries: a count that
    stops after `cap` + 1 rows, and the page's rows, one more than a page to know
    whether another follows (`rows(queryset)` may annotate them). A page past a count
    beyond the cap costs one exact count more."""
    cap = LIST_COUNT_CAP if cap is None else cap
    number = _page_number(raw_number)
    count = queryset.order_by().values("pk")[: cap + 1].count()
    exact = count <= cap
    if not exact and (number - 1) * page_size >= count:
        count, exact = queryset.count(), True
    if exact:
        number = min(number, max(1, -(-count // page_size)))
    start = (number - 1) * page_size
    page_rows = list((rows(queryset) if rows else queryset)[start : start + page_size + 1])
    return ListPage(
        object_list=page_rows[:page_size],
        number=number,
        page_size=page_size,
        count=count,
        count_is_exact=exact,
        has_next=len(page_rows) > page_size,
        count_cap=cap,
    )


def employer_list_page(queryset: QuerySet[Employer], raw_number, page_size: int) -> ListPage:
    """A page of `employers_for_list` (filtered), each row with `site_count` and
    `contact_person_count`."""
    return list_page(
        queryset,
        raw_number,
        page_size,
        rows=lambda employers: employers.annotate(
            site_count=_count_of(EmployerSite, employer=OuterRef("pk")),
            contact_person_count=_count_of(ContactPerson, employer=OuterRef("pk")),
        ),
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
        return queryset.filter(employer_search(value))


def employer_search(value: str, *, max_words: int = 10) -> Q:
    """Employers whose name, or a site's town, contains each word, or a site's postcode
    starts with it (case-insensitive).

    Each word is one `id IN (names UNION sites)`, uncorrelated: on PostgreSQL the
    trigram indexes on UPPER(name) and UPPER(town) and the pattern index on postcode
    (employers migration 0007) find the few matching rows, where an OR with a join
    (and DISTINCT) or a correlated EXISTS read every employer."""
    condition = Q()
    for word in value.split()[:max_words]:
        names = Employer.objects.filter(name__icontains=word).order_by().values("pk")
        sites = (
            EmployerSite.objects.filter(Q(town__icontains=word) | Q(postcode__startswith=word))
            .order_by()
            .values("employer_id")
        )
        condition &= Q(pk__in=names.union(sites))
    return condition
