"""Calendar subscriptions (iCal feeds). The secret token is in the URL and only its
SHA-256 hash is stored, so a database leak does not leak working feed URLs."""

from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from crm.models import Team, User


class CalendarFeed(models.Model):
    class Kind(models.TextChoices):
        PERSONAL = "personal", _("My visits and appointments")
        TEAM = "team", _("My team's visits")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="calendar_feeds")
    kind = models.CharField(_("feed"), max_length=10, choices=Kind.choices)
    team = models.ForeignKey(Team, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True)
    language = models.CharField(
        _("language"),
        max_length=10,
        default="en",
        help_text=_("Calendar clients send no language: the feed keeps its own."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    last_fetched_at = models.DateTimeField(_("last fetched"), null=True, blank=True)
    # What the feed last answered with 200, so that its Last-Modified moves whenever its
    # ETag does (an event gone, the name or time zone changed), not only when an event
    # changed: If-Modified-Since is answered from it. `served_etag` holds the version
    # (ical.version: the ETag but the links' scheme and host, which the ETag adds), so
    # that reading a feed through two host names keeps its Last-Modified.
    served_etag = models.CharField(max_length=34, blank=True, default="", editable=False)
    served_modified_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        db_table = "integrations_calendarfeed"  # the table's name from before the app split
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="team") & Q(team__isnull=False)) | (Q(kind="personal") & Q(team__isnull=True)),
                name="calendar_feed_team_iff_team_kind",
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.user})"


class CalendarPreference(models.Model):
    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="calendar_preference")
    include_tasks = models.BooleanField(_("also show support tasks due, as all-day entries"), default=False)
    alarm_minutes = models.PositiveSmallIntegerField(
        _("reminder, minutes before (empty: none)"), null=True, blank=True, validators=[MaxValueValidator(10080)]
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "integrations_calendarpreference"  # the table's name from before the app split
        verbose_name = _("calendar preference")
        verbose_name_plural = _("calendar preferences")

    def __str__(self):
        return str(self.user)


class PublishedEvent(models.Model):
    """What a calendar last handed out for one event: a feed (`feed`), or a user's
    single-event downloads (`feed` empty). It gives the event its stamps: LAST-MODIFIED
    and DTSTAMP change whenever anything the event shows changes (an employer renamed,
    a site's address corrected, a person no longer visible...), and SEQUENCE also
    counts significant changes (start, end, status, location) its record's own revision
    did not count (RFC 5545 3.8.7.3, 3.8.7.4; RFC 5546 2.1.4)."""

    feed = models.ForeignKey(CalendarFeed, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    uid = models.CharField(max_length=255)
    content = models.CharField(max_length=64, help_text="SHA-256 of everything the event showed, but its stamps")
    significant = models.CharField(max_length=64, help_text="SHA-256 of its start, end, status and location")
    record_sequence = models.PositiveIntegerField(help_text="The record's own revision when last handed out")
    extra_sequence = models.PositiveIntegerField(
        default=0, help_text="Significant changes the record's revision did not count"
    )
    modified_at = models.DateTimeField(help_text="When what it shows last changed (LAST-MODIFIED)")

    class Meta:
        verbose_name = _("published calendar event")
        verbose_name_plural = _("published calendar events")
        constraints = [
            models.UniqueConstraint(
                fields=["feed", "uid"], condition=Q(feed__isnull=False), name="published_event_once_per_feed"
            ),
            models.UniqueConstraint(
                fields=["user", "uid"], condition=Q(feed__isnull=True), name="published_event_once_per_downloader"
            ),
        ]

    def __str__(self):
        return self.uid
