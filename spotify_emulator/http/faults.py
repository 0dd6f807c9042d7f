"""Seeded, reproducible fault injection (5xx, resets, truncation, non-JSON)."""

from __future__ import annotations

import random
import threading
from collections.abc import Sequence

from ..options import FAULT_KINDS

#: Faults answered with an error status and a JSON error body.
STATUS_FAULTS = {"500": 500, "502": 502, "503": 503}
#: Faults that break the transport or the body of an otherwise normal response.
WIRE_FAULTS = ("reset", "truncated", "non_json")


class FaultInjector:
    """Draws one number per eligible request from its own RNG.

    The n-th eligible request always meets the same fate for the same seed,
    rate and kinds, whatever the timing.
    """

    def __init__(
        self,
        rate: float,
        kinds: Sequence[str],
        seed: int,
        on_token: bool,
    ) -> None:
        self._lock = threading.Lock()
        self.configure(rate, kinds, seed, on_token)

    def configure(self, rate: float, kinds: Sequence[str], seed: int, on_token: bool) -> None:
        """Replace the settings and restart the random sequence from ``seed``."""
        unknown = set(kinds) - set(FAULT_KINDS)
        if unknown:
            raise ValueError(f"unknown fault kinds {sorted(unknown)}; known: {FAULT_KINDS}")
        if not 0.0 <= rate <= 1.0:
            raise ValueError("fault rate must be within [0, 1]")
        with self._lock:
            self.rate = rate
            self.kinds = tuple(kinds)
            self.seed = seed
            self.on_token = on_token
            self._rng = random.Random(f"spotify-emulator/faults/{seed}")

    def draw(self, is_token: bool) -> str | None:
        """The fault kind for this request, or None."""
        if is_token and not self.on_token:
            return None
        if self.rate <= 0.0 or not self.kinds:
            return None
        with self._lock:
            roll = self._rng.random()
            if roll >= self.rate:
                return None
            # Split [0, rate) evenly among the kinds.
            index = min(int(roll / self.rate * len(self.kinds)), len(self.kinds) - 1)
            return self.kinds[index]
