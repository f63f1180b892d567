"""An event's stamps as it goes out: what changed since a feed (or a user's downloads)
last handed it out decides its LAST-MODIFIED, DTSTAMP and SEQUENCE.

- An event seen for the first time is stamped with its records' last change.
- When anything it shows has changed since it last went out (its own record, the
  employer's name, the site's address, who may be named, the language, the reminder),
  LAST-MODIFIED and DTSTAMP become now, and always move forward (RFC 5545 3.8.7.3; no
  METHOD, so DTSTAMP is the last revision too, 3.8.7.2).
- When its start, end, status or location changed (the significant properties of RFC
  5546 2.1.4) and its record's own revision did not count the change (a site's address
  edited, a site removed), its SEQUENCE goes up by one more (RFC 5545 3.8.7.4). A
  SEQUENCE is the record's revision plus these, so it never goes down. Other changes
  (an employer renamed, a person's initials) change LAST-MODIFIED only.

A feed's own version (its ETag and Last-Modified) is decided by `feed_version` from
what the feed last answered with 200 (`served_etag`, `served_modified_at`).

`plan` and `feed_version` only compute; selectors.feed_current reads, and
services.calendar_feed_publish / calendar_events_publish record."""

import datetime
from dataclasses import dataclass, field

from django.utils import timezone

from integrations.calendar.ical import EventView, Stamp
from integrations.calendar.models import CalendarFeed, PublishedEvent


@dataclass(frozen=True)
class FeedVersion:
    """What a feed answers with: its ETag, its Last-Modified (`modified_at`), whether
    If-Modified-Since may be answered from it (`known`: not before its first 200), and
    its events' stamps by UID. `version` is ical.version: the ETag but the links' scheme
    and host, which the feed records (`served_etag`) with its Last-Modified. `recorded`:
    the stamps and the version are those the feed last recorded, so serving them writes
    nothing."""

    etag: str
    version: str
    modified_at: datetime.datetime
    known: bool
    stamps: dict[str, Stamp]
    recorded: bool


def feed_modified_at(feed: CalendarFeed, version: str, stamps: dict[str, Stamp]) -> tuple[datetime.datetime, bool]:
    """The feed's Last-Modified for `version` (ical.version), and whether If-Modified-Since may be
    answered from it. The events' latest LAST-MODIFIED alone would not move when an
    event leaves the feed or its name or time zone changes, so the feed keeps what it
    last answered with 200: the same version keeps its time (whatever the host name it
    is read through); another is a change, later than it. A feed not yet served so does
    not answer If-Modified-Since. `feed` must be
    read as it is now (services.calendar_feed_publish re-reads it under its lock):
    from an older copy, two versions could get the same time."""
    latest = max((stamp.modified_at for stamp in stamps.values()), default=None)
    served = feed.served_modified_at
    if served is None:
        return latest or timezone.now().replace(microsecond=0), False
    if feed.served_etag == version:
        return served, True
    now = timezone.now().replace(microsecond=0)
    return max(now, served + datetime.timedelta(seconds=1), latest or now), True


@dataclass
class Publication:
    feed: CalendarFeed | None
    stamps: dict[str, Stamp] = field(default_factory=dict)
    new: list[PublishedEvent] = field(default_factory=list)
    changed: list[PublishedEvent] = field(default_factory=list)
    gone: list[int] = field(default_factory=list)

    @property
    def recorded(self) -> bool:
        """Nothing to record: every event went out before as it is now, none left."""
        return not (self.new or self.changed or self.gone)


def plan(
    views: list[EventView], published: dict[str, PublishedEvent], *, user, feed: CalendarFeed | None = None
) -> Publication:
    """The stamps of `views` going out through `feed` (None: `user`'s single-event
    downloads), given what went out before (`published`, by UID, from
    selectors.published_events), and the records that keeps. Events a feed no longer
    shows are forgotten; a download holds one event and forgets none."""
    now = timezone.now().replace(microsecond=0)
    publication = Publication(feed=feed)
    for view in views:
        content, significant = view.content_digest(), view.significant_digest()
        row = published.get(view.uid)
        if row is None:
            row = PublishedEvent(
                feed=feed,
                user=user,
                uid=view.uid,
                content=content,
                significant=significant,
                record_sequence=view.record_sequence,
                modified_at=view.changed_at,
            )
            publication.new.append(row)
        elif (row.content, row.significant, row.record_sequence) != (content, significant, view.record_sequence):
            if row.content != content:
                row.modified_at = max(now, row.modified_at + datetime.timedelta(seconds=1))
            if row.significant != significant and view.record_sequence <= row.record_sequence:
                row.extra_sequence += 1
            row.content, row.significant = content, significant
            row.record_sequence = max(row.record_sequence, view.record_sequence)
            publication.changed.append(row)
        publication.stamps[view.uid] = Stamp(row.modified_at, view.record_sequence + row.extra_sequence)
    if feed is not None:
        publication.gone = [row.pk for uid, row in published.items() if uid not in publication.stamps]
    return publication
