"""Placements (jobs) and the follow-along support that goes with them."""

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from crm import clock
from crm.models import JobSeeker, JobType, LoadedRelations, Organisation, User
from crm.templatetags.typography import labelled
from employers.models import Employer, EmployerSite


def _related(instance: models.Model, name: str):
    """The related row `name` of `instance`, or None when unset or missing (an id that
    names no row is a validation error, not a DoesNotExist from clean())."""
    try:
        return getattr(instance, name)
    except ObjectDoesNotExist:
        return None


class Placement(LoadedRelations, models.Model):
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

    class Term(models.TextChoices):
        PERMANENT = "permanent", _("Permanent")
        TEMPORARY = "temporary", _("Temporary, seasonal or fixed-term")

    # Asked on every placement (no default): a placement saved before the question
    # existed keeps its answer, and none is assumed (fidelity item: competitive jobs).
    is_competitive = models.BooleanField(
        _("competitive job"),
        null=True,
        help_text=_("Open to anyone, paid at least the minimum wage, not reserved for people with disabilities."),
    )
    term = models.CharField(_("permanent or temporary"), max_length=10, choices=Term.choices, blank=True)
    offer_date = models.DateField(_("offer accepted on"))
    expected_start_date = models.DateField(_("expected start date"), null=True, blank=True)
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
                condition=Q(expected_start_date__isnull=True) | Q(expected_start_date__gte=F("offer_date")),
                name="placement_expected_start_not_before_offer",
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

    def clean(self):
        """Rules across fields, checked by the services and the admin alike (the check
        constraints below back them in the database)."""
        errors = {}
        employer = _related(self, "employer")
        site = _related(self, "site")
        job_seeker = _related(self, "job_seeker")
        if self.employer_id and employer is None:
            errors["employer"] = _("Choose one of your program's employers.")
        if employer is not None and self.organisation_id and employer.organisation_id != self.organisation_id:
            errors["employer"] = _("Choose one of your program's employers.")
        if self.site_id and site is None:
            errors["site"] = _("Choose one of the employer's sites.")
        if site is not None and employer is not None and site.employer_id != employer.pk:
            errors["site"] = _("This site belongs to another employer.")
        if job_seeker is not None and self.organisation_id and job_seeker.organisation_id != self.organisation_id:
            errors["job_seeker"] = _("This job seeker belongs to another program.")
        if self.offer_date and self.expected_start_date and self.expected_start_date < self.offer_date:
            errors["expected_start_date"] = _("The start cannot be before the offer was accepted.")
        if self.offer_date and self.start_date and self.start_date < self.offer_date:
            errors["start_date"] = _("The start date cannot be before the offer was accepted.")
        if self.start_date and self.end_date and self.end_date < self.start_date:
            errors["end_date"] = _("The end date cannot be before the start date.")
        if errors:
            raise ValidationError(errors)


class SupportTaskQuerySet(models.QuerySet):
    def close(self, status: str, **fields) -> int:
        """Close many tasks at once, raising their revision as calendars expect
        (SEQUENCE and LAST-MODIFIED change whenever the status does). A cancellation
        is dated on each program's own day: a contact cancelled after its due date
        stays a missed contact in the fidelity figures."""
        if status != SupportTask.Status.CANCELLED or "cancelled_on" in fields:
            return self.update(status=status, sequence=F("sequence") + 1, updated_at=timezone.now(), **fields)
        closed = 0
        for organisation in Organisation.objects.filter(pk__in=self.values("organisation_id")).order_by("pk"):
            closed += self.filter(organisation=organisation).close(
                status, cancelled_on=clock.program_today(organisation), **fields
            )
        return closed


