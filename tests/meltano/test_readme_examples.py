"""The README's examples for this repository's Meltano project, run as written:
stream selection and stream maps together, every way of giving
streaming_history_path, schema flattening; each checked on what target-jsonl wrote."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from spotify_emulator import EmulatorServer
from tests.history.synthetic import make_plays, write_account
from tests.meltano.helpers import (
    Meltano,
    assert_exactly,
    expected_from,
    read_jsonl,
    surprises,
    tap_env,
)
from tests.meltano.household import history_download
from tests.meltano.readme import Shell, readme_commands, user_env


def run_jsonl(project: Meltano, emu: EmulatorServer, *flags: str, out: str = "output",
              ) -> dict:
    project("run", *flags, "tap-spotify", "target-jsonl",
            env={**tap_env(emu), "TARGET_JSONL_DESTINATION_PATH": out})
    return read_jsonl(project.root / out)


def lines_of(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def test_select_only_new_releases(project: Meltano, spotify: EmulatorServer):
    project("select", "tap-spotify", "--clear")
    project("select", "tap-spotify", "new_releases", "*")
    tap = project.yaml()["plugins"]["extractors"][0]
    assert tap["select"] == ["new_releases.*"]
    listed = project("select", "tap-spotify", "--list", env=tap_env(spotify)).stdout
    assert "[automatic  ] new_releases.id" in listed
    assert "albums." not in listed and "album_tracks." not in listed

    spotify.backend.reset_stats()
    records = run_jsonl(project, spotify)

    assert {r["id"] for r in records["new_releases"]} == set(spotify.backend.catalog
                                                              .new_release_ids)
    assert records["albums"] == [] and records["album_tracks"] == []
    assert not (project.root / "output" / "albums.jsonl").exists()
    # Deselected children cost nothing: the tap fetched no album and no track page.
    counts = spotify.backend.stats()["counts"]
    assert counts.get("several_albums", 0) == 0
    assert counts.get("album", 0) == 0
    assert counts.get("album_tracks", 0) == 0


def test_the_readme_selection_and_stream_maps_together(project: Meltano,
                                                       spotify: EmulatorServer):
    shell = Shell(project.root, user_env())
    for line in [*readme_commands("meltano-select"), *readme_commands("meltano-stream-maps")]:
        shell(line)
    tap = project.yaml()["plugins"]["extractors"][0]
    assert tap["select"] == ["new_releases.*", "albums.*", "album_tracks.*"]

    records = run_jsonl(project, spotify)

    catalog = spotify.backend.catalog
    kept = [a.id for a in catalog.new_releases if a.album_type != "single"]
    assert 0 < len(kept) < len(catalog.new_release_ids)
    expected = expected_from(spotify, kept)
    # Filtering the parent skips its albums and tracks too.
    assert_exactly(records, expected)
    tracks = records["album_tracks"]
    assert all("available_markets" not in t for t in tracks)
    assert all("available_markets" in a for a in records["albums"])  # other streams keep it
    for track in tracks:
        original = expected.track_names[track["id"]]
        assert track["name"] == hashlib.md5(original.encode()).hexdigest()
    assert sorted(p.name for p in (project.root / "output").iterdir()) == [
        "album_tracks.jsonl", "albums.jsonl", "new_releases.jsonl"]


def test_streaming_history_path_every_way_the_readme_gives(
        project: Meltano, spotify: EmulatorServer, tmp_path: Path):
    download, plays = history_download(tmp_path, seed=5, plays=150)
    account = tmp_path / "Spotify Account Data"
    account_plays = make_plays(40, seed=6, same_ts_every=0)
    write_account(account, account_plays)
    first, as_list, as_variable = readme_commands("meltano-history-path", {
        "/path/to/my_spotify_data.zip": str(download),
        "/path/to/Spotify Account Data": str(account)})
    env = user_env(**tap_env(spotify))
    shell = Shell(project.root, env)

    shell(first)  # one path, through meltano config set
    records = run_jsonl(project, spotify, out="plain")
    assert len(lines_of(project.root / "plain" / "streaming_history.jsonl")) == plays
    assert_exactly(records, expected_from(spotify))

    shell(as_list)  # a JSON list, through meltano config set
    run_jsonl(project, spotify, "--full-refresh", out="list")
    assert len(lines_of(project.root / "list" / "streaming_history.jsonl")) == plays
    assert len(lines_of(project.root / "list" / "streaming_history_account.jsonl")) == len(
        account_plays)

    # A variable: it wins over meltano.yml's list (the download alone).
    project("state", "clear", "--force", "dev:tap-spotify-to-target-jsonl")
    shell.env["TARGET_JSONL_DESTINATION_PATH"] = "variable"
    done = shell(as_variable)
    assert not surprises(done.stderr), surprises(done.stderr)
    assert len(lines_of(project.root / "variable" / "streaming_history.jsonl")) == plays
    assert not (project.root / "variable" / "streaming_history_account.jsonl").exists()


def test_flattening(project: Meltano, spotify: EmulatorServer):
    project("config", "set", "tap-spotify", "flattening_enabled", "true")
    project("config", "set", "tap-spotify", "flattening_max_depth", "1")

    records = run_jsonl(project, spotify)

    assert_exactly(records, expected_from(spotify))
    album = records["albums"][0]
    assert "external_ids" not in album and "external_urls" not in album
    assert album["external_urls__spotify"].startswith("https://open.spotify.com/album/")
    assert "external_ids__upc" in album
    # Arrays are not flattened: they become JSON text.
    assert isinstance(album["artists"], str) and json.loads(album["artists"])[0]["id"]
    track = records["album_tracks"][0]
    assert "external_urls__spotify" in track and "external_urls" not in track
    assert track["album_id"]
