"""Per-client request limits, counted in the shared cache."""

from __future__ import annotations

from rest_framework import throttling


class UserRateThrottle(throttling.UserRateThrottle):
    """The limit of a signed-in user. DRF's also counts anonymous clients by address, which
    AnonRateThrottle already limits more strictly: a second cache write on every anonymous
    request that could never refuse one."""

    def get_cache_key(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return None
        return super().get_cache_key(request, view)
