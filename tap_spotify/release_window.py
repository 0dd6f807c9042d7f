"""Incremental new releases: a release-date bookmark with a lookback window.

Spotify's new-releases list is curated, not sorted by date, and an album can be
listed days after its release date; "released after the bookmark" alone would
silently miss it. So a run considers every listed album released on or after
`bookmark - lookback_days`, and the state remembers which albums inside that window
were already synced, so none is emitted (or has its tracks fetched) twice.

The stream's bookmark, next to the SDK's `replication_key_value`:

    "synced_in_window": {"2026-11-18": "<album id> <album id> ...", ...}

It only holds dates inside the window, so its size is bounded by the albums
released in `lookback_days`, never by the catalog. Each day's ids are one string:
compact, and free for the SDK to deep-copy at every STATE message.
"""

from __future__ import annotations

import datetime as dt
import typing as t

STATE_KEY = "synced_in_window"


def normalize_release_date(value: str | None) -> str | None:
    """`2024` -> `2024-01-01`, `2024-05` -> `2024-05-01`; None when Spotify's date is unusable
    (Spotify has albums dated `0000`)."""
    if not value:
        return None
    parts = value.split("-")
    try:
        day = dt.date(int(parts[0]), int(parts[1]) if len(parts) > 1 else 1,
                      int(parts[2]) if len(parts) > 2 else 1)
    except (ValueError, IndexError):
        return None
    return day.isoformat()


class ReleaseWindow:
    """Decides which listed albums a run emits, and records the ones it synced."""

    def __init__(self, stream_state: dict, *, bookmark: str | None, start_date: str | None,
                 lookback_days: int) -> None:
        self._lookback = dt.timedelta(days=lookback_days)
        self._synced: dict[str, str] = stream_state.setdefault(STATE_KEY, {})
        self._synced_ids = {album_id for ids in self._synced.values() for album_id in ids.split()}
        self._horizon = bookmark[:10] if bookmark else None
        if self._horizon:
            self.lower_bound: str | None = self._window_start(self._horizon)
        else:
            self.lower_bound = normalize_release_date(start_date[:10]) if start_date else None

    def _window_start(self, day: str) -> str:
        return (dt.date.fromisoformat(day) - self._lookback).isoformat()

    def wants(self, album_id: str, release_day: str | None) -> bool:
        """True when the album is new to us: inside the window and not synced before."""
        if album_id in self._synced_ids:
            return False
        if self.lower_bound is None:
            return True
        return release_day is not None and release_day >= self.lower_bound

    def mark_synced(self, albums: t.Iterable[tuple[str, str | None]]) -> None:
        """Remember albums whose record and tracks have all been emitted.

        Albums that fall behind the window of the latest release date synced are
        forgotten at once, so every STATE message stays small, even mid-run. (A run
        resumed from such a state may emit some old albums again: duplicates, never gaps.)
        """
        added: dict[str, list[str]] = {}
        for album_id, release_day in albums:
            if release_day is None or album_id in self._synced_ids:
                continue
            added.setdefault(release_day, []).append(album_id)
            self._synced_ids.add(album_id)
            if self._horizon is None or release_day > self._horizon:
                self._horizon = release_day
        for day, ids in added.items():
            self._synced[day] = " ".join(filter(None, (self._synced.get(day), *ids)))
        if self._horizon is not None:
            start = self._window_start(self._horizon)
            for day in [day for day in self._synced if day < start]:
                self._synced_ids.difference_update(self._synced.pop(day).split())
