"""Where job seekers live and employer sites are: the point of each address, found by the
geocoder (crm/geocoding.py) in the background, or pinned by hand on the map.

A row (JobSeeker, EmployerSite: any model with address, postcode, town, latitude,
longitude, location_precision, located_address, location_pending, location_attempts
and location_retry_at) is in one of these states:

    located        location_precision set; located_address is the address it is for
    not found      located_address == the current address, no point, no attempts: the
                   geocoder did not know it ("address not found: set the pin by hand")
    given up       located_address == the current address, no point, location_attempts
                   > 0: the provider failed GEOCODING_MAX_ATTEMPTS times ("the address
                   could not be located: set the pin by hand")
    to locate      location_pending: a new or changed address (or a pin removed) the
                   background job has not answered yet; location_retry_at is when the
                   sweep may send it again (a provider failure backs off per row)
    no address     address, postcode and town all empty

What is still to locate is stored (the indexed `location_pending` flag), not only sent:
the services send a message after commit (`send_on_commit`), and the scheduler's sweep
(`sweep`) sends again what is still to locate and due, so a lost message or a flushed
broker loses nothing. The job is not retried by dramatiq (max_retries=0): a provider
that fails counts one attempt on the row and sets when to try again (`retry_delay`);
after GEOCODING_MAX_ATTEMPTS the row is given up. A provider that refuses us as a whole
(rate limited, quota exceeded, forbidden, bad credentials) pauses all geocoding for a
while (`pause`): the sweep sends nothing and jobs return without counting an attempt.

A pin set by hand (precision "manual") is kept until the address changes; a changed
address clears the point at once (an old point would give a wrong distance), resets the
attempts and is located again.

Lock order: a row's parent first (an employer site's Employer, whose `updated_at` the
job touches), then the row, the same order as employers.services' site writers.
"""

import datetime
import logging
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from crm.geocoding import Address, GeocodingPaused, GeocodingUnavailable, geocoder
from crm.models import LocationPrecision

logger = logging.getLogger(__name__)

LOCATION_FIELDS = [
    "latitude",
    "longitude",
    "location_precision",
    "located_address",
    "location_pending",
    "location_attempts",
    "location_retry_at",
]

#: The background job of each model (model label -> actor), and the parent each row is
#: locked after (lock order) and touched with when its point changes.
ACTORS = {
    "crm.jobseeker": "crm.tasks.locate_job_seeker",
    "employers.employersite": "employers.tasks.locate_employer_site",
}
PARENTS = {"employers.employersite": "employer"}

#: After a failure, the sweep waits this long before sending the row again, doubling
#: with each failure up to RETRY_MAX.
RETRY_BASE = datetime.timedelta(minutes=30)
RETRY_MAX = datetime.timedelta(hours=24)
#: A row sent by the sweep is not sent again before this (its message is queued).
SENT_LEASE = datetime.timedelta(minutes=30)
#: How long all geocoding pauses when the provider refuses us and does not say.
PAUSE_RATE_LIMITED = datetime.timedelta(minutes=15)
PAUSE_REFUSED = datetime.timedelta(hours=1)
PAUSE_MAX = datetime.timedelta(hours=24)
PAUSE_KEY = "crm:geocoding:paused-until"


def address_of(row) -> Address:
    def clean(value) -> str:
        return " ".join(str(value or "").split())

    return Address(street=clean(row.address), postcode=clean(row.postcode), town=clean(row.town))


def address_text(row) -> str:
    """The address on one line, as stored in `located_address`."""
    return address_of(row).text[:400]


def point_of(row) -> tuple[Decimal | None, Decimal | None]:
    return row.latitude, row.longitude


def needs_locating(row) -> bool:
    """Whether the background job has something to do for the row."""
    return row.location_pending


def _mark(row, *, reset: bool) -> None:
    """Set `location_pending` from the row's fields: an address not yet located (nor
    found missing, nor given up). `reset`: a new request (a changed address, a pin set or
    removed) starts the attempts again."""
    current = address_text(row)
    row.location_pending = bool(current) and row.located_address != current
    if reset:
        row.location_attempts, row.location_retry_at = 0, None


def prepare(row, *, address_before: str, point_before: tuple, point_given: bool) -> None:
    """Called by a service after it set the row's new fields, before saving: a point
    given with the fields (a pin on the map, the coordinates of an import or the API)
    is a point set by hand for the current address; a changed address clears the old
    point (kept only for the address it was found or pinned for)."""
    current = address_text(row)
    if point_given and point_of(row) != tuple(point_before):
        if row.latitude is None or row.longitude is None:
            row.latitude = row.longitude = None
            row.location_precision, row.located_address = "", ""
        else:
            row.location_precision, row.located_address = LocationPrecision.MANUAL, current
        _mark(row, reset=True)
        return
    if current != address_before:
        if row.located_address != current:
            row.latitude = row.longitude = None
            row.location_precision = ""
            row.located_address = ""
        _mark(row, reset=True)
        return
    if row.location_precision == "" and row.latitude is not None and not row.located_address:
        # A point from before geocoding, saved again unchanged: it was given by hand.
        row.location_precision, row.located_address = LocationPrecision.MANUAL, current
        _mark(row, reset=True)
        return
    _mark(row, reset=False)  # the address unchanged: its attempts (or giving up) stand


