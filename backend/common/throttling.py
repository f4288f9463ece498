"""DRF throttles on exact counters (backend/common/ratelimit.py): the defaults for every API view.

:class:`WindowCounterMixin` is a sliding-window *counter*: one integer per fixed window, the previous window
weighted by how much of it still overlaps the sliding window (rounded up, so never more lenient than the
sliding window itself). The increment comes first and is atomic, so of N simultaneous requests at most the
remaining budget pass; a refused request gives its increment back (as with DRF, refusals use no budget).
DRF's own ``SimpleRateThrottle`` instead reads a list of every request time, appends and writes it back:
concurrent requests overwrite each other's entries and all pass.
"""

from __future__ import annotations

import math
from typing import Any

from rest_framework.throttling import AnonRateThrottle, ScopedRateThrottle, SimpleRateThrottle, UserRateThrottle

from backend.common import ratelimit


class WindowCounterMixin(SimpleRateThrottle):
    def allow_request(self, request: Any, view: Any) -> bool:
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        window, into = divmod(self.timer(), self.duration)
        current, previous = f"{self.key}:{int(window)}", f"{self.key}:{int(window) - 1}"
        # Kept for two windows: it is the "previous" window during the next one.
        used = ratelimit.counter_incr(current, 2 * self.duration)
        before = ratelimit.counter_get(previous)
        if math.ceil(before * (1 - into / self.duration)) + used > self.num_requests:
            ratelimit.counter_incr(current, 2 * self.duration, -1)
            self._retry_after = self.duration - into
            return False
        return True

    def wait(self) -> float | None:
        return getattr(self, "_retry_after", None)


# The DRF class first: ScopedRateThrottle.allow_request picks the view's scope, then calls the counter.
class ExactAnonRateThrottle(AnonRateThrottle, WindowCounterMixin):
    """Anonymous requests, per client address (scope ``anon``)."""


class ExactUserRateThrottle(UserRateThrottle, WindowCounterMixin):
    """Authenticated requests, per user (scope ``user``)."""


class ExactScopedRateThrottle(ScopedRateThrottle, WindowCounterMixin):
    """Per view's ``throttle_scope``, per user or client address."""
