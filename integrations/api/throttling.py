"""Rate limits per partner key and per staff user, counted in the Django cache (Redis
in services mode, so every web process shares the count). Exceeded: 429 problem with
Retry-After. Rates: settings.API_THROTTLE_RATE (keys) and API_STAFF_THROTTLE_RATE
(staff), read at each request."""

from __future__ import annotations

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from crm.access import PartnerScope, StaffScope

from .authentication import principal_of


class _ApiThrottle(SimpleRateThrottle):
    setting = ""

    def __init__(self):
        # The rate is read per request (not at import, as DRF does), so settings apply.
        pass

    def allow_request(self, request, view):
        self.rate = getattr(settings, self.setting)
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def applies(self, request) -> bool:
        raise NotImplementedError

    def get_cache_key(self, request, view):
        if not self.applies(request):
            return None
        return f"api-throttle:{principal_of(request)}"


class PartnerKeyThrottle(_ApiThrottle):
    scope = "api_key"
    setting = "API_THROTTLE_RATE"

    def applies(self, request) -> bool:
        return isinstance(request.auth, PartnerScope)


class StaffThrottle(_ApiThrottle):
    scope = "api_staff"
    setting = "API_STAFF_THROTTLE_RATE"

    def applies(self, request) -> bool:
        return isinstance(request.auth, StaffScope)
