import zoneinfo

from django.utils import timezone


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
