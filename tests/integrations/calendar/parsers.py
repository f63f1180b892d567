"""Three independent readers of a calendar file, each giving every event's start and end
as UTC instants (dates for all-day entries): the `icalendar` library, `vobject`, and
Mozilla's ical.js (Thunderbird's parser) run by Node.js, many files in one call."""

import datetime
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
import vobject
from icalendar import Calendar

JS = Path(__file__).parent / "js"

Times = dict[str, tuple[datetime.datetime | datetime.date, datetime.datetime | datetime.date]]


def _utc(value):
    if isinstance(value, datetime.datetime):
        assert value.tzinfo is not None, f"floating time {value}"
        return value.astimezone(datetime.UTC)
    return value


def by_icalendar(body: bytes) -> Times:
    calendar = Calendar.from_ical(body)
    return {
        str(event["UID"]): (_utc(event.decoded("DTSTART")), _utc(event.decoded("DTEND")))
        for event in calendar.walk("VEVENT")
    }


def by_vobject(body: bytes) -> Times:
    calendar = vobject.readOne(body.decode())
    return {
        event.uid.value: (_utc(event.dtstart.value), _utc(event.dtend.value))
        for event in getattr(calendar, "vevent_list", [])
    }


def _from_js(value: str, is_date: bool):
    if is_date:
        return datetime.date.fromisoformat(value)
    return datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))


def icaljs_or_skip() -> str:
    """The path of Node.js, or skip the test saying what is missing (a failure when
    REQUIRE_ICALJS=1, as in CI: the parser the original bug was in must not be skipped
    unseen). `make install-dev` installs ical.js when npm is here."""
    missing = None
    node = shutil.which("node")
    if node is None:
        missing = "Node.js is not installed: the ical.js check needs it"
    elif not (JS / "node_modules" / "ical.js").exists():
        missing = "ical.js is not installed: run `make install-dev` (or `npm ci` in tests/integrations/calendar/js)"
    if missing and os.environ.get("REQUIRE_ICALJS") == "1":
        pytest.fail(missing)
    if missing:
        pytest.skip(missing)
    return node


def icaljs_summaries(paths: list[Path], tmp_path: Path) -> list[dict]:
    """ical.js's reading of each file (its version and events), in one Node.js call."""
    node = icaljs_or_skip()
    listing = tmp_path / "files.json"
    listing.write_text(json.dumps([str(path) for path in paths]))
    result = subprocess.run(  # noqa: S603 - our own script
        [node, str(JS / "check.mjs"), "--list", str(listing)], capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)["calendars"]


def by_icaljs(summary: dict) -> Times:
    return {
        event["uid"]: (_from_js(event["start"], event["isDate"]), _from_js(event["end"], event["isDate"]))
        for event in summary["events"]
    }
