import datetime

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from crm.access import OutOfScope
from crm.clock import program_zone
from crm.models import Organisation
from integrations.calendar import ical, services
from integrations.calendar.models import CalendarFeed, CalendarPreference
from integrations.calendar.publication import plan
from integrations.calendar.selectors import active_feed, feed_content, feed_current, published_events
from jobdev.selectors import employer_contact_for_detail
from placements.selectors import support_tasks_visible


def _base_url(request) -> str:
    return request.build_absolute_uri("/").rstrip("/")


def _ics_response(request, body: bytes, etag: str, language: str, filename: str | None = None) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["ETag"] = etag
    # The language the body is written in, not the one the request asked for
    # (LocaleMiddleware would otherwise state the request's).
    response["Content-Language"] = language
    if filename:
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    if request.method == "HEAD":
        # As GET, without the body (RFC 9110 9.3.2): calendar clients and proxies ask
        # HEAD to learn whether a calendar changed.
        response["Content-Length"] = str(len(body))
        response.content = b""
    return response


def _conditional(request, etag: str, last_modified: datetime.datetime | None, headers: dict) -> HttpResponse | None:
    """The preconditions of RFC 9110 13.2.2 in its order, by Django: If-None-Match
    with the weak comparison (W/"<etag>", a list, *) answers 304 on GET and HEAD;
    If-Modified-Since only when no If-None-Match was sent, and only with a
    `last_modified` that moves whenever the body changes; If-Match and
    If-Unmodified-Since 412. None: answer in full. A 304 carries the ETag and
    `headers` (Cache-Control, Content-Language: a cache updates its copy with them)."""
    timestamp = int(last_modified.timestamp()) if last_modified else None
    response = get_conditional_response(request, etag=etag, last_modified=timestamp)
    if response is not None and response.status_code == 304:
        response["ETag"] = etag
        for name, value in headers.items():
            response[name] = value
    return response


def _latest(stamps: dict[str, ical.Stamp]) -> datetime.datetime | None:
    return max((stamp.modified_at for stamp in stamps.values()), default=None)


@login_not_required
@require_safe
def feed(request, token):
    """A subscription: no session, the secret is the URL. Unknown or revoked: 404.
    GET and HEAD; revalidation (If-None-Match, If-Modified-Since) answers 304 when
    nothing changed. The body and Content-Language are in the feed's language. A feed
    unchanged since it was last served is answered without a lock or a write (but a
    throttled `last_fetched_at`); a changed one is published first, HEAD as GET, so that
    HEAD names the version a GET then gets."""
    calendar_feed = active_feed(token)
    if calendar_feed is None or calendar_feed.user.organisation is None:
        raise OutOfScope
    content = feed_content(calendar_feed, base_url=_base_url(request))
    version = feed_current(calendar_feed, content)
    headers = {"Cache-Control": FEED_CACHE_CONTROL, "Content-Language": calendar_feed.language}
    conditional = _conditional(request, version.etag, version.modified_at if version.known else None, headers)
    if conditional is None and not version.recorded:
        known = version.known
        version = services.calendar_feed_publish(feed=calendar_feed, content=content)
        # Decided again from the version recorded: another fetch may have recorded it.
        conditional = _conditional(request, version.etag, version.modified_at if known else None, headers)
    else:
        services.calendar_feed_fetched(feed=calendar_feed)
    if conditional is not None:
        return conditional
    body = ical.calendar(content.heading, content.views, version.stamps)
    response = _ics_response(request, body, version.etag, calendar_feed.language)
    response["Cache-Control"] = FEED_CACHE_CONTROL
    response["Last-Modified"] = http_date(version.modified_at.timestamp())
    return response


FEED_CACHE_CONTROL = "private, max-age=0, must-revalidate"


def _single_event(request, view: ical.EventView, filename: str) -> HttpResponse:
    """ "Add to calendar": one event, with the same UID as in the feeds, in the
    reader's language; its stamps are those of the reader's earlier downloads."""
    tz = program_zone(request.scope.organisation)
    first_date, last_date = ical.local_dates([view], tz)
    heading = ical.Heading(name="", tz=tz, first_date=first_date, last_date=last_date, feed=False)
    publication = plan([view], published_events(user=request.user, uids=[view.uid]), user=request.user)
    language = get_language() or "en"
    # No If-Modified-Since here: the file's bytes also follow the reader's language
    # and the program's time zone, which the event's LAST-MODIFIED does not.
    conditional = _conditional(
        request, ical.etag(heading, [view], publication.stamps), None, {"Content-Language": language}
    )
    if conditional is not None:
        return conditional
    stamps = services.calendar_events_publish(views=[view], user=request.user)
    response = _ics_response(
        request, ical.calendar(heading, [view], stamps), ical.etag(heading, [view], stamps), language, filename
    )
    latest = _latest(stamps)
    if latest is not None:
        response["Last-Modified"] = http_date(latest.timestamp())
    return response


