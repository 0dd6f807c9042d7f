"""Summarise target-jsonl output: records per stream file, plus a consistency check.

    python scripts/demo_summary.py output/demo
    python scripts/demo_summary.py --user output/demo-user
    meltano state get STATE_ID | python scripts/demo_summary.py --state

Prints one line per stream (file, record count), whether every track's album_id points
at an album of albums.jsonl, and the album with the most tracks. Exit code 1 when a
file holds a record twice or a track has no album. With --user, the user streams'
files. With --state, summarises the bookmarks of a `meltano state get` output instead.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

STREAMS = ("new_releases", "albums", "album_tracks")
USER_STREAMS = ("me", "recently_played", "top_tracks", "top_artists", "saved_tracks",
                "saved_albums", "followed_artists", "playlists", "playlist_items")


def load(path: Path) -> list[dict]:
    if not path.exists():
        return []
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def summarise_state(text: str) -> int:
    state = json.loads(text[text.index("{"):])
    bookmarks = state["singer_state"]["bookmarks"]
    synced = bookmarks["new_releases"].get("synced", [])
    print(f"    new_releases: {len(synced)} listed albums remembered as synced "
          f"({len(json.dumps(synced))} bytes of state)")
    for stream, bookmark in sorted(bookmarks.items()):
        if bookmark.get("replication_key_value"):
            print(f"    {stream}: {bookmark['replication_key']} = "
                  f"{bookmark['replication_key_value']}")
    return 0


def summarise_user(folder: Path) -> int:
    for stream in USER_STREAMS:
        path = folder / f"{stream}.jsonl"
        print(f"    {stream:<17} {len(load(path)):>5} records  {path}")
    return 0


def main(argv: list[str]) -> int:
    if argv[1:] == ["--state"]:
        return summarise_state(sys.stdin.read())
    if argv[1:2] == ["--user"]:
        return summarise_user(Path(argv[2]))
    folder = Path(argv[1] if len(argv) > 1 else "output")
    records = {stream: load(folder / f"{stream}.jsonl") for stream in STREAMS}
    problems = []
    for stream in STREAMS:
        path = folder / f"{stream}.jsonl"
        rows = records[stream]
        shown = path if path.exists() else f"{path} (not written: no records)"
        print(f"    {stream:<13} {len(rows):>6} records  {shown}")
        dupes = sum(n - 1 for n in Counter(r.get("id") for r in rows).values() if n > 1)
        if dupes:
            problems.append(f"{stream}: {dupes} duplicate records")
    albums = {a["id"]: a for a in records["albums"]}
    tracks = records["album_tracks"]
    orphans = [t["id"] for t in tracks if t.get("album_id") not in albums]
    if orphans:
        problems.append(f"{len(orphans)} tracks whose album_id is not in albums.jsonl")
    elif tracks:
        per_album = Counter(t["album_id"] for t in tracks)
        album_id, count = per_album.most_common(1)[0]
        print(f"    every track's album_id is in albums.jsonl; longest album: "
              f"{albums[album_id]['name']!r} with {count} tracks")
    for problem in problems:
        print(f"    PROBLEM: {problem}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
