"""Employers are shared across the whole program, so two specialists never approach
the same employer unaware of each other."""

import uuid

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from crm.models import NACE_CODE_VALIDATOR, Industry, LoadedRelations, LocationPrecision, Organisation, User


class Employer(LoadedRelations, models.Model):
    class Size(models.TextChoices):
        MICRO = "micro", _("1-9 employees")
        SMALL = "small", _("10-49 employees")
        MEDIUM = "medium", _("50-249 employees")
        LARGE = "large", _("250 employees or more")
        UNKNOWN = "unknown", _("Unknown")

    class RelationshipStage(models.TextChoices):
        NOT_CONTACTED = "not_contacted", _("Not contacted")
        INTRODUCED = "introduced", _("Introduced")
        RELATIONSHIP = "relationship", _("Relationship")
        HAS_HIRED = "has_hired", _("Has hired from us")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="employers")
    name = models.CharField(_("name"), max_length=200)
    industry = models.ForeignKey(
        Industry, verbose_name=_("industry"), on_delete=models.PROTECT, null=True, blank=True, related_name="employers"
    )
    nace_code = models.CharField(
        _("NACE code"),
        max_length=5,
        blank=True,
        validators=[NACE_CODE_VALIDATOR],
        help_text=_(
            "Division, group or class of NACE Rev. 2 (in France, the NAF code without its letter), e.g. 45.20."
        ),
    )
    size = models.CharField(_("size"), max_length=10, choices=Size.choices, default=Size.UNKNOWN)
    relationship_stage = models.CharField(
        _("relationship stage"),
        max_length=20,
        choices=RelationshipStage.choices,
        default=RelationshipStage.NOT_CONTACTED,
    )
    website = models.URLField(_("website"), blank=True)
    description = models.TextField(_("what they do"), blank=True, max_length=2000)
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("employer")
        verbose_name_plural = _("employers")
        ordering = ["name", "id"]
        indexes = [
            models.Index(fields=["organisation", "name"]),
            models.Index(fields=["organisation", "relationship_stage"]),
        ]

    def __str__(self):
        return self.name


class EmployerSite(LoadedRelations, models.Model):
    employer = models.ForeignKey(Employer, on_delete=models.CASCADE, related_name="sites")
    name = models.CharField(_("site name"), max_length=200, blank=True)
    address = models.CharField(_("address"), max_length=250)
    postcode = models.CharField(_("postcode"), max_length=12, blank=True)
    town = models.CharField(_("town"), max_length=120)
    latitude = models.DecimalField(_("latitude"), max_digits=8, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    location_precision = models.CharField(
        _("location precision"), max_length=12, choices=LocationPrecision.choices, blank=True
    )
    located_address = models.CharField(
        _("located address"),
        max_length=400,
        blank=True,
        help_text=_("The address the stored point was found or pinned for."),
    )
    # The background job's bookkeeping (crm/locations.py): whether the address is still
    # to locate, how many times the provider failed for it, and when to try again.
    location_pending = models.BooleanField(_("location pending"), default=True, db_index=True)
    location_attempts = models.PositiveSmallIntegerField(_("location attempts"), default=0)
    location_retry_at = models.DateTimeField(_("location retry at"), null=True, blank=True)

    class Meta:
        verbose_name = _("employer site")
        verbose_name_plural = _("employer sites")
        ordering = ["employer_id", "town", "id"]
        indexes = [
            models.Index(fields=["postcode"]),
            # Matching pre-filters sites to a bounding box and compares towns case-insensitively.
            models.Index(fields=["latitude", "longitude"], name="employer_site_coordinates"),
            models.Index(Upper("town"), name="employer_site_town_upper"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__gte=-90, latitude__lte=90, longitude__gte=-180, longitude__lte=180),
                name="employer_site_coordinates_valid",
            ),
            models.CheckConstraint(
                condition=Q(location_precision="") | Q(latitude__isnull=False, longitude__isnull=False),
                name="employer_site_location_precision_has_point",
            ),
        ]

    def __str__(self):
        parts = [self.name, self.address, " ".join(p for p in (self.postcode, self.town) if p)]
        return ", ".join(p for p in parts if p)

    def clean(self):
        if (self.latitude is None) != (self.longitude is None):
            raise ValidationError(_("Give both latitude and longitude, or neither."))


