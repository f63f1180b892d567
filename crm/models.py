"""Core domain: the IPS program (Organisation), its teams and users, and the job
seekers on specialists' caseloads with their career profile and job preferences."""

import datetime
from decimal import Decimal
from zoneinfo import available_timezones

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class LoadedRelations:
    """Model mixin: full_clean() does not ask the database again whether a related row
    exists when the instance already holds that row (a service fetched it through the
    access scope, or a form's choice field did). Django's ForeignKey.validate() runs one
    query per foreign key otherwise; the database's own constraint still stands."""

    def clean_fields(self, exclude=None):
        exclude = set(exclude or ())
        for field in self._meta.concrete_fields:
            if field.many_to_one and field.is_cached(self):
                related = field.get_cached_value(self)
                if related is not None and related.pk is not None and related.pk == getattr(self, field.attname):
                    exclude.add(field.name)
        super().clean_fields(exclude=exclude)


TIME_ZONE_CHOICES = sorted((tz, tz) for tz in available_timezones() if "/" in tz)


def _whole_days(text: str) -> bool:
    """Whether `text` is a whole number of days from 1 to 365 in ASCII digits ("²" and
    "١٤" pass str.isdigit but not int())."""
    return text.isascii() and text.isdigit() and 0 < int(text) < 366


