"""Error pages in the product's layout (and language), never a bare traceback."""

from django.http import HttpResponseServerError
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import requires_csrf_token


def _render(request, status, title, message):
    return render(request, "error.html", {"title": title, "message": message}, status=status)


@requires_csrf_token
def bad_request(request, exception=None):
    return _render(
        request, 400, _("Bad request"), _("The request could not be understood. Check what you entered and try again.")
    )


@requires_csrf_token
def permission_denied(request, exception=None):
    return _render(request, 403, _("Not allowed"), _("You do not have permission to do this."))


@requires_csrf_token
def page_not_found(request, exception=None):
    return _render(request, 404, _("Not found"), _("This page does not exist, or you do not have access to it."))


@requires_csrf_token
def server_error(request):
    # No template context processors here: the database may be what failed.
    return HttpResponseServerError(
        "<!doctype html><html><head><title>Error</title></head><body><h1>Something went wrong</h1>"
        "<p>The team has been told. Please try again in a moment.</p></body></html>"
    )


def csrf_failure(request, reason=""):
    return _render(
        request,
        403,
        _("Form expired"),
        _("This form has expired or was sent from elsewhere. Go back, reload the page and try again."),
    )
