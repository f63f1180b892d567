"""The one safe-redirect rule: where a `next` parameter (or a Referer) may send a user.

A redirect target a request carries is honoured only when it is a path on this site
("/tasks/?page=2"): not another host, scheme or protocol-relative URL ("//evil",
"https://evil", "javascript:"), not a bare word ("tasks", which Django's redirect()
would take for a view name and fail on), not a page that would send the user back
(the login page, or the very URL being answered: a loop), not an absurdly long or
control-character-laden string. Anything else gives the view's default.

Every view that honours `next` goes through `safe_next` (or `safe_url`), and the login
and logout views through `SafeRedirectMixin` (config/urls.py).
"""

import unicodedata
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import resolve_url
from django.urls import Resolver404, resolve, translate_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import check_for_language

#: Longer targets are refused (browsers and proxies cut URLs at a few thousand bytes).
MAX_LENGTH = 2000
#: Pages a redirect must not lead to (by URL name): they would send the user on again.
NOT_TARGETS = frozenset({"login", "logout", "set_language"})


def safe_url(request: HttpRequest, target: object, *, refuse: frozenset[str] = NOT_TARGETS) -> str | None:
    """`target` if it is a safe redirect target for `request` (see the module's rule),
    else None; `refuse` names the pages that would send the user on. Never raises."""
    if not isinstance(target, str) or not target or len(target) > MAX_LENGTH:
        return None
    if not target.startswith("/") or target.startswith(("//", "/\\")):
        return None
    if any(unicodedata.category(character)[0] == "C" for character in target):
        return None
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False):
        return None
    try:
        path = urlsplit(target).path
    except ValueError:
        return None
    if path == request.path:
        return None
    try:
        match = resolve(path)
    except Resolver404:
        return target  # an unknown page answers 404 itself: no loop
    return None if match.url_name in refuse else target


def _requested(request: HttpRequest, field: str) -> str | None:
    """A redirect target the request names: its form field, else its query parameter."""
    return request.POST.get(field) if field in request.POST else request.GET.get(field)


def safe_next(request: HttpRequest, default: str, *, field: str = "next") -> str:
    """The URL to redirect to after an action: the request's `next` (form field, else
    query parameter) when safe, else `default` (a URL or a view name)."""
    return safe_url(request, _requested(request, field)) or resolve_url(default)


class SafeRedirectMixin(auth_views.RedirectURLMixin):
    """The login and logout views honour `next` by the same rule: `/login/?next=/login/`
    for a logged-in user goes home instead of looping."""

    def get_redirect_url(self):
        return safe_url(self.request, _requested(self.request, self.redirect_field_name)) or ""


class LoginView(SafeRedirectMixin, auth_views.LoginView):
    pass


class LogoutView(SafeRedirectMixin, auth_views.LogoutView):
    pass


def set_language(request: HttpRequest) -> HttpResponse:
    """Django's set_language with the one redirect rule: back to `next`, else to the
    page the user came from (Referer), else home; the language cookie on POST only.
    The login page is a fine place to go back to here (nothing redirects on)."""
    refuse = frozenset({"set_language", "logout"})
    next_url = safe_url(request, _requested(request, "next"), refuse=refuse)
    if next_url is None:
        referer = request.headers.get("Referer", "")
        if url_has_allowed_host_and_scheme(referer, allowed_hosts={request.get_host()}, require_https=False):
            parts = urlsplit(referer)
            next_url = safe_url(request, parts.path + (f"?{parts.query}" if parts.query else ""), refuse=refuse)
    next_url = next_url or resolve_url("home")
    response = HttpResponseRedirect(next_url)
    if request.method == "POST":
        language = request.POST.get("language")
        if isinstance(language, str) and language and check_for_language(language):
            translated = translate_url(next_url, language)
            if translated != next_url:
                response = HttpResponseRedirect(translated)
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                language,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                path=settings.LANGUAGE_COOKIE_PATH,
                domain=settings.LANGUAGE_COOKIE_DOMAIN,
                secure=settings.LANGUAGE_COOKIE_SECURE,
                httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
                samesite=settings.LANGUAGE_COOKIE_SAMESITE,
            )
    return response