class Organisation(models.Model):
    """An IPS program or provider. Every record belongs to one.

    The fidelity settings default to the score-5 criteria of the IPS Fidelity Scale
    (see docs/ips.md); a program admin may change them."""

    class JobSeekerNames(models.TextChoices):
        INITIALS = "initials", _("Initials")
        FIRST_NAME = "first_name", _("First name")

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short name"), max_length=60, unique=True)
    time_zone = models.CharField(_("time zone"), max_length=64, choices=TIME_ZONE_CHOICES, default="Europe/Paris")
    town = models.CharField(_("town"), max_length=120, blank=True)
    country = models.CharField(_("country code"), max_length=2, default="FR")
    team_cover = models.BooleanField(
        _("specialists read their team's caseload"),
        default=True,
        help_text=_("IPS teams cover for each other; turn off to limit specialists to their own caseload."),
    )
    # Fidelity thresholds (defaults = score 5).
    caseload_limit = models.PositiveSmallIntegerField(
        _("caseload limit per specialist"), default=20, validators=[MinValueValidator(1)]
    )
    weekly_in_person_employer_contacts = models.PositiveSmallIntegerField(
        _("in-person employer contacts per specialist per week"), default=6
    )
    days_to_first_employer_contact = models.PositiveSmallIntegerField(
        _("days from enrolment to first face-to-face employer contact"), default=30
    )
    rapid_search_nudge_days = models.CharField(
        _("days after enrolment to nudge the specialist"),
        max_length=40,
        default="14,21",
        help_text=_("Comma-separated days without an employer contact."),
    )
    job_type_diversity_percent = models.PositiveSmallIntegerField(
        _("diversity of job types (%)"), default=85, validators=[MaxValueValidator(100)]
    )
    employer_diversity_percent = models.PositiveSmallIntegerField(
        _("diversity of employers (%)"), default=85, validators=[MaxValueValidator(100)]
    )
    competitive_jobs_percent = models.PositiveSmallIntegerField(
        _("competitive jobs (%)"), default=95, validators=[MaxValueValidator(100)]
    )
    community_time_percent = models.PositiveSmallIntegerField(
        _("time spent in the community (%)"),
        default=65,
        validators=[MaxValueValidator(100)],
        help_text=_(
            "Community-based services: the share of recorded contacts (employer and follow-along) held in the "
            "community, not at the office."
        ),
    )
    employment_rate_target_percent = models.PositiveSmallIntegerField(
        _("employment rate target (%)"), default=40, validators=[MaxValueValidator(100)]
    )
    retention_13_weeks_target_percent = models.PositiveSmallIntegerField(
        _("still working after 13 weeks target (%)"), default=65, validators=[MaxValueValidator(100)]
    )
    active_contact_days = models.PositiveSmallIntegerField(
        _("days without contact before a job seeker counts as inactive"),
        default=28,
        validators=[MinValueValidator(7)],
        help_text=_("IPS Grow: an active person had contact in the last 4 weeks. Used by the caseload-size item."),
    )
    employer_contact_gap_days = models.PositiveSmallIntegerField(
        _("days in job search without an employer contact before a job seeker is listed"),
        default=30,
        validators=[MinValueValidator(7)],
        help_text=_("Ongoing job development: people searching for longer than this with no employer contact."),
    )
    # Follow-along defaults (IPS fidelity: within 3 days after the start, weekly for the
    # first month, then at least monthly; face to face within 3 days of a job end).
    follow_along_first_contact_days = models.PositiveSmallIntegerField(
        _("first follow-along contact, days after the start"), default=3, validators=[MinValueValidator(1)]
    )
    follow_along_weekly_weeks = models.PositiveSmallIntegerField(
        _("weeks of weekly follow-along after the start"), default=4
    )
    follow_along_monthly_days = models.PositiveSmallIntegerField(
        _("days between follow-along contacts after the weekly period"), default=30, validators=[MinValueValidator(7)]
    )
    job_end_contact_days = models.PositiveSmallIntegerField(
        _("face-to-face contact after a job end, within days"), default=3, validators=[MinValueValidator(1)]
    )
    job_seeker_names_in_calendars = models.CharField(
        _("job seekers in calendar feeds"),
        max_length=20,
        choices=JobSeekerNames.choices,
        default=JobSeekerNames.INITIALS,
    )

    class Meta:
        verbose_name = _("IPS program")
        verbose_name_plural = _("IPS programs")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(job_type_diversity_percent__lte=100)
                & Q(employer_diversity_percent__lte=100)
                & Q(competitive_jobs_percent__lte=100)
                & Q(community_time_percent__lte=100)
                & Q(employment_rate_target_percent__lte=100)
                & Q(retention_13_weeks_target_percent__lte=100),
                name="organisation_percentages_at_most_100",
            ),
            models.CheckConstraint(condition=Q(caseload_limit__gte=1), name="organisation_caseload_limit_positive"),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        parts = [part.strip() for part in self.rapid_search_nudge_days.split(",") if part.strip()]
        if any(not _whole_days(part) for part in parts):
            raise ValidationError(
                {"rapid_search_nudge_days": _("Give whole days from 1 to 365, separated by commas (e.g. 14,21).")}
            )

    @property
    def nudge_days(self) -> list[int]:
        """`rapid_search_nudge_days` read leniently: whole days from 1 to 365, sorted,
        anything else ignored ("7, nonsense, 10" is [7, 10])."""
        days = set()
        for part in self.rapid_search_nudge_days.split(","):
            part = part.strip()
            if _whole_days(part):
                days.add(int(part))
        return sorted(days)

    @property
    def rapid_search_marks(self) -> list[int]:
        """The days of job search without an employer contact that lists flag and filter
        on: every nudge day, and the fidelity limit (days_to_first_employer_contact)."""
        return sorted({*self.nudge_days, self.days_to_first_employer_contact})

    @property
    def rapid_search_warning_day(self) -> int:
        """From this day on without an employer contact, the rapid-search badge warns."""
        return min(self.rapid_search_marks)