class TaskTitle(models.TextChoices):
    """The titles of the tasks the product creates, rendered in the reader's language
    when shown (SupportTask.title). Each label is a format string: `%(name)s` is the job
    seeker's name at display time (never stored), the others come from
    `SupportTask.title_params` ("what": the adjustment, "day": a day count,
    "preference": a JobSeeker.Disclosure value)."""

    FOLLOW_ALONG = "follow_along", _("Follow-along contact with %(name)s")
    FOLLOW_ALONG_BEFORE_START = (
        "follow_along_before_start",
        _("Follow-along contact with %(name)s in the week before the start"),
    )
    BENEFITS_BEFORE_START = "benefits_before_start", _("Work incentives planning before the start (%(name)s)")
    BENEFITS_TERMS_CHANGED = "benefits_terms_changed", _("Benefits re-check: hours or pay changed (%(name)s)")
    BENEFITS_SESSION_CHECK = (
        "benefits_session_check",
        _("Check that the benefits counselling session took place (%(name)s)"),
    )
    DISCLOSURE_CONVERSATION = (
        "disclosure_conversation",
        _("Talk about disclosure with %(name)s (recorded preference: %(preference)s)"),
    )
    ACCOMMODATION_NEEDS = "accommodation_needs", _("Talk with %(name)s about workplace adjustments they may need")
    ACCOMMODATION_FIRST_MONTH = (
        "accommodation_first_month",
        _("Review workplace adjustments after the first month (%(name)s)"),
    )
    ACCOMMODATION_DISCUSS = "accommodation_discuss", _("Discuss the adjustment “%(what)s” with the worker")
    ACCOMMODATION_CHECK_ANSWER = "accommodation_check_answer", _("Check the employer's answer on “%(what)s”")
    ACCOMMODATION_REVIEW = "accommodation_review", _("Review with the worker whether “%(what)s” works")
    RETENTION_CHECK = "retention_check", _("13-week retention check with %(name)s")
    STEP_DOWN_ONE_YEAR = (
        "step_down_one_year",
        _("One year in the job: review follow-along and a possible step-down with %(name)s"),
    )
    STEP_DOWN_HANDOVER = "step_down_handover", _("Hand follow-along over to the mental-health team")
    JOB_END_CONTACT = "job_end_contact", _("See %(name)s face to face after the job ended")
    JOB_END_REPORT = "job_end_report", _("Write the job-end report (%(name)s)")
    JOB_SEARCH_NUDGE = (
        "job_search_nudge",
        _("Day %(day)s of job search for %(name)s: no face-to-face employer contact yet"),
    )


