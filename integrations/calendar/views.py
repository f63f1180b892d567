from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseNotModified
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import http_date, parse_etags
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from crm.access import OutOfScope
from crm.clock import program_zone
from integrations.calendar import ical, services
from integrations.calendar.models import CalendarFeed, CalendarPreference
from integrations.calendar.selectors import (
    Window,
    active_feed,
    feed_all_day_tasks,
    feed_appointments,
    feed_fingerprint,
    feed_scope,
    feed_visits,
)
from jobdev.selectors import employer_contact_for_detail, with_visible_job_seekers
from placements.selectors import support_tasks_visible


def _base_url(request) -> str:
    return request.build_absolute_uri("/").rstrip("/")


def _ics_response(body: bytes, filename: str | None = None) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    if filename:
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_not_required
@require_GET
def feed(request, token):
    """A subscription: no session, the secret is the URL. Unknown or revoked: 404."""
    calendar_feed = active_feed(token)
    if calendar_feed is None or calendar_feed.user.organisation is None:
        raise OutOfScope
    user = calendar_feed.user
    organisation = user.organisation
    tz = program_zone(organisation)
    window = Window.around(timezone.localdate(timezone=tz))
    preference = CalendarPreference.objects.filter(user=user).first()
    etag, last_modified = feed_fingerprint(calendar_feed, window, tz, preference)
    CalendarFeed.objects.filter(pk=calendar_feed.pk).update(last_fetched_at=timezone.now())
    if etag in parse_etags(request.headers.get("If-None-Match", "")):
        response = HttpResponseNotModified()
        response["ETag"] = etag
        return response
    alarm = preference.alarm_minutes if preference else None
    base_url = _base_url(request)
    with ical.in_language(calendar_feed.language):
        visits = with_visible_job_seekers(feed_visits(calendar_feed, window, tz), feed_scope(calendar_feed))
        events = [
            ical.visit_event(visit, organisation=organisation, tz=tz, base_url=base_url, alarm_minutes=alarm)
            for visit in visits
        ]
        events += [
            ical.appointment_event(task, organisation=organisation, tz=tz, base_url=base_url, alarm_minutes=alarm)
            for task in feed_appointments(calendar_feed, window)
        ]
        events += [
            ical.all_day_task_event(task, organisation=organisation, base_url=base_url)
            for task in feed_all_day_tasks(calendar_feed, window, preference)
        ]
        if calendar_feed.kind == CalendarFeed.Kind.TEAM:
            name = _("%(team)s — employer visits") % {"team": calendar_feed.team.name}
        else:
            name = _("%(name)s — visits and appointments") % {"name": user.get_full_name() or user.username}
        body = ical.calendar(
            name=name,
            events=events,
            tz_name=organisation.time_zone,
            first_date=window.start,
            last_date=window.end,
            feed=True,
        )
    response = _ics_response(body)
    response["ETag"] = etag
    response["Cache-Control"] = "private, max-age=0, must-revalidate"
    if last_modified is not None:
        response["Last-Modified"] = http_date(last_modified.timestamp())
    return response


def visit_ics(request, pk):
    """ "Add to calendar" for one visit: the same UID as in the feeds."""
    contact = employer_contact_for_detail(request.scope, pk)
    organisation = request.scope.organisation
    tz = program_zone(organisation)
    event = ical.visit_event(contact, organisation=organisation, tz=tz, base_url=_base_url(request))
    day = contact.starts_at.astimezone(tz).date()
    body = ical.calendar(
        name="", events=[event], tz_name=organisation.time_zone, first_date=day, last_date=day, feed=False
    )
    return _ics_response(body, f"visit-{contact.pk}.ics")


def task_ics(request, pk):
    task = request.scope.get(
        support_tasks_visible(request.scope).select_related("placement__site"), pk=pk, due_time__isnull=False
    )
    organisation = request.scope.organisation
    tz = program_zone(organisation)
    event = ical.appointment_event(task, organisation=organisation, tz=tz, base_url=_base_url(request))
    body = ical.calendar(
        name="",
        events=[event],
        tz_name=organisation.time_zone,
        first_date=task.due_date,
        last_date=task.due_date,
        feed=False,
    )
    return _ics_response(body, f"appointment-{task.pk}.ics")


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