class Team(models.Model):
    """A team leader and the specialists they supervise."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="teams")
    name = models.CharField(_("name"), max_length=120)
    leader = models.ForeignKey(
        "User",
        verbose_name=_("team leader"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="led_teams",
    )

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="team_name_unique_in_organisation")
        ]

    def __str__(self):
        return self.name


class User(AbstractUser):
    class Role(models.TextChoices):
        SPECIALIST = "specialist", _("Employment specialist")
        TEAM_LEADER = "team_leader", _("Team leader")
        PROGRAM_ADMIN = "program_admin", _("Program admin")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="users"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.SPECIALIST)
    team = models.ForeignKey(
        Team,
        verbose_name=_("team"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="members",
    )
    fte = models.DecimalField(
        _("full-time equivalent in employment services"),
        max_digits=3,
        decimal_places=2,
        default=Decimal("1.00"),
        validators=[MinValueValidator(Decimal("0.05")), MaxValueValidator(Decimal("1.00"))],
        help_text=_("1.00 for a full-time specialist, 0.5 for half time. Used by the caseload-size item."),
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            # Only platform operators (superusers) live outside a program.
            models.CheckConstraint(
                condition=Q(organisation__isnull=False) | Q(is_superuser=True),
                name="user_belongs_to_organisation_unless_superuser",
            )
        ]

    def __str__(self):
        return self.get_full_name() or self.username


class TranslatedLabel(models.Model):
    """A taxonomy entry with a stable code and English and French labels."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    label_en = models.CharField(_("English label"), max_length=200)
    label_fr = models.CharField(_("French label"), max_length=200)

    class Meta:
        abstract = True
        ordering = ["code"]

    def __str__(self):
        return self.label

    @property
    def label(self) -> str:
        return self.label_fr if (get_language() or "en").startswith("fr") else self.label_en


class LocationPrecision(models.TextChoices):
    """How precisely a stored point locates an address: what the geocoder matched
    (BAN France's result types), or a pin set by hand on the map."""

    HOUSE_NUMBER = "housenumber", _("Street number")
    STREET = "street", _("Street")
    LOCALITY = "locality", _("Locality")
    MUNICIPALITY = "municipality", _("Town")
    MANUAL = "manual", _("Set by hand on the map")


NACE_CODE_VALIDATOR = RegexValidator(
    r"^\d{2}(\.\d{1,2})?$",
    _("Give a NACE Rev. 2 division, group or class: 47, 47.6 or 47.61."),
)


class Industry(TranslatedLabel):
    """Sections of the NACE Rev. 2 classification of economic activities."""

    class Meta(TranslatedLabel.Meta):
        verbose_name = _("industry")
        verbose_name_plural = _("industries")


class JobType(TranslatedLabel):
    """Entry-level job types IPS teams see most, coded by ISCO-08 unit group.

    `code` is stable and never reused; `isco_code` is the ISCO-08 unit group."""

    isco_code = models.CharField(_("ISCO-08 unit group"), max_length=4)
    nace_codes = models.JSONField(
        _("NACE divisions and groups"),
        default=list,
        blank=True,
        help_text=_("Where this job is mostly found, as NACE Rev. 2 divisions or groups (e.g. 45.2, 56)."),
    )

    class Meta(TranslatedLabel.Meta):
        verbose_name = _("job type")
        verbose_name_plural = _("job types")


