"""django-filter for the API, strict: a declared filter sent empty (`?status=`) is a
400 problem, as the schema says (an empty value is not a date, a number or one of
the choices), where django-filter would silently ignore it. A plain text filter sent
empty filters nothing, as before."""

from __future__ import annotations

import datetime
import re

import django_filters
from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_filters import CharFilter
from django_filters.fields import IsoDateTimeField
from django_filters.rest_framework import DjangoFilterBackend

from .problems import BadRequest


class StrictFilterBackend(DjangoFilterBackend):
    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is not None:
            for name, filter_ in filterset_class.base_filters.items():
                if type(filter_) is CharFilter:
                    continue  # an empty string is a string: no filter
                if name in request.query_params and "" in request.query_params.getlist(name):
                    raise BadRequest(_("%(name)s is empty: leave it out or give it a value.") % {"name": name})
        return super().filter_queryset(request, queryset, view)


# Filters for ids, instants and days in query strings ------------------------------------

MAX_ID = 2**63 - 1


class IdField(forms.DecimalField):
    """An id in a query string: any number is understood, and one that cannot be an id
    (fractional, below 1, beyond a 64-bit key) becomes 0, which matches no row, rather
    than reaching the database (an integer overflow there is a 500)."""

    def clean(self, value):
        number = super().clean(value)
        if number is None:
            return None
        if number != number.to_integral_value() or not 1 <= number <= MAX_ID:
            return 0
        return int(number)


class IdFilter(django_filters.NumberFilter):
    field_class = IdField

    def get_max_validator(self):
        return None  # IdField bounds it


EARLIEST_INSTANT = datetime.datetime(1900, 1, 1, tzinfo=datetime.UTC)
LATEST_INSTANT = datetime.datetime(9000, 1, 1, tzinfo=datetime.UTC)


RFC3339_INSTANT = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2})"
)


class InstantField(IsoDateTimeField):
    """An instant in a query string, as RFC 3339 writes it (a date, T, a time and its
    offset), brought within years 1900 to 9000: every stored instant lies well inside,
    so a range filter answers the same, and an instant near year 1 or 9999 never
    overflows when the database adapter converts it to UTC."""

    def clean(self, value):
        if value not in self.empty_values and not RFC3339_INSTANT.fullmatch(str(value)):
            raise forms.ValidationError(
                gettext_lazy("Enter a date and time with its offset, e.g. 2026-11-30T09:00:00Z."), code="invalid"
            )
        instant = super().clean(value)
        if instant is None:
            return None
        try:
            instant = instant.astimezone(datetime.UTC)
        except OverflowError:
            return EARLIEST_INSTANT if instant.year < 5000 else LATEST_INSTANT
        return min(max(instant, EARLIEST_INSTANT), LATEST_INSTANT)


class InstantFilter(django_filters.IsoDateTimeFilter):
    field_class = InstantField


class IsoDateField(forms.DateField):
    input_formats = ["%Y-%m-%d"]


class IsoDateFilter(django_filters.DateFilter):
    """A day in a query string, written YYYY-MM-DD only (as the schema says)."""

    field_class = IsoDateField
