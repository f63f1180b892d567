"""The user's own password: change it (signed in), or reset it by email (signed out).

Django's views, in the product's layout (templates under registration/account_*: the
admin's registration/ templates would otherwise win, its app being listed first)."""

import hashlib
import logging

from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordChangeForm, PasswordResetForm
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.urls import reverse_lazy
from django.utils import translation
from django.utils.translation import gettext as _

from crm.client_address import client_ip_address

logger = logging.getLogger(__name__)

# The window of the password-reset limits (settings.PASSWORD_RESET_LIMIT_*).
RESET_LIMIT_WINDOW_SECONDS = 60 * 60


def _limit_key(kind: str, value: str) -> str:
    return f"password-reset:{kind}:{hashlib.sha256(value.encode()).hexdigest()}"


def _within_limit(kind: str, value: str, limit: int) -> bool:
    """Counts one more request for `value` in the current window (from its first
    request); False when that makes more than `limit`. The value is hashed: the cache
    keeps neither addresses nor emails."""
    key = _limit_key(kind, value)
    cache.add(key, 0, timeout=RESET_LIMIT_WINDOW_SECONDS)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr: a new window
        cache.set(key, 1, timeout=RESET_LIMIT_WINDOW_SECONDS)
        count = 1
    return count <= limit


def password_reset_allowed(request, email: str) -> bool:
    """Whether this reset request may send an email: at most
    PASSWORD_RESET_LIMIT_PER_CLIENT requests an hour from one client address, and at
    most PASSWORD_RESET_LIMIT_PER_EMAIL emails an hour to one address, counted whether
    or not an account has it (so the limit tells nothing either). Without a limit,
    anyone could fill a user's mailbox, or make the server send mail for them."""
    client = client_ip_address(request) or "unknown"
    if not _within_limit("client", client, settings.PASSWORD_RESET_LIMIT_PER_CLIENT):
        logger.warning("Password reset not sent: over the hourly limit of requests from %s", client)
        return False
    if not _within_limit("email", email.strip().casefold(), settings.PASSWORD_RESET_LIMIT_PER_EMAIL):
        logger.warning("Password reset not sent: over the hourly limit of emails to one address")
        return False
    return True


class LimitedPasswordChangeForm(PasswordChangeForm):
    """Django's form, with at most settings.PASSWORD_CHANGE_FAILURE_LIMIT wrong current
    passwords an hour per account: past it, every attempt is refused unchecked, the
    right password included. Whoever holds a session left open cannot try passwords
    through this page (the login has django-axes; this page had no limit); the owner
    can still reset the password by email."""

    def __init__(self, user, *args, **kwargs):
        super().__init__(user, *args, **kwargs)
        failures = cache.get(_limit_key("change", str(user.pk)), 0)
        self.locked = failures >= settings.PASSWORD_CHANGE_FAILURE_LIMIT

    def clean_old_password(self):
        if self.locked:
            raise ValidationError(
                _("Too many wrong passwords. Wait an hour, or sign out and reset your password by email."),
                code="too_many_attempts",
            )
        try:
            return super().clean_old_password()
        except ValidationError:
            _within_limit("change", str(self.user.pk), settings.PASSWORD_CHANGE_FAILURE_LIMIT)
            raise


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "registration/account_password_change.html"
    success_url = reverse_lazy("password_change_done")
    form_class = LimitedPasswordChangeForm


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "registration/account_password_change_done.html"


class SendAfterResponsePasswordResetForm(PasswordResetForm):
    """Django's form, whose emails wait for send_deferred(): sending through SMTP takes
    time only when an account has the address, which would tell it to whoever times
    the answer."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.deferred = []

    def send_mail(self, *args, **kwargs):
        self.deferred.append((translation.get_language(), args, kwargs))

    def send_deferred(self):
        while self.deferred:
            language, args, kwargs = self.deferred.pop(0)
            with translation.override(language):
                super().send_mail(*args, **kwargs)  # logs a failure, never raises


class RedirectThenSend(HttpResponseRedirect):
    """A redirect that sends the deferred emails when the server closes it, which a
    WSGI server does once the response is written: the answer takes as long whether
    or not an email leaves."""

    def __init__(self, url, form):
        super().__init__(url)
        self.form = form

    def close(self):
        try:
            self.form.send_deferred()
        finally:
            super().close()


class PasswordResetView(auth_views.PasswordResetView):
    """Asks for an email address and sends a one-time link to the active account(s)
    that have it; answers the same, as fast, whether or not an account has it, and
    whether or not the request was over the limits (password_reset_allowed)."""

    template_name = "registration/account_password_reset.html"
    form_class = SendAfterResponsePasswordResetForm
    email_template_name = "registration/account_password_reset_email.txt"
    subject_template_name = "registration/account_password_reset_subject.txt"
    success_url = reverse_lazy("password_reset_done")

    def form_valid(self, form):
        if not password_reset_allowed(self.request, form.cleaned_data["email"]):
            # The same answer as when an email left: the limit reveals nothing.
            return HttpResponseRedirect(self.get_success_url())
        self.extra_email_context = {"valid_minutes": settings.PASSWORD_RESET_TIMEOUT // 60}
        response = super().form_valid(form)
        return RedirectThenSend(response["Location"], form)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "registration/account_password_reset_sent.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "registration/account_password_reset_confirm.html"
    success_url = reverse_lazy("password_reset_complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        # Whoever can read the account's email chose a new password: failed logins
        # with the old one no longer lock the account out (django-axes), wherever they
        # came from, so the user can log in at once.
        axes_reset(username=self.user.get_username())
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "registration/account_password_reset_complete.html"
