"""Rate limits: the API's (REST framework throttles) and the token endpoint's failed
log-ins, counted in Django's cache (shared by every process when a shared cache is
configured: REDIS_URL), by the client's address as read behind TRUSTED_PROXIES.

Apart from tatracker.drf: REST framework imports its throttle classes while
`rest_framework.views` is still loading, so this module imports nothing that needs it.
"""

import hashlib
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from rest_framework import throttling
from rest_framework.settings import api_settings

TOKEN_ENDPOINT = "/api/v1/token/"  # noqa: S105 (a path, not a secret)


def client_address(request) -> str:
    """The client's address: REMOTE_ADDR, or behind TRUSTED_PROXIES proxies the
    address the farthest trusted proxy saw (X-Forwarded-For, counted from the right,
    so that a client cannot choose its address by sending the header itself)."""
    proxies = settings.TRUSTED_PROXIES
    if proxies:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        addresses = [part.strip() for part in forwarded.split(",") if part.strip()]
        if addresses:
            return addresses[-min(proxies, len(addresses))]
    return request.META.get("REMOTE_ADDR", "")


def is_api_token_request(request, credentials=None) -> bool:
    """For django-axes (AXES_WHITELIST_CALLABLE): the API's token endpoint keeps its
    own counts of failures (TokenFailures), which lock an account at one address
    without locking everyone else behind that address; the pages keep axes'."""
    return getattr(request, "path_info", "") == TOKEN_ENDPOINT


class RatesFromSettings:
    """Rates read when a request comes (not when the module is imported), and the
    client's address as client_address() reads it."""

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def get_ident(self, request):
        return client_address(request)


class AnonRateThrottle(RatesFromSettings, throttling.AnonRateThrottle):
    """Requests without credentials, per address (the `anon` rate)."""


class UserRateThrottle(RatesFromSettings, throttling.UserRateThrottle):
    """Requests with credentials, per user (the `user` rate)."""


@dataclass(frozen=True)
class FailureCounter:
    """Failures within a sliding window, per identity, in Django's cache."""

    scope: str
    limit: int
    window: float  # seconds

    def _key(self, ident: str) -> str:
        digest = hashlib.sha256(ident.encode()).hexdigest()
        return f"throttle_{self.scope}_{digest}"

    def _history(self, ident: str, now: float) -> list[float]:
        return [t for t in cache.get(self._key(ident), []) if t > now - self.window]

    def retry_after(self, ident: str) -> int | None:
        """Seconds until the next attempt is allowed; None when it is now."""
        now = time.time()
        history = self._history(ident, now)
        if not self.limit or len(history) < self.limit:
            return None
        return max(1, math.ceil(history[-self.limit] + self.window - now))

    def record(self, ident: str) -> None:
        now = time.time()
        history = [*self._history(ident, now), now]
        cache.set(self._key(ident), history[-max(self.limit, 1) :], self.window)


class TokenFailures:
    """Failed log-ins at the token endpoint: an account at one address is stopped
    after a few failures (that pair only: others behind the same address go on);
    an address after more, over every account (guessing across accounts); an
    account after more, from every address (guessing from many addresses)."""

    def __init__(self):
        limits = settings.API_TOKEN_FAILURE_LIMITS
        window = settings.API_TOKEN_FAILURE_WINDOW.total_seconds()
        self.counters = {
            scope: FailureCounter(f"token_{scope}", limit, window)
            for scope, limit in limits.items()
        }

    @staticmethod
    def _identities(address: str, username: str) -> dict[str, str]:
        return {
            "account_address": f"{username}\n{address}",
            "address": address,
            "account": username,
        }

    def retry_after(self, *, address: str, username: str) -> int | None:
        waits = [
            self.counters[scope].retry_after(ident)
            for scope, ident in self._identities(address, username).items()
            if scope in self.counters
        ]
        return max((w for w in waits if w is not None), default=None)

    def record(self, *, address: str, username: str) -> None:
        for scope, ident in self._identities(address, username).items():
            if scope in self.counters:
                self.counters[scope].record(ident)
