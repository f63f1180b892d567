"""Where job seekers live and employer sites are: the point of each address, found by the
geocoder (crm/geocoding.py) in the background, or pinned by hand on the map.

A row (JobSeeker, EmployerSite: any model with address, postcode, town, latitude,
longitude, location_precision and located_address) is in one of these states:

    located        location_precision set; located_address is the address it is for
    not found      located_address == the current address, no point: the geocoder did
                   not know it ("address not found: set the pin by hand")
    to locate      located_address != the current address (a new or changed address),
                   no point: the background job has not answered yet
    no address     address, postcode and town all empty

What is still to locate is stored, not only sent: the services send a message after
commit (`send_on_commit`), and the scheduler's sweep (`pending`) sends again whatever is
still to locate, so a lost message or a flushed broker loses nothing. A pin set by hand
(precision "manual") is kept until the address changes; a changed address clears the
point at once (an old point would give a wrong distance) and is located again.
"""

import logging
from collections.abc import Iterator
from decimal import Decimal

from django.db import models, transaction

from crm.geocoding import Address, GeocodingUnavailable, geocoder
from crm.models import LocationPrecision

logger = logging.getLogger(__name__)

LOCATION_FIELDS = ["latitude", "longitude", "location_precision", "located_address"]


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
    """Whether the background job has something to do: an address not yet located (nor
    found missing), or a point given without a precision (an import, a record from
    before geocoding) to adopt as pinned by hand."""
    current = address_text(row)
    return bool(current) and row.located_address != current


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
        return
    if current != address_before:
        if row.located_address != current:
            row.latitude = row.longitude = None
            row.location_precision = ""
            row.located_address = ""
    elif row.location_precision == "" and row.latitude is not None and not row.located_address:
        # A point from before geocoding, saved again unchanged: it was given by hand.
        row.location_precision, row.located_address = LocationPrecision.MANUAL, current


def set_point(row, *, latitude: Decimal | None, longitude: Decimal | None, precision: str) -> None:
    """Set (or, with no coordinates, clear) the row's point for its current address. A
    cleared pin leaves the address to locate again."""
    if latitude is None or longitude is None:
        row.latitude = row.longitude = None
        row.location_precision, row.located_address = "", ""
        return
    row.latitude, row.longitude = latitude, longitude
    row.location_precision, row.located_address = precision, address_text(row)


def send_on_commit(actor, model: type[models.Model], pk: int) -> None:
    """After the caller's transaction commits, ask the background job to locate the row
    if it still needs it. Never raises: a broker that is down leaves the row to the sweep."""

    def send_location_job() -> None:
        row = model.objects.filter(pk=pk).only("address", "postcode", "town", "located_address").first()
        if row is None or not needs_locating(row):
            return
        try:
            actor.send(pk)
        except Exception:  # noqa: BLE001 - broker down: the sweep sends it again
            logger.warning("Could not send %s %s to be located; the sweep will.", model.__name__, pk, exc_info=True)

    transaction.on_commit(send_location_job, robust=True)


def pending(model: type[models.Model], *, limit: int) -> Iterator[int]:
    """The ids of rows still to locate (for the sweep), oldest first, at most `limit`."""
    rows = (
        model.objects.exclude(address="", postcode="", town="")
        .only("pk", "address", "postcode", "town", "located_address")
        .order_by("pk")
    )
    found = 0
    for row in rows.iterator(chunk_size=500):
        if needs_locating(row):
            yield row.pk
            found += 1
            if found >= limit:
                return


def locate(model: type[models.Model], pk: int, *, on_change=None) -> str:
    """Locate one row (the background job). Asks the geocoder outside any transaction,
    then stores the answer under a lock only if the address is still the one asked
    about and no pin was set by hand for it meanwhile. Returns what happened:
    "located", "not_found", "adopted" (a point given without precision, kept as set by
    hand), "skipped" or "gone". Raises GeocodingUnavailable (try again later).
    `on_change(row)` runs in the storing transaction (e.g. to touch a parent record)."""
    row = model.objects.filter(pk=pk).first()
    if row is None:
        return "gone"
    if not needs_locating(row):
        return "skipped"
    address = address_of(row)
    asked = address_text(row)
    answer = None
    if row.latitude is None or row.location_precision:
        answer = geocoder().locate(address)
    with transaction.atomic():
        row = model.objects.select_for_update().filter(pk=pk).first()
        if row is None:
            return "gone"
        if address_text(row) != asked or not needs_locating(row):
            return "skipped"  # changed again (its own job locates it), or done meanwhile
        if row.location_precision == LocationPrecision.MANUAL and row.located_address == asked:
            return "skipped"
        if row.latitude is not None and not row.location_precision:
            outcome = "adopted"
            row.location_precision = LocationPrecision.MANUAL
        elif answer is None:
            outcome = "not_found"
            row.latitude = row.longitude = None
            row.location_precision = ""
        else:
            outcome = "located"
            row.latitude, row.longitude, row.location_precision = answer.latitude, answer.longitude, answer.precision
        row.located_address = asked
        row.save(update_fields=LOCATION_FIELDS)
        if on_change is not None:
            on_change(row)
    logger.info("%s %s: %s (%s)", model.__name__, pk, outcome, row.location_precision or "no point")
    return outcome


__all__ = [
    "GeocodingUnavailable",
    "LOCATION_FIELDS",
    "address_of",
    "address_text",
    "locate",
    "needs_locating",
    "pending",
    "prepare",
    "send_on_commit",
    "set_point",
]
