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

# A path separator as a log line may hold it: a slash (doubled or not), a backslash,
# or either url-encoded (once or more: %2F, %252F, %5C).
_SEP = r"(?:/|\\|%(?:25)*(?:2f|5c))"
# The rest of a path: up to a space, a query, a fragment, a quote or the next query
# parameter (a path in a query string).
_TAIL = r"[^\s?#&\"'<>]*"


def _spelled(word: str) -> str:
    """`word`, each letter as such or url-encoded (%63alendar)."""
    return "".join(f"(?:{letter}|%{ord(letter):02x})" for letter in word)


# Everything after a `calendar` segment, whatever precedes it (/calendar/, //calendar//,
# /settings/calendar/, %2Fcalendar%2F in a referrer's query...).
_CALENDAR = re.compile(rf"({_SEP}{_spelled('calendar')})({_SEP}{_TAIL})", re.IGNORECASE)
# Everything after /password/reset/.
_RESET = re.compile(rf"({_SEP}{_spelled('password')}{_SEP}+{_spelled('reset')})({_SEP}{_TAIL})", re.IGNORECASE)
_SEGMENTS = re.compile(rf"({_SEP}+)", re.IGNORECASE)
# The segments of the app's own calendar URLs that hold no secret: the one-visit and
# one-appointment downloads (record ids) and the settings pages.
_CALENDAR_WORDS = re.compile(r"(?:visit|appointment|feeds|preferences|rotate|revoke|\d+(?:\.ics)?)", re.IGNORECASE)
_RESET_WORDS = re.compile(r"(?:sent|done|set-password)", re.IGNORECASE)
# A password-reset link's user id (urlsafe base64 of a primary key: short, no - or _).
_UID = re.compile(r"[A-Za-z0-9]{1,16}")


def _calendar_tail(match: re.Match) -> str:
    parts = _SEGMENTS.split(match[2])
    for index in range(2, len(parts), 2):  # parts: "", separator, segment, separator...
        segment = parts[index]
        if segment and not _CALENDAR_WORDS.fullmatch(segment):
            parts[index] = "***.ics" if segment.lower().endswith(".ics") else "***"
    return match[1] + "".join(parts)


def _reset_tail(match: re.Match) -> str:
    parts = _SEGMENTS.split(match[2])
    first = True
    for index in range(2, len(parts), 2):
        segment = parts[index]
        if not segment:
            continue
        keep = _RESET_WORDS.fullmatch(segment) or (first and _UID.fullmatch(segment))
        first = False
        if not keep:
            parts[index] = "***"
    return match[1] + "".join(parts)


# A feed token wherever it stands (pasted with a space, quotes or angle brackets, in a
# query string, under another path): integrations.calendar.tokens makes 32 random bytes,
# URL-safe, always 43 characters (tests/crm/test_security_logs.py checks the length).
FEED_TOKEN_LENGTH = 43
_ANY_FEED_TOKEN = re.compile(rf"(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{{{FEED_TOKEN_LENGTH}}}(?![A-Za-z0-9_-])")


def mask_secrets(text: str) -> str:
    """`text` with every segment of a path under /calendar/ that is not one of the
    app's own words or ids (a feed token, mistyped or not), every password-reset token,
    and any other run of a feed token's length and alphabet replaced by ***."""
    if "%" in text or "calendar" in text.lower() or "reset" in text.lower():
        text = _CALENDAR.sub(_calendar_tail, text)
        text = _RESET.sub(_reset_tail, text)
    return _ANY_FEED_TOKEN.sub("***", text)


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
