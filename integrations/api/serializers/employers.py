"""Employers, their sites and contact persons (staff only: partner keys see none).

Output serializers say what a client reads; input serializers check the shape and
hand explicit fields to employers.services, which keeps every rule (ValidationError,
answered 400 with the field's name)."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from crm.models import Industry
from employers.models import ContactPerson, Employer, EmployerSite

from .placements import CodeField, StrictInput, bounded_decimal

# Output ---------------------------------------------------------------------------------


class CoordinatesSerializer(serializers.Serializer):
    latitude = serializers.DecimalField(max_digits=8, decimal_places=6, read_only=True)
    longitude = serializers.DecimalField(max_digits=9, decimal_places=6, read_only=True)


class EmployerSiteSerializer(serializers.ModelSerializer):
    coordinates = serializers.SerializerMethodField(help_text=_("Where the site is, or null when unknown."))

    class Meta:
        model = EmployerSite
        fields = ["id", "employer", "name", "address", "postcode", "town", "coordinates"]
        read_only_fields = fields

    @extend_schema_field(CoordinatesSerializer(allow_null=True))
    def get_coordinates(self, site):
        if site.latitude is None or site.longitude is None:
            return None
        return CoordinatesSerializer(site).data


class ContactPersonSerializer(serializers.ModelSerializer):
    email = serializers.CharField(read_only=True, help_text=_("An email address, or empty."))

    class Meta:
        model = ContactPerson
        fields = [
            "id",
            "employer",
            "site",
            "name",
            "role",
            "has_hiring_authority",
            "preferred_channel",
            "phone",
            "email",
        ]
        read_only_fields = fields


class EmployerSerializer(serializers.ModelSerializer):
    industry = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True, help_text=_("NACE Rev. 2 section code.")
    )
    website = serializers.CharField(read_only=True, help_text=_("A URL, or empty."))
    sites = EmployerSiteSerializer(many=True, read_only=True)
    contact_persons = ContactPersonSerializer(many=True, read_only=True)

    class Meta:
        model = Employer
        fields = [
            "id",
            "name",
            "industry",
            "size",
            "relationship_stage",
            "website",
            "description",
            "sites",
            "contact_persons",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


# Input ----------------------------------------------------------------------------------

LATITUDE_PATTERN = r"^-?(90(\.0{1,6})?|[1-8]?[0-9](\.[0-9]{1,6})?)$"
LONGITUDE_PATTERN = r"^-?(180(\.0{1,6})?|(1[0-7][0-9]|[1-9]?[0-9])(\.[0-9]{1,6})?)$"


@extend_schema_field(
    {
        "type": "string",
        "format": "uri",
        "maxLength": 200,
        "pattern": r"^(https?://([a-z0-9]+\.)+[a-z]{2,}(/[a-zA-Z0-9._~-]*)*)?$",
        "example": "https://boulangerie-du-port.example.com",
    }
)
class WebsiteField(serializers.URLField):
    """A web address (http or https), or empty."""


class CoordinatesInputSerializer(StrictInput):
    """Latitude and longitude, given together (WGS 84 degrees, as decimal strings)."""

    latitude = bounded_decimal(LATITUDE_PATTERN, max_digits=8, decimal_places=6, min_value=-90, max_value=90)
    longitude = bounded_decimal(LONGITUDE_PATTERN, max_digits=9, decimal_places=6, min_value=-180, max_value=180)

    def validate(self, attrs):
        # Also in a PATCH (a partial serializer): a point has both its coordinates.
        missing = {name: [_("This field is required.")] for name in ("latitude", "longitude") if name not in attrs}
        if missing:
            raise serializers.ValidationError(missing)
        return attrs


class EmployerSiteInputSerializer(StrictInput):
    name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    address = serializers.CharField(max_length=250)
    postcode = serializers.CharField(max_length=12, required=False, allow_blank=True)
    town = serializers.CharField(max_length=120)
    coordinates = CoordinatesInputSerializer(
        required=False, allow_null=True, help_text=_("Both latitude and longitude, or null for none.")
    )

    def validate(self, attrs):
        """The service's EmployerSiteFields: the coordinates as the site's two fields."""
        if "coordinates" in attrs:
            coordinates = attrs.pop("coordinates") or {}
            attrs["latitude"] = coordinates.get("latitude")
            attrs["longitude"] = coordinates.get("longitude")
        return attrs


class ContactPersonInputSerializer(StrictInput):
    name = serializers.CharField(max_length=200)
    role = serializers.CharField(max_length=200, required=False, allow_blank=True)
    site = serializers.IntegerField(
        min_value=1,
        max_value=2**63 - 1,
        required=False,
        allow_null=True,
        help_text=_("One of the employer's sites (id), or null."),
    )
    has_hiring_authority = serializers.BooleanField(required=False)
    preferred_channel = serializers.ChoiceField(choices=ContactPerson.Channel.choices, required=False)
    phone = serializers.CharField(max_length=30, required=False, allow_blank=True)
    email = serializers.EmailField(required=False, allow_blank=True)


class FirstContactPersonSerializer(ContactPersonInputSerializer):
    """A contact person given with a new employer: met at its first site, if any."""

    site = None


class EmployerInputSerializer(StrictInput):
    name = serializers.CharField(max_length=200)
    industry = CodeField(
        queryset=Industry.objects.all(),
        required=False,
        allow_null=True,
        help_text=_("NACE Rev. 2 section code."),
    )
    size = serializers.ChoiceField(choices=Employer.Size.choices, required=False)
    website = WebsiteField(max_length=200, required=False, allow_blank=True)
    description = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    relationship_stage = serializers.ChoiceField(
        choices=Employer.RelationshipStage.choices,
        required=False,
        help_text=_("Set by hand, it may go back (the relationship starts over)."),
    )


class EmployerCreateSerializer(EmployerInputSerializer):
    site = EmployerSiteInputSerializer(required=False, help_text=_("The employer's first site."))
    contact_person = FirstContactPersonSerializer(
        required=False, help_text=_("Someone who works there, met at the first site.")
    )
