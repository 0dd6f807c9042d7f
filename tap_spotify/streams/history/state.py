"""What a history stream keeps in its state: the bookmark (the SDK's
`replication_key_value`, the last `ts` emitted), the play_ids emitted at that very
second (`edge_play_ids`: several plays can stop in the same second), and whose plays
they were (`listener_id`). Small, whatever the history's size."""

from __future__ import annotations

import typing as t

from tap_spotify.errors import ConfigError
from tap_spotify.streams.history.formats import canonical_ts


def read_bookmark(state: t.Mapping[str, t.Any], stream: str) -> tuple[str | None, set[str]]:
    """The bookmark and the play_ids emitted at its second, as an earlier run left them."""
    value, ids = state.get("replication_key_value"), state.get("edge_play_ids") or []
    if not value:
        return None, set()
    try:
        bookmark: str | None = canonical_ts(str(value))
    except ValueError:
        bookmark = None
    if bookmark is None or not isinstance(ids, list) or not all(isinstance(i, str)
                                                                for i in ids):
        raise ConfigError(f"state: the bookmark of {stream} ({value!r}, {ids!r}) is not a "
                          "date-time and a list of play_ids: fix the state file, or run "
                          "without it to start over.")
    return bookmark, set(ids)


def check_listener(state: t.Mapping[str, t.Any], stream: str, listener: str) -> None:
    """A bookmark holds for the listener whose plays it followed: another listener's
    plays before it would be skipped for ever."""
    written = state.get("listener_id")
    if state.get("replication_key_value") and written is not None and written != listener:
        raise ConfigError(
            f"state: the bookmark of {stream} follows the plays of listener {written!r}, and "
            f"this run loads listener {listener!r}: give each listener's download its own "
            "state, or set listener_id to the state's listener if it is the same person.")


class BookmarkEdge:
    """Keeps `edge_play_ids` in the stream's state as plays go out (the SDK keeps the
    bookmark itself), and the listener they belong to."""

    def __init__(self, state: dict[str, t.Any], bookmark: str | None, done: set[str],
                 listener: str) -> None:
        self.state, self.ts = state, bookmark
        self.ids = list(done)
        state["edge_play_ids"] = self.ids
        state["listener_id"] = listener

    def add(self, ts: str, play_id: str) -> None:
        """Note a play about to be written (the SDK moves the bookmark to its ts)."""
        if ts != self.ts:
            self.ts, self.ids = ts, []
            self.state["edge_play_ids"] = self.ids
        self.ids.append(play_id)
