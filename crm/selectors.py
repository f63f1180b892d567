"""Reads that leave the core. Each takes the access scope (crm.access), which alone
knows the rules: a record out of scope is not in the queryset, so fetching it by id
answers 404."""

import datetime
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TypeVar

import django_filters
from django import forms
from django.db.models import Avg, CharField, Expression, F, Func, OrderBy, Prefetch, Q, QuerySet, Value
from django.db.models.functions import Collate, Lower, Replace
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from crm.access import AccessScope
from crm.models import Industry, JobSeeker, JobType, Organisation, User

T = TypeVar("T")


def job_seekers_visible(scope: AccessScope) -> QuerySet[JobSeeker]:
    return scope.job_seekers()


def job_seekers_editable(scope: AccessScope) -> QuerySet[JobSeeker]:
    return scope.job_seekers(edit=True)


def job_seeker_for_detail(scope: AccessScope, pk: int) -> JobSeeker:
    """A visible job seeker with everything the detail page shows, or OutOfScope (404)."""
    return scope.get(
        scope.job_seekers()
        .select_related("career_profile", "job_preference", "specialist__team")
        .prefetch_related(
            *(
                Prefetch(f"job_preference__{name}", queryset=by_label(model.objects.all()))
                for name, model in (
                    ("job_types", JobType),
                    ("industries", Industry),
                    ("avoid_job_types", JobType),
                    ("avoid_industries", Industry),
                )
            ),
            "status_changes__changed_by",
        ),
        pk=pk,
    )


class JobSeekerFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Search"),
        method="search",
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Name, email or town")}),
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=JobSeeker.Status.choices, empty_label=_("Any status")
    )
    specialist = django_filters.ModelChoiceFilter(
        label=_("Specialist"), queryset=User.objects.none(), empty_label=_("Any specialist")
    )
    rapid_search = django_filters.ChoiceFilter(
        label=_("Rapid job search"),
        choices=[],
        empty_label=_("Everyone"),
        method="filter_rapid_search",
    )

    class Meta:
        model = JobSeeker
        fields = ["q", "status", "specialist", "rapid_search"]

    def __init__(self, *args, scope: AccessScope, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["specialist"].queryset = scope.staff()
        # The marks are the program's own settings: its nudge days and its fidelity limit.
        marks = scope.organisation.rapid_search_marks if scope.organisation else []
        self.filters["rapid_search"].extra["choices"] = [
            (f"waiting_{day}", _("No employer contact after %(days)s days") % {"days": day}) for day in marks
        ]

    def filter_rapid_search(self, queryset, name, value):
        days = int(value.rsplit("_", 1)[1])
        return queryset.filter(
            status=JobSeeker.Status.JOB_SEARCH,
            first_employer_contact_on__isnull=True,
            job_search_since__lte=timezone.localdate() - datetime.timedelta(days=days),
        )

    def search(self, queryset, name, value):
        for word in value.split():
            queryset = queryset.filter(
                Q(first_name__icontains=word)
                | Q(last_name__icontains=word)
                | Q(email__icontains=word)
                | Q(town__icontains=word)
            )
        return queryset


# The rapid-job-search badge -----------------------------------------------------


@dataclass(frozen=True)
class RapidSearchBadge:
    """What the rapid-job-search badge of a job seeker says and in which colour.

    `state` is one of:
    - "met": the first employer contact came within the program's limit (green);
    - "late": it came, but after the limit (red);
    - "waiting": in job search without one, well within the limit (neutral);
    - "approaching": without one, from the program's first nudge day up to the limit
      itself (amber);
    - "overdue": without one, past the limit (red).
    `days` is the day of the first contact, or the days in job search so far."""

    state: str
    days: int
    limit: int

    @property
    def css_class(self) -> str:
        return {"met": "status-working", "late": "overdue", "approaching": "warn", "overdue": "overdue"}.get(
            self.state, ""
        )

    @property
    def has_contact(self) -> bool:
        return self.state in ("met", "late")


def rapid_search_badge(
    job_seeker: JobSeeker, organisation: Organisation | None = None, *, today: datetime.date | None = None
) -> RapidSearchBadge | None:
    """The one rule for the rapid-job-search badge, against the job seeker's program's
    threshold (`Organisation.days_to_first_employer_contact`, IPS fidelity: a first
    face-to-face employer contact within N days): day N itself is still within, day
    N+1 is past it, as the team dashboard counts. `organisation` saves a query when the
    caller has it (the scope's); None when there is nothing to show."""
    if organisation is None or organisation.pk != job_seeker.organisation_id:
        organisation = job_seeker.organisation
    limit = organisation.days_to_first_employer_contact
    if job_seeker.first_employer_contact_on is not None:
        days = job_seeker.days_to_first_employer_contact()
        if days is None:
            return None
        return RapidSearchBadge("met" if days <= limit else "late", days, limit)
    days = job_seeker.days_in_job_search(today)
    if days is None:
        return None
    if days > limit:
        state = "overdue"
    elif days >= min(organisation.rapid_search_warning_day, limit):
        state = "approaching"
    else:
        state = "waiting"
    return RapidSearchBadge(state, days, limit)


# Maps ------------------------------------------------------------------------------

#: Leaflet's zoom for a town and its surroundings (about 20 km across on a laptop).
PROGRAM_MAP_ZOOM = 11


def program_map_view(organisation: Organisation) -> str | None:
    """Where a map opens for a record without a point: "latitude,longitude,zoom" at the
    middle of the program's located job seekers (one aggregate query), or None when
    none is located yet."""
    centre = JobSeeker.objects.filter(organisation=organisation, latitude__isnull=False).aggregate(
        latitude=Avg("latitude"), longitude=Avg("longitude")
    )
    if centre["latitude"] is None:
        return None
    return f"{float(centre['latitude']):.5f},{float(centre['longitude']):.5f},{PROGRAM_MAP_ZOOM}"


# Taxonomy labels in the reader's language ----------------------------------------

# Accented letters of French (and a few of its neighbours) and their base letters: a
# label sorts as its unaccented lower-case spelling, "Électricien" with the E's.
_BASE_LETTERS = {
    "a": "àâäáãå",
    "c": "ç",
    "e": "éèêë",
    "i": "îïíì",
    "n": "ñ",
    "o": "ôöóòõ",
    "u": "ùûüú",
    "y": "ÿý",
    "oe": "œ",
    "ae": "æ",
}


def label_sort_key(text: str) -> tuple[str, str]:
    """How a label sorts, in Python: accents with their base letter, case ignored
    ("Écrivain" between "Disc jockey" and "Facteur"), then the label itself so the order
    is total. The order `ActiveLabelOrder` gives in SQL (on PostgreSQL, for the letters
    in _BASE_LETTERS)."""
    text = str(text)
    base = unicodedata.normalize("NFKD", text.casefold().replace("œ", "oe").replace("æ", "ae"))
    return "".join(char for char in base if not unicodedata.combining(char)), text


def sorted_by_label(items: Iterable[T]) -> list[T]:
    """Taxonomy entries (anything with a `label`) in the active language's order."""
    return sorted(items, key=lambda item: label_sort_key(item.label))


def _sqlite_label_sort_key(text):
    return None if text is None else label_sort_key(text)[0]


class LabelSortKey(Func):
    """A label's sort key in SQL (`label_sort_key`'s first part): on SQLite that very
    Python function, registered on the connection (its parser cannot nest the fifty
    REPLACEs); elsewhere (PostgreSQL) REPLACE of each accented letter, then LOWER,
    compared byte by byte (collation "C") as Python compares strings: a database
    collation (glibc, ICU) would skip spaces and hyphens and disagree with the lists
    sorted in Python."""

    output_field = CharField()

    def as_sqlite(self, compiler, connection, **extra_context):
        connection.ensure_connection()
        connection.connection.create_function("crm_label_sort_key", 1, _sqlite_label_sort_key, deterministic=True)
        return super().as_sql(compiler, connection, function="crm_label_sort_key", **extra_context)

    def as_sql(self, compiler, connection, **extra_context):
        expression = self.get_source_expressions()[0]
        for base, letters in _BASE_LETTERS.items():
            for letter in letters + letters.upper():
                expression = Replace(expression, Value(letter), Value(base))
        return compiler.compile(Collate(Lower(expression), "C"))


class ActiveLabelOrder(Expression):
    """Orders a TranslatedLabel queryset (crm.models: JobType, Industry) by its label in
    the language active when the query runs, not when it was built (a form class's
    queryset is built once, at import): label_fr in French, label_en otherwise, accents
    sorted with their base letter and case ignored (`LabelSortKey`), on SQLite and
    PostgreSQL alike.

        JobType.objects.order_by(ActiveLabelOrder(), "pk")
        Placement.objects.order_by(ActiveLabelOrder("job_type__"))"""

    def __init__(self, prefix: str = "", *, plain: bool = False):
        super().__init__()
        self.prefix = prefix
        self.plain = plain  # the label as written: a tie-break between equal sort keys

    def __repr__(self):
        return f"{self.__class__.__name__}({self.prefix!r})"

    def resolve_expression(self, query=None, allow_joins=True, reuse=None, summarize=False, for_save=False):
        language = "fr" if (get_language() or "en").startswith("fr") else "en"
        expression = F(f"{self.prefix}label_{language}")
        if not self.plain:
            expression = LabelSortKey(expression)
        return expression.resolve_expression(query, allow_joins, reuse, summarize, for_save)

    def asc(self, **kwargs):
        return OrderBy(self, **kwargs)

    def desc(self, **kwargs):
        return OrderBy(self, descending=True, **kwargs)


def by_label(queryset: QuerySet[T], prefix: str = "") -> QuerySet[T]:
    """The one ordering of job types and industries in forms, filters and pages: by
    label in the active language (`ActiveLabelOrder`), then by label and pk."""
    return queryset.order_by(ActiveLabelOrder(prefix), ActiveLabelOrder(prefix, plain=True), f"{prefix}pk")
