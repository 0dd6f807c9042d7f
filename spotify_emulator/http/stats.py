"""Per-endpoint counters and the request log (what a test asserts on)."""

from __future__ import annotations

import collections
import threading
from typing import Any

#: Endpoints counted from zero; others (routes.py) appear in ``counts`` once requested.
ENDPOINTS = ("token", "new_releases", "several_albums", "album", "album_tracks", "search")


class Stats:
    """Thread-safe counts and a bounded log of served requests.

    An entry is recorded just before its bytes are written, so a client that
    has its response can already see it counted.
    """

    def __init__(self, log_limit: int) -> None:
        self._lock = threading.Lock()
        self._log: collections.deque[dict[str, Any]] = collections.deque(maxlen=log_limit)
        self._counts: dict[str, int] = {}
        self._by_status: dict[str, int] = {}
        self._by_fault: dict[str, int] = {}
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self._log.clear()
            self._counts = dict.fromkeys(ENDPOINTS, 0)
            self._by_status = {}
            self._by_fault = {}

    def record(
        self,
        *,
        method: str,
        path: str,
        query: str,
        endpoint: str,
        status: int,
        start: float,
        end: float,
        fault: str | None,
    ) -> None:
        entry = {
            "method": method,
            "path": path,
            "query": query,
            "endpoint": endpoint,
            "status": status,
            "start": start,
            "end": end,
            "fault": fault,
        }
        key = str(status)
        with self._lock:
            self._log.append(entry)
            self._counts[endpoint] = self._counts.get(endpoint, 0) + 1
            self._by_status[key] = self._by_status.get(key, 0) + 1
            if fault is not None:
                self._by_fault[fault] = self._by_fault.get(fault, 0) + 1

    def snapshot(self) -> dict[str, Any]:
        """A JSON-ready copy: counts, by_status, by_fault, requests."""
        with self._lock:
            return {
                "counts": dict(self._counts),
                "by_status": dict(sorted(self._by_status.items())),
                "by_fault": dict(sorted(self._by_fault.items())),
                "requests": [dict(e) for e in self._log],
            }