class SupportTask(LoadedRelations, models.Model):
    """A follow-along or workflow step with a due date and an owner.

    Its title is not stored as text: tasks the product creates keep a `title_key` (a
    TaskTitle) and its `title_params`, and `title` renders them in the language of
    whoever reads it, with the job seeker's current name. A task written by hand keeps
    its free text in `custom_title`."""

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

    class Place(models.TextChoices):
        """Where an in-person contact took place (fidelity item: community-based services)."""

        WORKPLACE = "workplace", _("At the workplace")
        COMMUNITY = "community", _("Elsewhere in the community (home, café, public place)")
        OFFICE = "office", _("At the service's office")

    class SupportType(models.TextChoices):
        """Fidelity item: individualized follow-along supports (types vary with the person)."""

        ON_THE_JOB = "on_the_job", _("On-the-job support")
        EMPLOYER = "employer", _("Meeting or call with the employer")
        COPING = "coping", _("Coping with stress or symptoms at work")
        CAREER = "career", _("Career development (next job, education)")
        BENEFITS = "benefits", _("Benefits and money")
        HEALTH_TEAM = "health_team", _("Coordination with the mental-health team")
        FAMILY = "family", _("Family support")
        TRAVEL = "travel", _("Travel to work")
        SOCIAL = "social", _("Social or peer support")
        OTHER = "other", _("Other support")

    class GivenBy(models.TextChoices):
        """Fidelity item: individualized follow-along supports (given by a variety of people)."""

        SPECIALIST = "specialist", _("Employment specialist")
        HEALTH_TEAM = "health_team", _("Mental-health team member")
        FAMILY = "family", _("Family or friends")
        WORKPLACE = "workplace", _("Supervisor or co-workers")
        BENEFITS_COUNSELLOR = "benefits_counsellor", _("Benefits counsellor")
        PEER = "peer", _("Peer support worker")
        OTHER = "other", _("Someone else")

    FACE_TO_FACE_MODES = (Mode.IN_PERSON,)

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
    title_key = models.CharField(_("title"), max_length=40, choices=TaskTitle.choices, blank=True)
    title_params = models.JSONField(_("title details"), default=dict, blank=True)
    custom_title = models.CharField(_("title"), max_length=200, blank=True, help_text=_("For a task written by hand."))
    due_date = models.DateField(_("due date"))
    due_by = models.DateField(
        _("due by (as planned)"),
        null=True,
        blank=True,
        help_text=_(
            "The date the task was first due. Booking the appointment on another day does not move it: a "
            "follow-along contact held after this date was late (fidelity item: time-unlimited follow-along)."
        ),
    )
    due_time = models.TimeField(
        _("appointment time"), null=True, blank=True, help_text=_("Set for an appointment: it then shows in calendars.")
    )
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"), default=60)
    sequence = models.PositiveIntegerField(_("revision"), default=0)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    owner = models.ForeignKey(User, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="support_tasks")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    source_event = models.ForeignKey(
        "crm.OutboxEvent",
        verbose_name=_("created by event"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="support_tasks",
    )
    accommodation = models.ForeignKey(
        "Accommodation", on_delete=models.CASCADE, null=True, blank=True, related_name="support_tasks"
    )
    benefits_step = models.ForeignKey(
        "BenefitsStep", on_delete=models.CASCADE, null=True, blank=True, related_name="support_tasks"
    )
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=300, blank=True)
    cancelled_on = models.DateField(
        _("cancelled on"),
        null=True,
        blank=True,
        help_text=_("A contact cancelled after its due date was missed, and stays missed in the fidelity figures."),
    )
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    completion_mode = models.CharField(_("mode"), max_length=10, choices=Mode.choices, blank=True)
    place = models.CharField(_("where"), max_length=12, choices=Place.choices, blank=True)
    support_type = models.CharField(_("type of support"), max_length=20, choices=SupportType.choices, blank=True)
    given_by = models.CharField(_("support given by"), max_length=20, choices=GivenBy.choices, blank=True)
    completion_note = models.TextField(_("completion note"), blank=True, max_length=4000)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = SupportTaskQuerySet.as_manager()

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
            models.CheckConstraint(
                condition=~Q(title_key="") | ~Q(custom_title=""),
                name="support_task_has_a_title",
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def title(self) -> str:
        """The title in the active language (the reader's), with the job seeker's
        current name. Reading it loads `job_seeker` (select_related it in lists)."""
        if not self.title_key:
            return self.custom_title
        params = dict(self.title_params or {})
        if "preference" in params:
            labels = dict(JobSeeker.Disclosure.choices)
            params["preference"] = labels.get(params["preference"], params["preference"])
        params["name"] = self.job_seeker.full_name if self.job_seeker_id else ""
        try:
            return str(TaskTitle(self.title_key).label) % params
        except (ValueError, KeyError, TypeError):  # a key or parameter from a newer version
            return self.custom_title or str(self.get_kind_display())

    @title.setter
    def title(self, text: str) -> None:
        """A title written by hand (free text, shown as it is in every language)."""
        self.custom_title = text
        self.title_key = ""
        self.title_params = {}

    @property
    def is_overdue(self) -> bool:
        return self.status == self.Status.OPEN and self.due_date < timezone.localdate()


class Milestone(models.TextChoices):
    DAY_3 = "day_3", _("Day 3")
    WEEK_1 = "week_1", _("Week 1")
    DAY_30 = "day_30", _("Day 30")
    DAY_90 = "day_90", _("13 weeks (day 90)")
    DAY_182 = "day_182", _("6 months (day 182)")
    DAY_365 = "day_365", _("1 year (day 365)")


MILESTONE_DAYS = {
    Milestone.DAY_3: 3,
    Milestone.WEEK_1: 7,
    Milestone.DAY_30: 30,
    Milestone.DAY_90: 90,
    Milestone.DAY_182: 182,
    Milestone.DAY_365: 365,
}


class PlacementMilestone(models.Model):
    """A time-based milestone of a job, stored with its due date when the job starts;
    the scheduler emits it once when due (never a delayed broker message)."""

    placement = models.ForeignKey(Placement, on_delete=models.CASCADE, related_name="milestones")
    name = models.CharField(_("milestone"), max_length=10, choices=Milestone.choices)
    due_date = models.DateField(_("due date"))
    reached_at = models.DateTimeField(_("reached"), null=True, blank=True)
    still_working = models.BooleanField(
        _("still working at this milestone"), null=True, blank=True, help_text=_("Recorded for retention reporting.")
    )

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["due_date", "id"]
        indexes = [models.Index(fields=["reached_at", "due_date"])]
        constraints = [models.UniqueConstraint(fields=["placement", "name"], name="milestone_once_per_placement")]

    def __str__(self):
        return self.get_name_display()


class FollowAlongPlan(LoadedRelations, models.Model):
    """The job support plan: how follow-along goes on, as long as the worker wants it."""

    class Frequency(models.TextChoices):
        STANDARD = "standard", _("IPS default: within 3 days, weekly for a month, then monthly")
        WEEKLY = "weekly", _("Weekly")
        FORTNIGHTLY = "fortnightly", _("Every two weeks")
        MONTHLY = "monthly", _("Monthly")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        PAUSED = "paused", _("Paused")
        DECLINED = "declined", _("Worker declined support")
        STEPPED_DOWN = "stepped_down", _("Stepped down to the mental-health team")
        ENDED = "ended", _("Ended with the job")

    placement = models.OneToOneField(Placement, on_delete=models.CASCADE, related_name="follow_along_plan")
    frequency = models.CharField(_("frequency"), max_length=12, choices=Frequency.choices, default=Frequency.STANDARD)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.ACTIVE)
    status_reason = models.CharField(_("reason"), max_length=300, blank=True)
    step_down_date = models.DateField(_("planned step-down date"), null=True, blank=True)
    step_down_agreed = models.BooleanField(_("worker agrees to the step-down"), default=False)
    stepped_down_on = models.DateField(_("stepped down on"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("follow-along plan")
        verbose_name_plural = _("follow-along plans")

    def __str__(self):
        return labelled(self.placement, self.get_status_display())


class Accommodation(LoadedRelations, models.Model):
    """A workplace adjustment, from need identified to reviewed."""

    class Status(models.TextChoices):
        IDENTIFIED = "identified", _("Need identified")
        DISCUSSED = "discussed", _("Discussed with the worker")
        REQUESTED = "requested", _("Requested from the employer")
        AGREED = "agreed", _("Agreed by the employer")
        IN_PLACE = "in_place", _("In place")
        REVIEWED = "reviewed", _("Reviewed")
        DROPPED = "dropped", _("Not pursued")

    ORDER = ["identified", "discussed", "requested", "agreed", "in_place", "reviewed"]

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    placement = models.ForeignKey(Placement, on_delete=models.CASCADE, related_name="accommodations")
    description = models.CharField(_("adjustment"), max_length=300)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.IDENTIFIED)
    worker_consents_to_disclosure = models.BooleanField(
        _("worker consents to disclosing to the employer"), default=False
    )
    note = models.TextField(_("note"), blank=True, max_length=2000)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("workplace accommodation")
        verbose_name_plural = _("workplace accommodations")
        ordering = ["id"]

    def __str__(self):
        return self.description

    @property
    def is_finished(self) -> bool:
        """Reviewed or not pursued: the adjustment changes no more."""
        return self.status in (self.Status.REVIEWED, self.Status.DROPPED)

    @property
    def next_status(self) -> str | None:
        """The step after the current one (identified -> discussed -> requested ->
        agreed -> in place -> reviewed); None once finished."""
        if self.is_finished or self.status not in self.ORDER:
            return None
        return self.ORDER[self.ORDER.index(self.status) + 1]


class BenefitsStep(LoadedRelations, models.Model):
    """A work-incentives-planning (benefits counselling) step."""

    class Reason(models.TextChoices):
        BEFORE_START = "before_start", _("Before starting a new job")
        TERMS_CHANGED = "terms_changed", _("Hours or pay changed")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        OFFERED = "offered", _("Offered")
        REFERRED = "referred", _("Referred to a benefits counsellor")
        SESSION_HELD = "session_held", _("Session held")
        PLAN_IN_PLACE = "plan_in_place", _("Plan in place")
        DECLINED = "declined", _("Declined by the worker")

    ORDER = ["offered", "referred", "session_held", "plan_in_place"]

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    job_seeker = models.ForeignKey(JobSeeker, on_delete=models.CASCADE, related_name="benefits_steps")
    placement = models.ForeignKey(
        Placement, on_delete=models.CASCADE, null=True, blank=True, related_name="benefits_steps"
    )
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OFFERED)
    offered_on = models.DateField(_("offered on"))
    completed_on = models.DateField(
        _("completed on"),
        null=True,
        blank=True,
        help_text=_("The day a plan was in place or the worker declined (fidelity item: work incentives planning)."),
    )
    counsellor = models.ForeignKey(
        "crm.Partner",
        verbose_name=_("benefits counsellor"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="benefits_steps",
        help_text=_("The benefits-counselling partner this step is assigned to; it may move the step on."),
    )
    note = models.TextField(_("note"), blank=True, max_length=2000)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("benefits-counselling step")
        verbose_name_plural = _("benefits-counselling steps")
        ordering = ["id"]

    def __str__(self):
        return labelled(self.get_reason_display(), self.get_status_display())

    @property
    def is_finished(self) -> bool:
        """A plan is in place, or the worker declined: the step changes no more."""
        return self.status in (self.Status.PLAN_IN_PLACE, self.Status.DECLINED)

    @property
    def next_status(self) -> str | None:
        """The step after the current one (offered -> referred -> session held -> plan
        in place); None once finished."""
        if self.is_finished or self.status not in self.ORDER:
            return None
        return self.ORDER[self.ORDER.index(self.status) + 1]


class JobEndReport(LoadedRelations, models.Model):
    """The IPS job-end report, written after every job end."""

    placement = models.OneToOneField(Placement, on_delete=models.CASCADE, related_name="job_end_report")
    disclosed = models.BooleanField(_("the worker had disclosed to the employer"), null=True, blank=True)
    face_to_face_contact_on = models.DateField(_("face-to-face contact after the job ended"), null=True, blank=True)
    worker_perspective = models.TextField(_("the worker's perspective"), blank=True, max_length=4000)
    staff_perspective = models.TextField(_("staff's perspective"), blank=True, max_length=4000)
    employer_perspective = models.TextField(_("the employer's perspective"), blank=True, max_length=4000)
    supports_given = models.TextField(_("supports given"), blank=True, max_length=4000)
    what_worked = models.TextField(_("what worked"), blank=True, max_length=4000)
    wants_another_job = models.BooleanField(_("wants another job"), null=True, blank=True)
    next_job_wanted = models.CharField(_("kind of job wanted next"), max_length=300, blank=True)
    disclosure_next_time = models.CharField(_("disclosure next time"), max_length=300, blank=True)
    next_steps = models.TextField(_("next steps"), blank=True, max_length=4000)
    written_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    written_on = models.DateField(_("written on"), default=timezone.localdate)

    class Meta:
        verbose_name = _("job-end report")
        verbose_name_plural = _("job-end reports")

    def __str__(self):
        return str(self.placement)
