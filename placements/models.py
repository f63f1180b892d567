"""Placements (jobs) and the follow-along support that goes with them."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from crm.models import JobSeeker, JobType, Organisation, User
from employers.models import Employer, EmployerSite


class Placement(models.Model):
    class Status(models.TextChoices):
        OFFER_ACCEPTED = "offer_accepted", _("Offer accepted")
        ACTIVE = "active", _("Working")
        ENDED = "ended", _("Ended")

    class EndReason(models.TextChoices):
        QUIT_BETTER_JOB = "quit_better_job", _("Quit for a better job")
        QUIT_HEALTH = "quit_health", _("Quit for health reasons")
        QUIT_OTHER = "quit_other", _("Quit for other reasons")
        FIRED = "fired", _("Fired")
        LAID_OFF = "laid_off", _("Laid off")
        TEMPORARY_ENDED = "temporary_ended", _("Temporary job ended")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="placements")
    job_seeker = models.ForeignKey(
        JobSeeker, verbose_name=_("job seeker"), on_delete=models.PROTECT, related_name="placements"
    )
    employer = models.ForeignKey(
        Employer, verbose_name=_("employer"), on_delete=models.PROTECT, related_name="placements"
    )
    site = models.ForeignKey(
        EmployerSite,
        verbose_name=_("site"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="placements",
    )
    job_title = models.CharField(_("job title"), max_length=200)
    job_type = models.ForeignKey(
        JobType, verbose_name=_("job type"), on_delete=models.PROTECT, null=True, blank=True, related_name="placements"
    )
    hours_per_week = models.DecimalField(
        _("hours per week"),
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(80)],
    )
    hourly_pay = models.DecimalField(
        _("hourly pay"), max_digits=6, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    is_competitive = models.BooleanField(
        _("competitive job"),
        default=True,
        help_text=_("Open to anyone, paid at least the minimum wage, not reserved for people with disabilities."),
    )
    offer_date = models.DateField(_("offer accepted on"))
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OFFER_ACCEPTED)
    end_reason = models.CharField(_("end reason"), max_length=20, choices=EndReason.choices, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("placement")
        verbose_name_plural = _("placements")
        ordering = ["-offer_date", "-id"]
        indexes = [models.Index(fields=["organisation", "status"]), models.Index(fields=["organisation", "start_date"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(start_date__isnull=True) | Q(start_date__gte=F("offer_date")),
                name="placement_start_not_before_offer",
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | (Q(start_date__isnull=False) & Q(end_date__gte=F("start_date"))),
                name="placement_end_not_before_start",
            ),
            models.CheckConstraint(
                condition=(Q(status="ended") & Q(end_date__isnull=False) & ~Q(end_reason=""))
                | (~Q(status="ended") & Q(end_date__isnull=True) & Q(end_reason="")),
                name="placement_ended_iff_end_date_and_reason",
            ),
            models.CheckConstraint(
                condition=~Q(status="active") | Q(start_date__isnull=False),
                name="placement_active_has_start_date",
            ),
            models.CheckConstraint(
                condition=Q(hours_per_week__isnull=True) | Q(hours_per_week__gte=0, hours_per_week__lte=80),
                name="placement_hours_in_range",
            ),
            models.CheckConstraint(
                condition=Q(hourly_pay__isnull=True) | Q(hourly_pay__gte=0),
                name="placement_pay_not_negative",
            ),
        ]

    def __str__(self):
        return f"{self.job_title} — {self.employer}"


class SupportTask(models.Model):
    """A follow-along or workflow step with a due date and an owner."""

    class Kind(models.TextChoices):
        FOLLOW_ALONG = "follow_along", _("Follow-along contact")
        BENEFITS_PLANNING = "benefits_planning", _("Work incentives planning")
        DISCLOSURE_CONVERSATION = "disclosure_conversation", _("Disclosure conversation")
        ACCOMMODATION = "accommodation", _("Workplace accommodation")
        JOB_END_CONTACT = "job_end_contact", _("Face-to-face contact after a job end")
        JOB_END_REPORT = "job_end_report", _("Job-end report")
        RETENTION_CHECK = "retention_check", _("Retention check")
        STEP_DOWN_REVIEW = "step_down_review", _("Step-down review")
        JOB_SEARCH_NUDGE = "job_search_nudge", _("Rapid job search: contact an employer")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    class Mode(models.TextChoices):
        IN_PERSON = "in_person", _("In person")
        PHONE = "phone", _("Phone")
        VIDEO = "video", _("Video")
        MESSAGE = "message", _("Message")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="support_tasks")
    job_seeker = models.ForeignKey(
        JobSeeker, verbose_name=_("job seeker"), on_delete=models.CASCADE, related_name="support_tasks"
    )
    placement = models.ForeignKey(
        Placement,
        verbose_name=_("placement"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="support_tasks",
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    due_date = models.DateField(_("due date"))
    owner = models.ForeignKey(User, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="support_tasks")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    completion_mode = models.CharField(_("mode"), max_length=10, choices=Mode.choices, blank=True)
    completion_note = models.TextField(_("completion note"), blank=True, max_length=4000)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("support task")
        verbose_name_plural = _("support tasks")
        ordering = ["due_date", "id"]
        indexes = [models.Index(fields=["owner", "status", "due_date"])]
        constraints = [
            models.CheckConstraint(
                condition=(Q(status="done") & Q(completed_on__isnull=False))
                | (~Q(status="done") & Q(completed_on__isnull=True)),
                name="support_task_completed_iff_done",
            ),
        ]

    def __str__(self):
        return self.title
