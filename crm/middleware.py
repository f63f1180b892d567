import time
import zoneinfo
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import SuspiciousOperation
from django.shortcuts import resolve_url
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.views.defaults import bad_request
from django_htmx.http import HttpResponseClientRedirect


class ProgramTimeZoneMiddleware:
    """Show and read times in the user's program time zone (Organisation.time_zone)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        organisation = getattr(getattr(request, "user", None), "organisation", None)
        if organisation is not None:
            try:
                timezone.activate(zoneinfo.ZoneInfo(organisation.time_zone))
            except zoneinfo.ZoneInfoNotFoundError:
                timezone.deactivate()
        else:
            timezone.deactivate()
        return self.get_response(request)


class AccessScopeMiddleware:
    """`request.scope`: the logged-in user's access scope (crm.access), built once per
    request on first use. Views, forms and templates read it; none tests a role."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from crm.access import access_scope

        request.scope = SimpleLazyObject(lambda: access_scope(request.user))
        return self.get_response(request)


def scope(request):
    """Template context processor: `scope`, for what a page offers (links, columns)."""
    return {"scope": getattr(request, "scope", None)}


class NulBytesRefusedMiddleware:
    """A query string holding a NUL byte answers 400 before any view reads it: no text
    the product stores or searches may hold one, and PostgreSQL refuses it in a query
    (an admin search or list filter was a 500). Posted forms refuse it field by field
    (Django's ProhibitNullCharactersValidator)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if any("\x00" in key or any("\x00" in value for value in values) for key, values in request.GET.lists()):
            return bad_request(request, SuspiciousOperation("NUL byte in the query string"))
        return self.get_response(request)


class NoStoreMiddleware:
    """`Cache-Control: no-store` on every response that does not set its own: pages,
    CSV exports and .ics downloads hold personal data (and the page that shows a new
    calendar link shows a secret once), so neither the browser nor a proxy keeps a
    copy. A response that chose its caching keeps it (calendar feeds revalidate with
    their ETag: `private, max-age=0, must-revalidate`; the admin and the login page
    use Django's never_cache), and so does a 304, whose headers would otherwise
    replace the cached feed's. Static files never get here (WhiteNoise answers them
    first, with long-lived caching)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code != 304 and not response.has_header("Cache-Control"):
            response["Cache-Control"] = "no-store"
        return response


# The time of the user's last own request, in the session (seconds since the epoch).
SESSION_ACTIVITY_KEY = "_last_activity"
# Background requests (htmx polling; app.js marks them) do not count as activity.
BACKGROUND_REQUEST_HEADER = "X-Background-Request"


def stamp_activity_at_login(sender, request, user, **kwargs):
    """Signal receiver (user_logged_in): a session starts active, so the requests of
    its first minute do not write it again."""
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_ACTIVITY_KEY] = int(time.time())


class SessionIdleMiddleware:
    """A session ends after settings.SESSION_IDLE_MINUTES without a request of the
    user's own (and at browser close: SESSION_EXPIRE_AT_BROWSER_CLOSE).

    The session's expiry is SESSION_COOKIE_AGE = the idle time, counted by Django
    from the session's last save; a request of the user's own saves it again (at most
    once a minute, so a burst of requests writes once), which slides the expiry. Views
    open without login (calendar feeds, the login and password-reset pages) and
    background requests (X-Background-Request: htmx polling) do not, so a subscribed
    calendar or a page left open never keeps a session alive.

    An htmx request whose session ended gets HX-Redirect to the login page, so the
    whole page goes there instead of the login form being swapped into a fragment."""

    RESOLUTION_SECONDS = 60

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.headers.get("HX-Request") == "true" and response.status_code == 302:
            return self._whole_page_to_login(request, response)
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not getattr(view_func, "login_required", True):
            return None
        if request.headers.get(BACKGROUND_REQUEST_HEADER) or not request.user.is_authenticated:
            return None
        now = int(time.time())
        if now - request.session.get(SESSION_ACTIVITY_KEY, 0) >= self.RESOLUTION_SECONDS:
            request.session[SESSION_ACTIVITY_KEY] = now
        return None

    def _whole_page_to_login(self, request, response):
        login_path = resolve_url(settings.LOGIN_URL)
        if urlsplit(response["Location"]).path != login_path or request.user.is_authenticated:
            return response
        # Back to the page the user was on, not to the fragment's URL.
        current = urlsplit(request.headers.get("HX-Current-URL", ""))
        next_path = current.path + (f"?{current.query}" if current.query else "") if current.path else None
        return HttpResponseClientRedirect(redirect_to_login(next_path or request.get_full_path())["Location"])
