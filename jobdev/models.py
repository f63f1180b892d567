"""Job development: the IPS employer contact log and the rapid-job-search nudges."""

import datetime

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from crm.models import JobSeeker, JobType, LoadedRelations, Organisation, User
from employers.models import ContactPerson, Employer, EmployerSite

MAX_CONTACT_LENGTH = datetime.timedelta(hours=12)


class EmployerContactQuerySet(models.QuerySet):
    def held(self):
        return self.filter(status=EmployerContact.Status.HELD)

    def face_to_face_on_behalf(self):
        """Fidelity "job development: frequency" and "rapid job search": a face-to-face
        contact (the specialist in person, or the job seeker meeting the employer) made
        about named job seekers, not a call and not relationship-building."""
        return self.filter(EmployerContact.face_to_face_on_behalf_q())


class EmployerContact(LoadedRelations, models.Model):
    """One interaction with an employer, planned or held. An in-person one is a
    "visit" in the UI and the calendar."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        HELD = "held", _("Held")
        CANCELLED = "cancelled", pgettext_lazy("employer contact", "Cancelled")
        NO_SHOW = "no_show", _("No-show")

    class Mode(models.TextChoices):
        IN_PERSON = "in_person", _("In person")
        PHONE = "phone", _("Phone")
        VIDEO = "video", _("Video")
        EMAIL = "email", _("Email")
        JOB_SEEKER = "job_seeker", _("Job seeker made contact")

    class Nature(models.TextChoices):
        FIRST = "first", _("First meeting")
        SECOND = "second", _("Second meeting")
        ONGOING = "ongoing", _("Ongoing relationship")

    class Purpose(models.TextChoices):
        RELATIONSHIP = "relationship", _("Relationship-building")
        ON_BEHALF = "on_behalf", _("On behalf of job seekers")

    FACE_TO_FACE_MODES = (Mode.IN_PERSON, Mode.JOB_SEEKER)

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="employer_contacts")
    specialist = models.ForeignKey(
        User, verbose_name=_("specialist"), on_delete=models.PROTECT, related_name="employer_contacts"
    )
    employer = models.ForeignKey(
        Employer, verbose_name=_("employer"), on_delete=models.PROTECT, related_name="contacts"
    )
    site = models.ForeignKey(
        EmployerSite, verbose_name=_("site"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    contact_person = models.ForeignKey(
        ContactPerson,
        verbose_name=_("person met"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PLANNED)
    mode = models.CharField(_("mode"), max_length=12, choices=Mode.choices, default=Mode.IN_PERSON)
    nature = models.CharField(_("nature"), max_length=10, choices=Nature.choices, default=Nature.FIRST)
    purpose = models.CharField(_("purpose"), max_length=15, choices=Purpose.choices, default=Purpose.ON_BEHALF)
    job_seekers = models.ManyToManyField(
        JobSeeker, verbose_name=_("on behalf of"), blank=True, related_name="employer_contacts"
    )
    confirmed = models.BooleanField(
        _("confirmed with the employer"),
        default=False,
        help_text=_("Unconfirmed visits show as tentative in calendars."),
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    met_hiring_authority = models.BooleanField(_("the person met has hiring authority"), null=True, blank=True)
    learned_hiring_needs = models.TextField(_("hiring needs learned"), blank=True, max_length=2000)
    learned_job_types = models.ManyToManyField(
        JobType, verbose_name=_("job types they hire for"), blank=True, related_name="+"
    )
    learned_hiring_process = models.TextField(_("hiring process"), blank=True, max_length=2000)
    best_time_to_apply = models.CharField(_("best time to apply"), max_length=200, blank=True)
    result = models.TextField(_("result"), blank=True, max_length=2000)
    next_step = models.CharField(_("next step"), max_length=300, blank=True)
    next_step_on = models.DateField(_("next step date"), null=True, blank=True)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=300, blank=True)
    sequence = models.PositiveIntegerField(
        _("revision"), default=0, help_text=_("Raised on every change of time, place or status (calendar SEQUENCE).")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = EmployerContactQuerySet.as_manager()

    class Meta:
        verbose_name = _("employer contact")
        verbose_name_plural = _("employer contacts")
        ordering = ["-starts_at", "-id"]
        indexes = [
            models.Index(fields=["organisation", "status", "starts_at"]),
            models.Index(fields=["specialist", "starts_at"]),
            models.Index(fields=["employer", "status", "starts_at"]),
            # The contact export streams a program's contacts in this order.
            models.Index(fields=["organisation", "starts_at", "id"], name="jobdev_contact_org_start_id"),
            # The API lists a program's contacts by (updated_at, id), the partners' sync order.
            models.Index(fields=["organisation", "updated_at", "id"], name="jobdev_contact_org_updated_id"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="employer_contact_ends_after_start"),
            models.CheckConstraint(
                condition=~Q(status="cancelled") | ~Q(cancel_reason=""), name="employer_contact_cancel_has_reason"
            ),
        ]

    def __str__(self):
        return f"{self.employer} — {self.get_mode_display()}"

    @property
    def is_visit(self) -> bool:
        return self.mode == self.Mode.IN_PERSON

    @property
    def is_face_to_face(self) -> bool:
        return self.mode in self.FACE_TO_FACE_MODES

    @property
    def is_face_to_face_on_behalf(self) -> bool:
        return self.is_face_to_face and self.purpose == self.Purpose.ON_BEHALF

    @classmethod
    def face_to_face_on_behalf_q(cls, prefix: str = "") -> Q:
        """The Q of `is_face_to_face_on_behalf`, for filters and conditional counts."""
        return Q(**{f"{prefix}mode__in": cls.FACE_TO_FACE_MODES, f"{prefix}purpose": cls.Purpose.ON_BEHALF})

    # Check constraints whose rule clean() applies in Python, with its own message:
    # full_clean() need not ask the database about them again.
    CHECKED_IN_CLEAN = frozenset({"employer_contact_ends_after_start", "employer_contact_cancel_has_reason"})

    def get_constraints(self):
        return [
            (model, [c for c in constraints if c.name not in self.CHECKED_IN_CLEAN])
            for model, constraints in super().get_constraints()
        ]

    def clean(self):
        errors = {}
        if self.starts_at and self.ends_at:
            if self.ends_at <= self.starts_at:
                errors["ends_at"] = _("The end must be after the start.")
            elif self.ends_at - self.starts_at > MAX_CONTACT_LENGTH:
                errors["ends_at"] = _("A contact lasts at most 12 hours.")
        # Planned, `next_step` is the aim of the visit; once held, it is the next step
        # agreed, which the employer contact log dates.
        if self.status != self.Status.PLANNED and self.next_step and not self.next_step_on:
            errors["next_step_on"] = _("Give the next step a date.")
        if self.site_id and self.employer_id and self.site.employer_id != self.employer_id:
            errors["site"] = _("This site belongs to another employer.")
        if self.contact_person_id and self.employer_id and self.contact_person.employer_id != self.employer_id:
            errors["contact_person"] = _("This person works for another employer.")
        if self.status == self.Status.CANCELLED and not self.cancel_reason.strip():
            errors["cancel_reason"] = _("Say why the visit is cancelled.")
        if errors:
            raise ValidationError(errors)


class JobSearchNudge(models.Model):
    """A rapid-job-search nudge sent to the specialist (day 14, day 21 without a
    face-to-face employer contact). Unique per job-search period and day, so the
    scheduler nudges once however often it runs."""

    job_seeker = models.ForeignKey(JobSeeker, on_delete=models.CASCADE, related_name="job_search_nudges")
    job_search_since = models.DateField(_("in job search since"))
    day = models.PositiveSmallIntegerField(_("day"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("rapid-job-search nudge")
        verbose_name_plural = _("rapid-job-search nudges")
        constraints = [
            models.UniqueConstraint(fields=["job_seeker", "job_search_since", "day"], name="nudge_once_per_day_mark")
        ]

    def __str__(self):
        return f"{self.job_seeker} day {self.day}"


class PaceNudge(models.Model):
    """Job development, frequency (fidelity item 17): from the program's Thursday, a
    specialist who has held fewer in-person employer contacts on behalf of job seekers
    this ISO week than half the weekly target, with too few planned for the rest of the
    week to reach it. Unique per specialist and week, so the scheduler nudges once
    however often it runs (jobdev.nudges)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    specialist = models.ForeignKey(User, on_delete=models.CASCADE, related_name="pace_nudges")
    week = models.DateField(_("week of"), help_text=_("The Monday of the ISO week, in the program's dates."))
    held = models.PositiveSmallIntegerField(_("held by then"))
    planned = models.PositiveSmallIntegerField(_("planned for the rest of the week"))
    expected = models.PositiveSmallIntegerField(_("expected by Thursday"))
    target = models.PositiveSmallIntegerField(_("weekly target"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("job-development pace nudge")
        verbose_name_plural = _("job-development pace nudges")
        ordering = ["-week", "id"]
        constraints = [models.UniqueConstraint(fields=["specialist", "week"], name="pace_nudge_once_per_week")]

    def __str__(self):
        return f"{self.specialist} {self.week}"


class FidelityReview(models.Model):
    """A fidelity review of the program (or one team) on a review date: the 25 items
    of the IPS Supported Employment Fidelity Scale, the data-answerable ones pre-filled
    from the records, the others scored by the reviewer (jobdev.fidelity)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="fidelity_reviews")
    team = models.ForeignKey(
        "crm.Team",
        verbose_name=_("team"),
        # A team's reviews must not turn into the whole program's when the team goes.
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="fidelity_reviews",
        help_text=_("Empty for the whole program."),
    )
    review_date = models.DateField(_("review date"))
    period_from = models.DateField(_("evidence from"))
    period_to = models.DateField(_("evidence to"))
    reviewers = models.CharField(_("reviewers"), max_length=300, blank=True)
    notes = models.TextField(_("notes"), blank=True, max_length=8000)
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("fidelity review")
        verbose_name_plural = _("fidelity reviews")
        ordering = ["-review_date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_to__gte=F("period_from")), name="fidelity_review_period_in_order"
            ),
        ]

    def __str__(self):
        return f"{self.review_date}"


class FidelityReviewItem(models.Model):
    """One item's score on a review: `item` is the item's number in the scale's order
    (1-25, jobdev.fidelity.scale.ITEMS). `computed_score` and `evidence` are what the
    records gave on the review date; `score` is the reviewer's (their own, or the
    computed one confirmed)."""

    review = models.ForeignKey(FidelityReview, on_delete=models.CASCADE, related_name="items")
    item = models.PositiveSmallIntegerField(_("item"), validators=[MinValueValidator(1), MaxValueValidator(25)])
    score = models.PositiveSmallIntegerField(
        _("score"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    computed_score = models.PositiveSmallIntegerField(
        _("score from the records"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    evidence = models.TextField(_("evidence"), blank=True, max_length=4000)
    notes = models.TextField(_("reviewer's notes"), blank=True, max_length=4000)

    class Meta:
        verbose_name = _("fidelity review item")
        verbose_name_plural = _("fidelity review items")
        ordering = ["item"]
        constraints = [
            models.UniqueConstraint(fields=["review", "item"], name="fidelity_item_once_per_review"),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=1, score__lte=5), name="fidelity_score_1_to_5"
            ),
        ]

    def __str__(self):
        return f"{self.review} #{self.item}"