def check_point(latitude, longitude, precision: str) -> None:
    if precision not in LocationPrecision.values:
        raise ValidationError({"location_precision": _("Unknown location precision.")})
    if (latitude is None) != (longitude is None):
        raise ValidationError(_("Give both latitude and longitude, or neither."))
    if latitude is not None and not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise ValidationError(_("This point is not on the map: latitude -90 to 90, longitude -180 to 180."))


def set_point(row, *, latitude: Decimal | None, longitude: Decimal | None, precision: str) -> None:
    """Set (or, with no coordinates, clear) the row's point for its current address. A
    cleared pin leaves the address to locate again (attempts start again)."""
    if latitude is None or longitude is None:
        row.latitude = row.longitude = None
        row.location_precision, row.located_address = "", ""
    else:
        row.latitude, row.longitude = latitude, longitude
        row.location_precision, row.located_address = precision, address_text(row)
    _mark(row, reset=True)


def pin(row, *, latitude: Decimal | None, longitude: Decimal | None, precision: str) -> None:
    """The services' set-location step, on a row they fetched and locked through the
    scope: check the point, set it (or remove it), save, and locate after commit if the
    address is left to locate. Raises ValidationError."""
    check_point(latitude, longitude, precision)
    set_point(row, latitude=latitude, longitude=longitude, precision=precision)
    row.full_clean()
    row.save()
    send_on_commit(row)


# Sending --------------------------------------------------------------------------------


def actor_for(model: type[models.Model]):
    return import_string(ACTORS[model._meta.label_lower])


def send_on_commit(row) -> None:
    """After the caller's transaction commits, ask the background job to locate the row
    if it still needs it. Never raises: a broker that is down leaves the row to the sweep."""
    model, pk = type(row), row.pk

    def send_location_job() -> None:
        if paused_until() is not None or not model.objects.filter(pk=pk, location_pending=True).exists():
            return
        try:
            actor_for(model).send(pk)
        except Exception:  # noqa: BLE001 - broker down: the sweep sends it again
            logger.warning("Could not send %s %s to be located; the sweep will.", model.__name__, pk, exc_info=True)

    transaction.on_commit(send_location_job, robust=True)


def pending(model: type[models.Model], *, limit: int, now: datetime.datetime | None = None) -> list[int]:
    """The ids of rows still to locate and due (for the sweep), at most `limit`: those
    never sent by the sweep first (oldest first), then those due again, longest due
    first. One query on the indexed flag."""
    now = now or timezone.now()
    return list(
        model.objects.filter(location_pending=True)
        .filter(Q(location_retry_at__isnull=True) | Q(location_retry_at__lte=now))
        .order_by(F("location_retry_at").asc(nulls_first=True), "pk")
        .values_list("pk", flat=True)[:limit]
    )


def sweep(model: type[models.Model], actor=None) -> int:
    """The scheduler's sweep: send a batch (GEOCODING_SWEEP_BATCH) of the rows still to
    locate and due, each marked not to be sent again for SENT_LEASE (its message is
    queued; the job sets the next try if the provider fails). Nothing while geocoding
    is paused. Returns how many were sent."""
    if paused_until() is not None:
        return 0
    actor = actor or actor_for(model)
    now = timezone.now()
    ids = pending(model, limit=settings.GEOCODING_SWEEP_BATCH, now=now)
    if not ids:
        return 0
    model.objects.filter(pk__in=ids).update(location_retry_at=now + SENT_LEASE)
    sent = 0
    for pk in ids:
        try:
            actor.send(pk)
        except Exception:  # noqa: BLE001 - broker down: the next sweep sends them again
            logger.warning("Could not send %s %s to be located.", model.__name__, pk, exc_info=True)
            break
        sent += 1
    return sent


# Pausing when the provider refuses us -------------------------------------------------


def paused_until() -> datetime.datetime | None:
    until = cache.get(PAUSE_KEY)
    return until if until is not None and until > timezone.now() else None


def pause(error: GeocodingPaused) -> datetime.datetime:
    """Pause all geocoding: for the time the provider asked (Retry-After), else a while."""
    default = PAUSE_RATE_LIMITED if error.rate_limited else PAUSE_REFUSED
    seconds = error.retry_after if error.retry_after and error.retry_after > 0 else default.total_seconds()
    until = timezone.now() + min(datetime.timedelta(seconds=seconds), PAUSE_MAX)
    current = paused_until()
    if current is None or current < until:
        cache.set(PAUSE_KEY, until, timeout=int((until - timezone.now()).total_seconds()) + 60)
    logger.warning("Geocoding paused until %s: %s", until.isoformat(), error)
    return max(until, current) if current else until