class JobSeeker(LoadedRelations, models.Model):
    class Status(models.TextChoices):
        JOB_SEARCH = "job_search", _("Job search")
        WORKING = "working", _("Working")
        FOLLOW_ALONG = "follow_along", _("Follow-along")
        CLOSED = "closed", _("Closed")

    class ReferralSource(models.TextChoices):
        MENTAL_HEALTH_TEAM = "mental_health_team", _("Mental-health team")
        SELF = "self", _("Self-referral")
        FAMILY = "family", _("Family or friends")
        SOCIAL_SERVICES = "social_services", _("Social services")
        EMPLOYMENT_SERVICE = "employment_service", _("Public employment service")
        OTHER = "other", _("Other")

    class Benefits(models.TextChoices):
        YES = "yes", _("Yes")
        NO = "no", _("No")
        UNKNOWN = "unknown", _("Unknown")

    class Disclosure(models.TextChoices):
        UNDECIDED = "undecided", _("Not yet discussed")
        NONE = "none", _("Does not want the condition disclosed")
        PARTIAL = "partial", _("Disclose some information, agreed with the worker")
        FULL = "full", _("Specialist may disclose and speak with the employer")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="job_seekers")
    specialist = models.ForeignKey(
        User,
        verbose_name=_("employment specialist"),
        on_delete=models.PROTECT,
        related_name="caseload",
    )
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    address = models.CharField(_("address"), max_length=250, blank=True)
    postcode = models.CharField(_("postcode"), max_length=12, blank=True)
    town = models.CharField(_("town"), max_length=120, blank=True)
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
    referral_date = models.DateField(_("referral date"))
    enrolment_date = models.DateField(_("enrolment date"), null=True, blank=True)
    job_search_since = models.DateField(
        _("in job search since"),
        null=True,
        blank=True,
        help_text=_("Enrolment, or re-entry into job search after a job end: the rapid-job-search clock starts here."),
    )
    first_employer_contact_on = models.DateField(
        _("first face-to-face employer contact"),
        null=True,
        blank=True,
        help_text=_(
            "In the current job search, by the job seeker or on their behalf; kept by the employer contact log."
        ),
    )
    referral_source = models.CharField(
        _("source of referral"),
        max_length=30,
        choices=ReferralSource.choices,
        default=ReferralSource.MENTAL_HEALTH_TEAM,
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.JOB_SEARCH)
    receives_benefits = models.CharField(
        _("receives benefits"), max_length=10, choices=Benefits.choices, default=Benefits.UNKNOWN
    )
    disclosure_preference = models.CharField(
        _("disclosure preference"), max_length=20, choices=Disclosure.choices, default=Disclosure.UNDECIDED
    )
    disclosure_discussed_on = models.DateField(
        _("disclosure first discussed on"),
        null=True,
        blank=True,
        help_text=_(
            "Set when a preference other than “not yet discussed” is first recorded (fidelity item: disclosure)."
        ),
    )
    in_education = models.BooleanField(
        _("in education or training"), default=False, help_text=_("For the supervisor's monthly view.")
    )
    referred_by_partner = models.ForeignKey(
        "Partner",
        verbose_name=_("referred by partner"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="referrals",
        help_text=_("The partner organisation that referred this person through the API, if any."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("job seeker")
        verbose_name_plural = _("job seekers")
        ordering = ["last_name", "first_name", "id"]
        indexes = [models.Index(fields=["organisation", "status"]), models.Index(fields=["specialist", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(enrolment_date__isnull=True) | Q(enrolment_date__gte=F("referral_date")),
                name="job_seeker_enrolment_not_before_referral",
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__gte=-90, latitude__lte=90, longitude__gte=-180, longitude__lte=180),
                name="job_seeker_coordinates_valid",
            ),
            models.CheckConstraint(
                condition=Q(location_precision="") | Q(latitude__isnull=False, longitude__isnull=False),
                name="job_seeker_location_precision_has_point",
            ),
        ]

    def __str__(self):
        return self.full_name

    def clean(self):
        if self.referral_date and self.enrolment_date and self.enrolment_date < self.referral_date:
            raise ValidationError({"enrolment_date": _("The enrolment date cannot be before the referral date.")})
        if (self.latitude is None) != (self.longitude is None):
            raise ValidationError(_("Give both latitude and longitude, or neither."))

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def days_in_job_search(self, today: datetime.date | None = None) -> int | None:
        """The rapid-job-search clock: days since enrolment or re-entry, while in job search."""
        if self.status != self.Status.JOB_SEARCH or self.job_search_since is None:
            return None
        return ((today or timezone.localdate()) - self.job_search_since).days

    def days_to_first_employer_contact(self) -> int | None:
        if self.job_search_since is None or self.first_employer_contact_on is None:
            return None
        return (self.first_employer_contact_on - self.job_search_since).days

    @property
    def initials(self) -> str:
        return "".join(part[0].upper() + "." for part in (self.first_name, self.last_name) if part)


class Partner(models.Model):
    """A partner organisation of a program: the mental-health team that refers people
    (IPS principle 3), a benefits-counselling service (principle 5), a funder. It
    reaches the program through the API (integrations.api) with its keys, and sees a
    job seeker only when it referred them or under a recorded SharingConsent."""

    class Kind(models.TextChoices):
        MENTAL_HEALTH_TEAM = "mental_health_team", _("Mental-health team")
        BENEFITS_COUNSELLING = "benefits_counselling", _("Benefits-counselling service")
        FUNDER = "funder", _("Funder")
        OTHER = "other", _("Other")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="partners")
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices, default=Kind.MENTAL_HEALTH_TEAM)
    referrals_to = models.ForeignKey(
        "User",
        verbose_name=_("referrals go to"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The specialist or team leader whose caseload receives this partner's referrals."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("partner organisation")
        verbose_name_plural = _("partner organisations")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="partner_name_unique_in_organisation")
        ]

    def __str__(self):
        return self.name


class SharingConsentQuerySet(models.QuerySet):
    def in_force(self, *, on: datetime.date | None = None) -> "SharingConsentQuerySet":
        """Consents given, not withdrawn, and not past their end date on `on` (today in
        the program's zone is the caller's business; default: the server's date)."""
        on = on or timezone.localdate()
        return self.filter(withdrawn_at__isnull=True, consented_on__lte=on).filter(
            Q(valid_until__isnull=True) | Q(valid_until__gte=on)
        )


class SharingConsent(LoadedRelations, models.Model):
    """A job seeker's recorded consent to share their records with one partner: who
    consented, to what, with whom, until when, and when it was withdrawn. Withdrawal
    takes effect at the partner's next request (crm.access.PartnerScope reads it every
    time), and the partner's incremental sync receives the records it lost."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    job_seeker = models.ForeignKey(JobSeeker, on_delete=models.CASCADE, related_name="sharing_consents")
    partner = models.ForeignKey(
        Partner, verbose_name=_("shared with"), on_delete=models.CASCADE, related_name="consents"
    )
    shares_progress = models.BooleanField(
        _("job search and jobs"), default=True, help_text=_("Status, placements and their milestones.")
    )
    shares_support = models.BooleanField(
        _("follow-along support"), default=False, help_text=_("Support tasks and workplace accommodations.")
    )
    shares_benefits = models.BooleanField(
        _("benefits counselling"), default=False, help_text=_("Work-incentives-planning steps.")
    )
    consented_by = models.CharField(
        _("consent given by"),
        max_length=200,
        help_text=_("The job seeker, or the legal representative who gave consent (name and role)."),
    )
    consented_on = models.DateField(_("consent given on"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    recorded_by = models.ForeignKey("User", on_delete=models.SET_NULL, null=True, related_name="+")
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    withdrawn_by = models.ForeignKey("User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = SharingConsentQuerySet.as_manager()

    #: What a consent may cover: the `shared=` argument of AccessScope.caseload().
    COVERS = ("progress", "support", "benefits")

    class Meta:
        verbose_name = _("consent to share")
        verbose_name_plural = _("consents to share")
        ordering = ["-recorded_at", "-id"]
        indexes = [models.Index(fields=["partner", "job_seeker"], name="consent_partner_job_seeker")]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=F("consented_on")),
                name="consent_valid_until_after_given",
            ),
            models.CheckConstraint(
                condition=Q(shares_progress=True) | Q(shares_support=True) | Q(shares_benefits=True),
                name="consent_covers_something",
            ),
        ]

    def __str__(self):
        return f"{self.job_seeker} → {self.partner}"

    def clean(self):
        if not (self.shares_progress or self.shares_support or self.shares_benefits):
            raise ValidationError(_("Choose at least one thing the person agrees to share."))
        if self.valid_until and self.consented_on and self.valid_until < self.consented_on:
            raise ValidationError({"valid_until": _("The end date is before the date consent was given.")})


class JobSeekerStatusChange(models.Model):
    job_seeker = models.ForeignKey(JobSeeker, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(_("from"), max_length=20, choices=JobSeeker.Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=20, choices=JobSeeker.Status.choices)
    changed_at = models.DateTimeField(_("changed"), default=timezone.now)
    changed_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["-changed_at", "-id"]

    def __str__(self):
        return f"{self.from_status or '—'} → {self.to_status}"


class CareerProfile(LoadedRelations, models.Model):
    """What the person wants and brings, updated from each job experience."""

    job_seeker = models.OneToOneField(JobSeeker, on_delete=models.CASCADE, related_name="career_profile")
    work_goal = models.TextField(_("work goal"), blank=True, max_length=2000)
    work_history = models.TextField(_("work history"), blank=True, max_length=4000)
    education = models.TextField(_("education and training"), blank=True, max_length=2000)
    interests = models.TextField(_("interests"), blank=True, max_length=2000)
    strengths = models.TextField(_("strengths"), blank=True, max_length=2000)
    skills = models.TextField(_("skills"), blank=True, max_length=2000)
    coping_strategies = models.TextField(_("coping strategies"), blank=True, max_length=2000)
    networking_contacts = models.TextField(_("networking contacts"), blank=True, max_length=2000)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("career profile")
        verbose_name_plural = _("career profiles")

    def __str__(self):
        return str(self.job_seeker)


class Weekday(models.TextChoices):
    MONDAY = "mon", _("Monday")
    TUESDAY = "tue", _("Tuesday")
    WEDNESDAY = "wed", _("Wednesday")
    THURSDAY = "thu", _("Thursday")
    FRIDAY = "fri", _("Friday")
    SATURDAY = "sat", _("Saturday")
    SUNDAY = "sun", _("Sunday")


class Shift(models.TextChoices):
    MORNING = "morning", _("Morning")
    AFTERNOON = "afternoon", _("Afternoon")
    EVENING = "evening", _("Evening")
    NIGHT = "night", _("Night")


class JobPreference(LoadedRelations, models.Model):
    """The job the person wants: IPS principle 4, the basis of job development."""

    job_seeker = models.OneToOneField(JobSeeker, on_delete=models.CASCADE, related_name="job_preference")
    job_types = models.ManyToManyField(JobType, verbose_name=_("job types wanted"), blank=True, related_name="+")
    industries = models.ManyToManyField(Industry, verbose_name=_("industries wanted"), blank=True, related_name="+")
    min_hours_per_week = models.PositiveSmallIntegerField(
        _("minimum hours per week"), null=True, blank=True, validators=[MaxValueValidator(80)]
    )
    max_hours_per_week = models.PositiveSmallIntegerField(
        _("maximum hours per week"), null=True, blank=True, validators=[MaxValueValidator(80)]
    )
    days = models.JSONField(_("days available"), default=list, blank=True)
    shifts = models.JSONField(_("shifts"), default=list, blank=True)
    places = models.CharField(_("places wanted"), max_length=300, blank=True)
    max_travel_minutes = models.PositiveSmallIntegerField(
        _("maximum travel time (minutes)"), null=True, blank=True, validators=[MaxValueValidator(240)]
    )
    max_distance_km = models.PositiveSmallIntegerField(
        _("maximum distance (km)"), null=True, blank=True, validators=[MaxValueValidator(500)]
    )
    min_hourly_pay = models.DecimalField(
        _("minimum hourly pay"),
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    avoid_job_types = models.ManyToManyField(
        JobType, verbose_name=_("job types to avoid"), blank=True, related_name="+"
    )
    avoid_industries = models.ManyToManyField(
        Industry, verbose_name=_("industries to avoid"), blank=True, related_name="+"
    )
    things_to_avoid = models.TextField(_("other things to avoid"), blank=True, max_length=2000)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"], m2m_fields=[job_types, industries])

    class Meta:
        verbose_name = _("job preference")
        verbose_name_plural = _("job preferences")
        constraints = [
            models.CheckConstraint(
                condition=Q(min_hours_per_week__isnull=True)
                | Q(max_hours_per_week__isnull=True)
                | Q(min_hours_per_week__lte=F("max_hours_per_week")),
                name="job_preference_hours_range_ordered",
            ),
            models.CheckConstraint(
                condition=Q(max_hours_per_week__isnull=True) | Q(max_hours_per_week__lte=80),
                name="job_preference_hours_at_most_80",
            ),
            models.CheckConstraint(
                condition=Q(min_hourly_pay__isnull=True) | Q(min_hourly_pay__gte=0),
                name="job_preference_min_pay_not_negative",
            ),
        ]

    def __str__(self):
        return str(self.job_seeker)

    def clean(self):
        low, high = self.min_hours_per_week, self.max_hours_per_week
        if low is not None and high is not None and low > high:
            raise ValidationError({"max_hours_per_week": _("The maximum hours cannot be below the minimum hours.")})

    def get_days_display(self) -> list[str]:
        labels = dict(Weekday.choices)
        return [str(labels[d]) for d in self.days if d in labels]

    def get_shifts_display(self) -> list[str]:
        labels = dict(Shift.choices)
        return [str(labels[s]) for s in self.shifts if s in labels]


class OutboxEvent(models.Model):
    """A domain event, written in the same transaction as the change it describes.

    `dedup_key` is unique: emitting the same fact twice (e.g. a milestone found by two
    sweeps) creates one event."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        HANDLED = "handled", _("Handled")
        FAILED = "failed", _("Failed")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="events")
    topic = models.CharField(_("topic"), max_length=100)
    payload_version = models.PositiveSmallIntegerField(_("payload version"), default=1)
    aggregate_type = models.CharField(_("aggregate type"), max_length=50)
    aggregate_id = models.BigIntegerField(_("aggregate id"))
    payload = models.JSONField(_("payload"), default=dict)
    occurred_at = models.DateTimeField(_("occurred at"), default=timezone.now)
    dedup_key = models.CharField(_("deduplication key"), max_length=200, unique=True)
    actor = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_sent_at = models.DateTimeField(_("last sent"), null=True, blank=True)
    send_count = models.PositiveIntegerField(_("times sent"), default=0)
    handled_at = models.DateTimeField(_("handled"), null=True, blank=True)
    last_error = models.TextField(
        _("error"),
        blank=True,
        help_text=_("Why the event could not be handled at all (e.g. no handler for its topic)."),
    )

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["status", "created_at"]),
            models.Index(fields=["aggregate_type", "aggregate_id"]),
        ]

    def __str__(self):
        return f"{self.topic} #{self.pk}"

    @property
    def topic_label(self) -> str:
        """The topic's timeline label, from its declaration (crm.events.declare_topic)."""
        from crm.events import topic_label

        return topic_label(self.topic)


class EventHandling(models.Model):
    """One handler's work on one event. A SUCCEEDED row is written in the same
    transaction as the handler's effects, so a redelivered event never repeats them.

    `handler` is the handler's stable name (@handles(..., name=...)). A RETRYING row
    waits for `next_attempt_at` (crm.events.retry_delay); after
    EVENT_HANDLER_MAX_ATTEMPTS attempts it is FAILED until an admin's Retry."""

    class Status(models.TextChoices):
        SUCCEEDED = "succeeded", _("Succeeded")
        RETRYING = "retrying", _("Failed, will retry")
        FAILED = "failed", _("Failed, retries exhausted")

    event = models.ForeignKey(OutboxEvent, on_delete=models.CASCADE, related_name="handlings")
    handler = models.CharField(_("handler"), max_length=200)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("event handling")
        verbose_name_plural = _("event handlings")
        ordering = ["-updated_at", "-id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]
        constraints = [models.UniqueConstraint(fields=["event", "handler"], name="event_handling_once_per_handler")]

    def __str__(self):
        return f"{self.handler} on {self.event}"
