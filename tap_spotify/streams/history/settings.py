"""The history's setting, `streaming_history_path`, and how its value reads."""

from __future__ import annotations

import contextlib
import json
import typing as t

from singer_sdk import typing as th

HISTORY_SETTINGS: list[th.Property] = [
    th.Property(
        "streaming_history_path", th.OneOf(th.StringType, th.ArrayType(th.StringType)),
        description="Spotify's downloadable listening history: the .zip Spotify sent, the "
                    "folder it was extracted to, or single Streaming_History_*.json, "
                    "endsong_*.json or StreamingHistory*.json files; one path or a list. "
                    "Needs no Spotify credentials.",
    ),
]


def history_paths(setting: t.Any) -> list[str]:
    """The setting as a list of paths: one string, a list, or a JSON list in a string
    (as an environment variable carries it)."""
    if isinstance(setting, str) and setting.lstrip().startswith("["):
        with contextlib.suppress(ValueError):  # else a path that starts with "["
            setting = json.loads(setting)
    paths = [setting] if isinstance(setting, str) else list(setting or ())
    return [str(path) for path in paths if str(path).strip()]
