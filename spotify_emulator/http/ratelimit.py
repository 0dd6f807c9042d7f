"""Rolling-window rate limiting and scripted one-shot long 429s."""

from __future__ import annotations

import collections
import dataclasses
import math
import threading
from collections.abc import Callable

from ..options import RATE_LIMIT_VARIANTS


@dataclasses.dataclass(frozen=True)
class Rejection:
    """Why and how a request is refused with 429."""

    variant: str
    retry_after: int
    scripted: bool = False


@dataclasses.dataclass
class _Script:
    remaining: int
    retry_after: int
    variant: str


class RateLimiter:
    """Admits at most ``budget`` API requests per rolling ``window`` seconds.

    Only admitted requests occupy the window: a client that honours
    Retry-After gets through as soon as the oldest admitted request ages out.
    Retry-After is exactly that wait, in whole seconds rounded up (at least 1),
    unless a fixed ``retry_after`` is configured.
    """

    def __init__(
        self,
        budget: int | None,
        window: float,
        retry_after: int | None,
        variant: str,
        clock: Callable[[], float],
    ) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._admitted: collections.deque[float] = collections.deque()
        self._scripts: list[_Script] = []
        self.budget = budget
        self.window = window
        self.retry_after = retry_after
        self.variant = variant

    def configure(
        self,
        budget: int | None,
        window: float,
        retry_after: int | None,
        variant: str,
    ) -> None:
        """Change the limit at runtime; the window starts empty again."""
        if variant not in RATE_LIMIT_VARIANTS:
            raise ValueError(f"variant must be one of {RATE_LIMIT_VARIANTS}")
        if window <= 0:
            raise ValueError("window must be > 0")
        with self._lock:
            self.budget, self.window = budget, window
            self.retry_after, self.variant = retry_after, variant
            self._admitted.clear()

    def script(self, retry_after: int, after: int, variant: str) -> None:
        """Make the (after+1)-th API request from now answer one 429 (once)."""
        if variant not in RATE_LIMIT_VARIANTS:
            raise ValueError(f"variant must be one of {RATE_LIMIT_VARIANTS}")
        if after < 0:
            raise ValueError("after must be >= 0")
        with self._lock:
            self._scripts.append(_Script(after, retry_after, variant))

    def check(self) -> Rejection | None:
        """Account one API request; a Rejection when it must get a 429."""
        with self._lock:
            fired = None
            for script in self._scripts:
                if script.remaining == 0 and fired is None:
                    fired = script
                else:
                    script.remaining = max(0, script.remaining - 1)
            if fired is not None:
                self._scripts.remove(fired)
                return Rejection(fired.variant, fired.retry_after, scripted=True)
            if self.budget is None:
                return None
            now = self._clock()
            horizon = now - self.window
            admitted = self._admitted
            while admitted and admitted[0] <= horizon:
                admitted.popleft()
            if len(admitted) >= self.budget:
                return Rejection(self.variant, self._retry_after(now))
            admitted.append(now)
            return None

    def _retry_after(self, now: float) -> int:
        """Whole seconds until the window frees a slot (the fixed value if one is set)."""
        if self.retry_after is not None:
            return self.retry_after
        # A budget of 0 never frees a slot: the window length is as honest as anything.
        frees_at = self._admitted[0] + self.window if self._admitted else now + self.window
        return max(1, math.ceil(frees_at - now))