def retry_delay(attempts: int) -> datetime.timedelta:
    """The wait before trying a row again after its `attempts`-th failure."""
    return min(RETRY_BASE * 2 ** max(attempts - 1, 0), RETRY_MAX)


# The job --------------------------------------------------------------------------------


def _lock(model: type[models.Model], pk: int):
    """Lock the row for the job, its parent first (the lock order): (parent, row), or
    (None, None) when it is gone (or moved to another parent meanwhile)."""
    name = PARENTS.get(model._meta.label_lower)
    if name is None:
        return None, model.objects.select_for_update().filter(pk=pk).first()
    field = model._meta.get_field(name)
    parent_id = model.objects.filter(pk=pk).values_list(field.attname, flat=True).first()
    if parent_id is None:
        return None, None
    parent = field.related_model.objects.select_for_update().filter(pk=parent_id).only("pk").first()
    row = model.objects.select_for_update().filter(pk=pk).first()
    if parent is None or row is None or getattr(row, field.attname) != parent_id:
        return None, None
    return parent, row


def locate(model: type[models.Model], pk: int) -> str:
    """Locate one row (the background job). Asks the geocoder outside any transaction,
    then stores the answer under a lock (parent, then row) only if the address is still
    the one asked about and still to locate. Returns what happened: "located",
    "not_found", "adopted" (a point given without precision, kept as set by hand),
    "retry" (the provider failed: one attempt counted, tried again later), "gave_up"
    (the last attempt failed), "paused" (geocoding is paused: nothing counted),
    "skipped" or "gone". Never raises for a provider that cannot answer."""
    row = model.objects.filter(pk=pk).first()
    if row is None:
        return "gone"
    if not row.location_pending:
        return "skipped"
    asked = address_text(row)
    pinned = row.location_precision == LocationPrecision.MANUAL and row.located_address == asked
    adopt = row.latitude is not None and not row.location_precision
    answer, fetched = None, False
    if asked and not pinned and not adopt:
        if paused_until() is not None:
            return "paused"
        try:
            answer, fetched = geocoder().locate(address_of(row)), True
        except GeocodingPaused as error:
            pause(error)
            return "paused"
        except GeocodingUnavailable as error:
            return _failed(model, pk, asked, error)
    with transaction.atomic():
        parent, row = _lock(model, pk)
        if row is None:
            return "gone"
        if address_text(row) != asked or not row.location_pending:
            return "skipped"  # changed again (its own job locates it), or done meanwhile
        row.location_attempts, row.location_retry_at = 0, None
        if not asked or (row.location_precision == LocationPrecision.MANUAL and row.located_address == asked):
            row.location_pending = False
            row.save(update_fields=LOCATION_FIELDS)
            return "skipped"
        if row.latitude is not None and not row.location_precision:
            outcome = "adopted"
            row.location_precision = LocationPrecision.MANUAL
        elif not fetched:
            # It had a point without precision when read, cleared since: nothing was
            # asked, so nothing is known; the job sent by the change locates it.
            return "skipped"
        elif answer is None:
            outcome = "not_found"
            row.latitude = row.longitude = None
            row.location_precision = ""
        else:
            outcome = "located"
            row.latitude, row.longitude, row.location_precision = answer.latitude, answer.longitude, answer.precision
        row.located_address, row.location_pending = asked, False
        row.save(update_fields=LOCATION_FIELDS)
        if parent is not None:
            parent.save(update_fields=["updated_at"])  # API syncs by updated_at see the new point
    logger.info("%s %s: %s (%s)", model.__name__, pk, outcome, row.location_precision or "no point")
    return outcome


def _failed(model: type[models.Model], pk: int, asked: str, error: Exception) -> str:
    """Count a failed attempt on the row (if its address is still the one asked about):
    try again after `retry_delay`, or give up after GEOCODING_MAX_ATTEMPTS (the page
    then asks for the pin to be set by hand)."""
    with transaction.atomic():
        _parent, row = _lock(model, pk)
        if row is None:
            return "gone"
        if address_text(row) != asked or not row.location_pending:
            return "skipped"
        attempts = row.location_attempts + 1
        if attempts >= settings.GEOCODING_MAX_ATTEMPTS:
            changes = {"location_pending": False, "location_retry_at": None, "located_address": asked}
            outcome = "gave_up"
        else:
            changes = {"location_retry_at": timezone.now() + retry_delay(attempts)}
            outcome = "retry"
        # update(), not save(): bookkeeping, no history record for each failure.
        model.objects.filter(pk=pk).update(location_attempts=attempts, **changes)
    log = logger.error if outcome == "gave_up" else logger.warning
    log("%s %s: %s after attempt %s: %s", model.__name__, pk, outcome, attempts, error)
    return outcome


__all__ = [
    "LOCATION_FIELDS",
    "GeocodingUnavailable",
    "address_of",
    "address_text",
    "check_point",
    "locate",
    "needs_locating",
    "pause",
    "paused_until",
    "pending",
    "pin",
    "prepare",
    "retry_delay",
    "send_on_commit",
    "set_point",
    "sweep",
]
