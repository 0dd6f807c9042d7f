"""What a Spotify download holds, by file name: the history files the tap reads, and
the files it knows to be something else (read by nothing here, passed over quietly).

Anything else is named in one warning: a file Spotify adds one day must not be passed
over in silence. Sources, as checked in December 2026:

- [support] support.spotify.com/article/understanding-my-data (the three packages);
- [ortham] blog.ortham.net/posts/2024-12-21-spotify-streaming-history-part-1;
- [jrtechs] jrtechs.net/data-science/the-data-spotify-collected-on-me-over-ten-years
  (file listings of all three packages, January 2026);
- [counter] github.com/countervolts/Spotify-Stats-Calculator, still_confused_on_downloads.md
  (account data and extended history listings, 2024);
- [ys458] github.com/Yooooomi/your_spotify/issues/458 (a November 2024 extended entry;
  account data with separate audiobook files);
- [ys391] github.com/Yooooomi/your_spotify/issues/391 (StreamingHistory_podcast_0.json);
- [lb1800] github.com/metabrainz/listenbrainz-server/pull/1800 (2021: endsong.json and
  endvideo.json, with username and the *_decrypted fields);
- [shapes] the project's reference notes (/work/shared/spotify/README.md, "Shapes seen in
  real data": StreamingHistory_audiobook_N.json holds endTime, audiobookName, chapterName,
  authorName, msPlayed), matching a published data dictionary of account-data exports and
  a public importer that reads endTime, audiobookName, authorName and msPlayed from
  "Spotify Account Data/StreamingHistory_audiobook_0.json".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath

#: The two record formats: extended streaming history, and account data's history.
EXTENDED, ACCOUNT = "extended", "account"


@dataclass(frozen=True)
class FileKind:
    """One kind of history file, known by its name."""

    name: str
    format: str
    pattern: re.Pattern[str]
    #: An older name: where files overlap, a record from a newer kind is the one kept.
    legacy: bool = False


def _kind(name: str, record_format: str, pattern: str, *, legacy: bool = False) -> FileKind:
    return FileKind(name, record_format, re.compile(pattern, re.I), legacy)


HISTORY_KINDS = (
    # Extended, 2023 on: Streaming_History_Audio_2014-2016_0.json, ..._2024_7.json [ortham,
    # jrtechs]; since late 2024 ip_addr, no username, and (2025) the audiobook_* fields.
    _kind("Streaming_History_Audio", EXTENDED, r"streaming_history_audio_.+\.json"),
    # Video podcasts and music videos, same fields as Audio [jrtechs, counter].
    _kind("Streaming_History_Video", EXTENDED, r"streaming_history_video_.+\.json"),
    # Extended, until about 2022: endsong_N.json (endsong.json in 2021) [lb1800].
    _kind("endsong", EXTENDED, r"endsong(_\d+)?\.json", legacy=True),
    _kind("endvideo", EXTENDED, r"endvideo(_\d+)?\.json", legacy=True),
    # Account data, the last year: music, podcasts and (2024 on) audiobooks [ys391, ys458,
    # jrtechs, shapes]; before, one mixed StreamingHistoryN.json [counter].
    _kind("StreamingHistory_music", ACCOUNT, r"streaminghistory_music_\d+\.json"),
    _kind("StreamingHistory_podcast", ACCOUNT, r"streaminghistory_podcast_\d+\.json"),
    _kind("StreamingHistory_audiobook", ACCOUNT, r"streaminghistory_audiobook_\d+\.json"),
    _kind("StreamingHistory", ACCOUNT, r"streaminghistory\d*\.json", legacy=True),
)

EXPECTED_NAMES = ("Streaming_History_Audio_*.json, Streaming_History_Video_*.json, "
                  "endsong_*.json or StreamingHistory*.json")

#: Account data's profile: its `username` says whose download it is [counter, jrtechs].
USERDATA = re.compile(r"userdata\.json", re.I)

#: Files of the three packages that hold no listening history [counter, jrtechs], and
#: what operating systems leave in zips and folders.
_OTHER_FILES = re.compile(
    r"(identity|identifiers|inferences|marquee|follow|payments|searchqueries|yourlibrary"
    r"|playlistinabottle|duonewfamily|useraddress|userfestivalsdataforsar|userprompts"
    r"|yoursoundcapsule|customerservicehistoryandsurveydata|playlist\d+|wrapped\d{4})\.json"
    r"|read_?me_?first.*\.pdf"
    r"|\.ds_store|thumbs\.db|desktop\.ini|\._.*",
    re.I,
)
#: Folders whose files are known not to be history: the technical log package (157
#: kinds of event logs [jrtechs]) and macOS resource forks.
_OTHER_FOLDERS = re.compile(r"spotify technical log information|__macosx", re.I)


class Known:
    """A file of the download that is not history (USERDATA is read for its username)."""

    USERDATA = "userdata"
    OTHER = "other"


def classify(path: str) -> FileKind | str | None:
    """The history kind of a file, Known.USERDATA or Known.OTHER, or None for a file the
    tap does not know. `path` is a file's path, or a zip member's name."""
    parts = PurePosixPath(path.replace("\\", "/")).parts
    if not parts:
        return None
    name = parts[-1]
    if any(_OTHER_FOLDERS.fullmatch(folder) for folder in parts[:-1]) \
            or _OTHER_FILES.fullmatch(name):
        return Known.OTHER
    if USERDATA.fullmatch(name):
        return Known.USERDATA
    return history_kind(name)


def history_kind(name: str) -> FileKind | None:
    """The kind of a history file by its name; None for any other file."""
    return next((kind for kind in HISTORY_KINDS if kind.pattern.fullmatch(name)), None)
