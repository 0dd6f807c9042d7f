"""What Spotify's Web API is, as far as tap-spotify needs to know: one home for its facts.

Imported by the tap, `tap-spotify login`, the emulator and the tests, so that a fact
Spotify changes is changed here once. Standard library only. Sources: Spotify's Web
API reference and OpenAPI description, its "Scopes", "Redirect URIs" and
"Authorization Code" pages, the February and March 2026 changelogs, and the blog posts
of 2026-06-18 (refresh tokens) and 2026-07-23 (quotas).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from urllib.parse import urlsplit

# Where Spotify is.
API_URL = "https://api.spotify.com/v1"
TOKEN_URL = "https://accounts.spotify.com/api/token"
AUTHORIZE_URL = "https://accounts.spotify.com/authorize"

# Authorization (Authorization Code flow).

#: The read scopes a user can grant, in the order `tap-spotify login` asks for them.
READ_SCOPES = (
    "user-read-private", "user-read-email", "user-read-recently-played", "user-top-read",
    "user-library-read", "user-follow-read", "playlist-read-private",
    "playlist-read-collaborative",
)
#: Since mid-2026 an authorization ends this many months after the user's consent;
#: refreshing does not extend it.
AUTHORIZATION_MONTHS = 6
#: Spotify's answer to a refresh token it no longer accepts.
EXPIRED_GRANT = "invalid_grant"


def authorization_ends(consented: dt.date) -> dt.date:
    """The day an authorization given on `consented` ends: six months later (the last
    day of the month where that month is shorter)."""
    month = consented.month - 1 + AUTHORIZATION_MONTHS
    year, month = consented.year + month // 12, month % 12 + 1
    return dt.date(year, month, min(consented.day, calendar.monthrange(year, month)[1]))


#: The only hosts Spotify accepts in a plain-http redirect URI: loopback IP literals.
LOOPBACK_REDIRECT_HOSTS = ("127.0.0.1", "::1")


def redirect_uri_problem(uri: str) -> str | None:
    """Why Spotify would refuse `uri` as a redirect URI, or None: https anywhere, or
    plain http to 127.0.0.1 or [::1]; never `localhost`."""
    parts = urlsplit(uri)
    if parts.scheme == "https" and parts.hostname:
        return None
    if parts.scheme == "http" and parts.hostname in LOOPBACK_REDIRECT_HOSTS:
        return None
    if parts.scheme == "http" and parts.hostname == "localhost":
        return "Spotify refuses `localhost` redirect URIs: use 127.0.0.1"
    return "a redirect URI must be https://, or http:// to 127.0.0.1 or [::1]"


#: Our rule for every URL credentials are sent to (API, token, authorize): https, or
#: plain http to this machine only, so that no secret crosses a network in clear text.
CREDENTIAL_URL_PATTERN = (
    r"^(https://[^/\s]+|http://(localhost|127(\.\d{1,3}){3}|\[::1\])(:\d+)?)(/\S*)?$"
)


def is_credential_url(url: str) -> bool:
    return re.fullmatch(CREDENTIAL_URL_PATTERN, url) is not None


# Paging and batch limits (Web API reference).

#: Items per page of every paging endpoint...
MAX_PAGE_SIZE = 50
#: ...`/playlists/{id}/items` included (the removed `/tracks` took 100)...
PLAYLIST_ITEMS_MAX_LIMIT = 50
#: ...but search: 10 a page since February 2026, and `offset + limit` at most 1,000.
SEARCH_MAX_LIMIT = 10
SEARCH_MAX_END = 1000
#: Ids per `GET /albums?ids=`.
ALBUMS_PER_REQUEST = 20
#: Spotify keeps this many plays readable, whatever the cursors.
READABLE_PLAYS = 50
#: Time ranges of `/me/top/{artists,tracks}`: about 4 weeks, 6 months, a year and more.
TIME_RANGES = ("short_term", "medium_term", "long_term")
#: The search query for albums released in the past two weeks.
NEW_ALBUMS_QUERY = "tag:new"