class ContactPerson(LoadedRelations, models.Model):
    class Channel(models.TextChoices):
        IN_PERSON = "in_person", _("In person")
        PHONE = "phone", _("Phone")
        EMAIL = "email", _("Email")
        VIDEO = "video", _("Video")

    employer = models.ForeignKey(Employer, on_delete=models.CASCADE, related_name="contact_persons")
    site = models.ForeignKey(
        EmployerSite, verbose_name=_("site"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    name = models.CharField(_("name"), max_length=200)
    role = models.CharField(_("role"), max_length=200, blank=True)
    has_hiring_authority = models.BooleanField(_("has hiring authority"), default=False)
    preferred_channel = models.CharField(
        _("preferred channel"), max_length=10, choices=Channel.choices, default=Channel.IN_PERSON
    )
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("email"), blank=True)

    class Meta:
        verbose_name = _("contact person")
        verbose_name_plural = _("contact persons")
        ordering = ["employer_id", "name", "id"]

    def __str__(self):
        return f"{self.name} ({self.role})" if self.role else self.name

    def clean(self):
        if self.site_id is not None and self.employer_id is not None and self.site.employer_id != self.employer_id:
            raise ValidationError({"site": _("This site belongs to another employer.")})


class JobOpening(LoadedRelations, models.Model):
    """A vacancy learned of at an employer (IPS relies on meeting employers: openings
    are recorded from what specialists learn, never scraped from postings)."""

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("job opening", "Open")
        FILLED = "filled", pgettext_lazy("job opening", "Filled")
        CLOSED = "closed", pgettext_lazy("job opening", "Closed")

    class Source(models.TextChoices):
        EMPLOYER_CONTACT = "employer_contact", _("Employer contact")
        JOB_SEEKER = "job_seeker", _("The job seeker")
        NETWORK = "network", _("Network or word of mouth")
        POSTING = "posting", _("Posting seen by chance")
        OTHER = "other", _("Other")

    employer = models.ForeignKey(Employer, on_delete=models.CASCADE, related_name="job_openings")
    site = models.ForeignKey(
        EmployerSite, verbose_name=_("site"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    title = models.CharField(_("job title"), max_length=200)
    job_type = models.ForeignKey(
        "crm.JobType", verbose_name=_("job type"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    hours_per_week = models.PositiveSmallIntegerField(_("hours per week"), null=True, blank=True)
    shifts = models.JSONField(_("shifts"), default=list, blank=True)
    hourly_pay = models.DecimalField(_("hourly pay"), max_digits=6, decimal_places=2, null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    source = models.CharField(_("how we learned of it"), max_length=20, choices=Source.choices)
    learned_on = models.DateField(_("learned on"))
    note = models.TextField(_("note"), blank=True, max_length=2000)
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("job opening")
        verbose_name_plural = _("job openings")
        ordering = ["-learned_on", "-id"]
        indexes = [models.Index(fields=["employer", "status"]), models.Index(fields=["job_type", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(hours_per_week__isnull=True) | Q(hours_per_week__lte=80),
                name="job_opening_hours_at_most_80",
            ),
            models.CheckConstraint(
                condition=Q(hourly_pay__isnull=True) | Q(hourly_pay__gte=0), name="job_opening_pay_not_negative"
            ),
        ]

    def __str__(self):
        return f"{self.title} — {self.employer}"

    def clean(self):
        if self.site_id is not None and self.employer_id is not None and self.site.employer_id != self.employer_id:
            raise ValidationError({"site": _("This site belongs to another employer.")})

    def get_shifts_display(self) -> list[str]:
        from crm.models import Shift

        labels = dict(Shift.choices)
        return [str(labels[shift]) for shift in self.shifts if shift in labels]


class EmployerImportPlan(models.Model):
    """A validated employer import, kept between its preview and its confirmation.

    In the database, so that any web host can confirm it (docs/import-export.md). Only
    its owner, in their program, may confirm or cancel it; it expires, and a daily job
    deletes the expired ones, since they hold contact details. Once imported, its data
    is emptied and the row stays until it expires, so that a second confirmation (a
    double click, another tab) is told the import was done."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    filename = models.CharField(_("file name"), max_length=255)
    row_count = models.PositiveIntegerField(_("rows read"))
    data = models.JSONField(_("plan"))  # the employers to create, with their sites and contact persons
    created_at = models.DateTimeField(_("created"))
    expires_at = models.DateTimeField(_("expires"), db_index=True)
    imported_at = models.DateTimeField(_("imported"), null=True, blank=True)

    class Meta:
        verbose_name = _("employer import plan")
        verbose_name_plural = _("employer import plans")

    def __str__(self):
        return self.filename
