import zoneinfo

from django.utils import timezone
from django.utils.functional import SimpleLazyObject


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


class AccessScopeMiddleware:
    """`request.scope`: the logged-in user's access scope (crm.access), built once per
    request on first use. Views, forms and templates read it; none tests a role."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from crm.access import access_scope

        request.scope = SimpleLazyObject(lambda: access_scope(request.user))
        return self.get_response(request)


def scope(request):
    """Template context processor: `scope`, for what a page offers (links, columns)."""
    return {"scope": getattr(request, "scope", None)}