@require_safe
def visit_ics(request, pk):
    contact = employer_contact_for_detail(request.scope, pk)
    view = ical.visit_view(contact, organisation=request.scope.organisation, base_url=_base_url(request))
    return _single_event(request, view, f"visit-{contact.pk}.ics")


@require_safe
def task_ics(request, pk):
    task = request.scope.get(
        support_tasks_visible(request.scope).select_related("job_seeker", "placement__site"),
        pk=pk,
        due_time__isnull=False,
    )
    organisation = request.scope.organisation
    view = ical.appointment_view(
        task, organisation=organisation, tz=program_zone(organisation), base_url=_base_url(request)
    )
    return _single_event(request, view, f"appointment-{task.pk}.ics")


class PreferenceForm(forms.ModelForm):
    class Meta:
        model = CalendarPreference
        fields = ["include_tasks", "alarm_minutes"]


class FeedKindForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Feed"), choices=CalendarFeed.Kind.choices)


def _feed_urls(request, token: str) -> dict:
    https = request.build_absolute_uri(reverse("calendar_feed", args=[token]))
    return {"https": https, "webcal": "webcal://" + https.split("://", 1)[1]}


def calendar_settings(request, new_token=None, preference_form=None):
    preference = CalendarPreference.objects.filter(user=request.user).first()
    context = {
        "feeds": CalendarFeed.objects.filter(user=request.user, revoked_at__isnull=True).select_related("team"),
        "can_have_team_feed": request.scope.led_teams().exists(),
        "preference_form": preference_form or PreferenceForm(instance=preference),
        "new_feed": _feed_urls(request, new_token) if new_token else None,
    }
    return render(request, "calendar/calendar_settings.html", context)


@require_safe
def calendar_help(request):
    """How to subscribe in each calendar app, how often they refresh, what a feed
    holds and what it never holds, and what to do when a link leaks: the user's
    instructions, in the app and in the user's language (docs/calendar.md is the
    operator's)."""
    organisation = request.scope.organisation
    names = organisation.job_seeker_names_in_calendars if organisation else Organisation.JobSeekerNames.INITIALS
    context = {
        "refresh_minutes": settings.CALENDAR_REFRESH_MINUTES,
        "past_days": settings.CALENDAR_PAST_DAYS,
        "future_days": settings.CALENDAR_FUTURE_DAYS,
        "cancelled_days": settings.CALENDAR_CANCELLED_GRACE_DAYS,
        "first_names": names == Organisation.JobSeekerNames.FIRST_NAME,
    }
    return render(request, "calendar/calendar_help.html", context)


@require_POST
def calendar_feed_create(request):
    form = FeedKindForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose which feed to create."))
        return redirect("calendar_settings")
    try:
        _feed, token = services.calendar_feed_create(
            scope=request.scope, kind=form.cleaned_data["kind"], language=get_language() or "en"
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("calendar_settings")
    # The secret is shown in this response only: it is not stored anywhere readable.
    return calendar_settings(request, new_token=token)


@require_POST
def calendar_feed_rotate(request, feed_id):
    try:
        _feed, token = services.calendar_feed_rotate(scope=request.scope, feed_id=feed_id)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("calendar_settings")
    messages.success(request, _("The old link no longer works. Replace it in your calendar with the new one."))
    return calendar_settings(request, new_token=token)


@require_POST
def calendar_feed_revoke(request, feed_id):
    services.calendar_feed_revoke(scope=request.scope, feed_id=feed_id)
    messages.success(request, _("Link revoked: calendars using it will stop updating."))
    return redirect("calendar_settings")


@require_POST
def calendar_preference(request):
    preference = CalendarPreference.objects.filter(user=request.user).first()
    form = PreferenceForm(request.POST, instance=preference)
    if not form.is_valid():
        return calendar_settings(request, preference_form=form)
    services.calendar_preference_save(
        scope=request.scope,
        include_tasks=form.cleaned_data["include_tasks"],
        alarm_minutes=form.cleaned_data["alarm_minutes"],
    )
    messages.success(request, _("Calendar settings saved."))
    return redirect("calendar_settings")
