"""Input as typed as the schema says. DRF coerces: "5" becomes 5, 0 becomes "0",
"true" becomes True. The API refuses a value whose JSON type is not the one the
schema documents (400, on the field), so a client's bug is caught, not guessed at.
Mix `StrictTypes` into an input serializer, first."""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework import serializers

#: field class -> (JSON type name, Python types accepted), most specific first.
JSON_TYPES = [
    (serializers.BooleanField, ("boolean", (bool,))),
    (serializers.IntegerField, ("integer", (int,))),
    (serializers.DecimalField, ("string", (str,))),  # a decimal is a string in the schema
    (serializers.FloatField, ("number", (int, float))),
    (serializers.CharField, ("string", (str,))),
    (serializers.ChoiceField, ("string", (str,))),
    (serializers.DateField, ("string", (str,))),
    (serializers.DateTimeField, ("string", (str,))),
    (serializers.TimeField, ("string", (str,))),
    (serializers.PrimaryKeyRelatedField, ("integer", (int,))),
    (serializers.SlugRelatedField, ("string", (str,))),
]


def _expected(field):
    for field_class, expected in JSON_TYPES:
        if isinstance(field, field_class):
            return expected
    return None


def _type_error(field, value) -> str | None:
    if value is None:
        return None  # DRF's own "may not be null" where null is not allowed
    if isinstance(field, serializers.ManyRelatedField):
        field = field.child_relation
        if not isinstance(value, list):
            return None  # DRF's own "expected a list" message
        values = value
    elif isinstance(field, serializers.ListField):
        field = field.child
        if not isinstance(value, list):
            return None
        values = value
    else:
        values = [value]
    expected = _expected(field)
    if expected is None:
        return None
    name, types = expected
    for item in values:
        if item is None:
            continue
        if name == "integer" and isinstance(item, float) and item.is_integer():
            continue  # JSON Schema (OpenAPI 3.1): 564.0 is an integer, as 564 is
        if not isinstance(item, types) or (bool not in types and isinstance(item, bool)):
            return _("Expected a JSON %(type)s.") % {"type": name}
    return None


class StrictTypes:
    def to_internal_value(self, data):
        if isinstance(data, dict):
            errors = {}
            for name, field in self.fields.items():
                if field.read_only or field.source == "*" or name not in data:
                    continue
                message = _type_error(field, data[name])
                if message:
                    errors[name] = [message]
            if errors:
                raise serializers.ValidationError(errors)
        return super().to_internal_value(data)
