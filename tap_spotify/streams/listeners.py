"""Whose data a run reads, and the `listeners` stream that says so.

Several listeners can share one warehouse (a household, a study): every user-data and
history record carries its `listener_id`, and every key of those streams includes it.
The listener is found once, on first use: the `listener_id` setting; else the Spotify
account the refresh token belongs to (`/me`'s `account_id`, which Spotify asks apps to
use since May 2026, else its `id`); else the download's `username`; else "default".
"""

from __future__ import annotations

import datetime as dt
import threading
import typing as t

from singer_sdk.streams import Stream
from typing_extensions import override

from tap_spotify import spotify
from tap_spotify.schemas.listeners import LISTENER

if t.TYPE_CHECKING:
    from singer_sdk import Tap
    from singer_sdk.helpers.types import Context

    from tap_spotify.api import SpotifyClient
    from tap_spotify.settings import Settings


#: The listener of a download that names none, when no setting does either.
DEFAULT_LISTENER = "default"

class Listener:
    """The run's listener, resolved once (thread-safe)."""

    def __init__(self, settings: Settings, client: SpotifyClient,
                 download_username: t.Callable[[], str | None] = lambda: None) -> None:
        self.settings = settings
        self.client = client
        self.download_username = download_username
        self.lock = threading.Lock()
        self.fetched = False
        self.body: dict | None = None
        self.resolved: str | None = None

    @staticmethod
    def today() -> dt.date:
        return dt.datetime.now(dt.timezone.utc).date()

    @property
    def reads_user_data(self) -> bool:
        """Whether the run reads anyone's own data (not only the public catalog)."""
        return bool(self.settings.refresh_token or self.settings.streaming_history_path)

    def profile(self) -> dict | None:
        """The authorized listener's `/me`, fetched once; None without a refresh token."""
        with self.lock:
            if not self.fetched and self.settings.refresh_token:
                self.body = self.client.get_json("/me")
            self.fetched = True
            return self.body

    def known(self) -> str | None:
        """The listener the settings or the authorization name: the `listener_id`
        setting, else the Spotify account (`/me`'s `account_id`, else its `id`); None
        when neither does (a download loaded without credentials)."""
        if self.settings.listener_id:
            return self.settings.listener_id
        profile = self.profile()
        return next((profile[key] for key in ("account_id", "id")
                     if profile and isinstance(profile.get(key), str) and profile[key]),
                    None)

    def id(self) -> str:
        """The run's listener id (see the module docstring)."""
        if self.resolved is None:
            self.resolved = self.known() or self.download_username() or DEFAULT_LISTENER
        return self.resolved


class ListenersStream(Stream):
    """One record per run that reads a listener's data: who they are, their time zone,
    and when their authorization must be renewed."""

    name = "listeners"
    primary_keys: t.ClassVar[list[str]] = ["listener_id"]
    schema = LISTENER

    def __init__(self, tap: Tap, listener: Listener) -> None:
        super().__init__(tap)
        self.listener = listener

    @classmethod
    def state_problem(cls, state: dict) -> str | None:
        return None

    @override
    def get_records(self, context: Context | None) -> t.Iterable[dict[str, t.Any]]:
        if not self.listener.reads_user_data:
            return
        settings = self.listener.settings
        profile = self.listener.profile() or {}
        ends = settings.authorization_ends()
        yield {
            "listener_id": self.listener.id(),
            "account_id": text_or_none(profile.get("account_id")),
            "user_id": text_or_none(profile.get("id")),
            "display_name": text_or_none(profile.get("display_name")),
            "time_zone": settings.time_zone,
            "authorized_on": (settings.refresh_token_date.isoformat()
                              if settings.refresh_token and settings.refresh_token_date
                              else None),
            "authorization_ends_on": ends.isoformat() if ends else None,
            "synced_on": self.listener.today().isoformat(),
        }
        if ends is not None and settings.refresh_token:
            self.logger.info("listeners: %s's authorization ends on %s (%s); run `%s` before "
                             "then.", self.listener.id(), ends,
                             f"{spotify.AUTHORIZATION_MONTHS} months after consent",
                             self.listener.client.login)

    @override
    def generate_child_contexts(self, record: dict, context: Context | None,
                                ) -> t.Iterable[Context | None]:
        return ()


def text_or_none(value: object) -> str | None:
    return value if isinstance(value, str) and value else None
