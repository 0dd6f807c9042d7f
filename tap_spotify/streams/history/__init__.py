"""Spotify's downloadable listening history (the privacy export) as two streams.

- settings.py: the `streaming_history_path` setting;
- export.py: what a download holds, by file name;
- files.py: finding those files in zips, folders and paths, and reading them (capped);
- entries.py: a JSON list's entries, so that an entry that is not text can be set aside;
- formats.py: each record format's fields, and how a play's identity reads;
- merge.py: sorting, spilling, merging and counting plays, each once;
- listener.py, download.py: whose plays they are; the files both streams share;
- state.py: the bookmark, the plays at its edge, their listener;
- streams.py: the SDK streams.
"""

from tap_spotify.streams.history.listener import download_username
from tap_spotify.streams.history.settings import HISTORY_SETTINGS, history_paths
from tap_spotify.streams.history.streams import (
    AccountStreamingHistoryStream,
    ListenerSource,
    StreamingHistoryStream,
    history_streams,
)

__all__ = [
    "HISTORY_SETTINGS",
    "AccountStreamingHistoryStream",
    "ListenerSource",
    "StreamingHistoryStream",
    "download_username",
    "history_paths",
    "history_streams",
]
