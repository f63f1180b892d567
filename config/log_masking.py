"""Secrets that travel in URL paths are masked before a log line is written.

A calendar feed's URL is its only credential (/calendar/<token>.ics, read by calendar
apps without a session), and a password-reset link carries a token until it is used.
Both would otherwise be copied into every access log and every "Not Found" line. This
module knows no Django: gunicorn's logger class (config/gunicorn.conf.py) imports it
in the master process, before Django is set up.
"""

import copy
import logging
import re
from collections.abc import Mapping

_PATH_END = r"(?=[/\s?#\"'<>]|$)"
_SECRETS_IN_PATHS = [
    # /calendar/<token>.ics (and a mistyped /calendar/<token>); not the one-visit and
    # one-appointment downloads, whose paths hold record ids, nor /settings/calendar/.
    (
        re.compile(r"(?<!settings)/calendar/(?!(?:visit|appointment)/)[^/\s?#\"'<>]+?(\.ics)?" + _PATH_END),
        r"/calendar/***\1",
    ),
    # /account/password/reset/<uidb64>/<token>/ (Django swaps the token for
    # "set-password" in a redirect; the first request still carries it).
    (
        re.compile(r"(/account/password/reset/[^/\s?#\"'<>]+/)(?!set-password" + _PATH_END + r")[^/\s?#\"'<>]+"),
        r"\1***",
    ),
]


def mask_secrets(text: str) -> str:
    """`text` with every feed token and password-reset token replaced by ***."""
    for pattern, replacement in _SECRETS_IN_PATHS:
        text = pattern.sub(replacement, text)
    return text


def _masked(value):
    if isinstance(value, str):
        return mask_secrets(value)
    if value is None or isinstance(value, (int, float)):
        return value
    # A request, a path object...: only replaced when its text holds a secret, so
    # numbers and other objects keep their type for the format string.
    text = str(value)
    masked = mask_secrets(text)
    return value if masked == text else masked


class MaskSecretsInPaths(logging.Filter):
    """A logging filter (settings.LOGGING, on every handler) that masks secrets in a
    record's message and in its arguments: runserver's request lines (django.server)
    and "Not Found: <path>" (django.request) keep the path in their arguments."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = mask_secrets(record.msg)
        if isinstance(record.args, Mapping):
            # A copy of the same type: gunicorn's atoms answer "-" for a missing key.
            args = copy.copy(record.args)
            for key, value in list(args.items()):
                args[key] = _masked(value)
            record.args = args
        elif isinstance(record.args, tuple):
            record.args = tuple(_masked(value) for value in record.args)
        return True
