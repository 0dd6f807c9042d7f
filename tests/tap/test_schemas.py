"""Our schemas accept every real response recorded from Spotify, and declare every field."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from tap_spotify.schemas import catalog as schemas
from tap_spotify.streams.new_releases import normalize_release_date

RECORDINGS = Path(__file__).resolve().parents[1] / "fixtures" / "spotify" / "recordings"


def _bodies() -> Iterator[tuple[str, Any]]:
    for path in sorted(RECORDINGS.glob("*.json")):
        data = json.loads(path.read_text())
        if "body" in data:
            yield path.name, data["body"]
        for interaction in data.get("interactions", []):
            body = interaction.get("response", {}).get("body")
            if isinstance(body, str):
                try:
                    body = json.loads(body)
                except ValueError:
                    continue
            yield path.name, body


def _objects() -> Iterator[tuple[str, str, dict]]:
    """(recording, schema name, record as the tap would emit it)."""
    for name, body in _bodies():
        if not isinstance(body, dict):
            continue
        if isinstance(body.get("albums"), dict):  # new releases / search page
            for album in body["albums"]["items"]:
                yield name, "NEW_RELEASE", _with_date(album)
        full_albums = body["albums"] if isinstance(body.get("albums"), list) else (
            [body] if "tracks" in body and "album_type" in body else [])
        for album in filter(None, full_albums):
            yield name, "ALBUM", _with_date({k: v for k, v in album.items() if k != "tracks"})
            for track in album["tracks"]["items"]:
                yield name, "ALBUM_TRACK", {**track, "album_id": album["id"]}
        if "items" in body and "albums" not in body:  # an album's tracks page
            for track in body["items"]:
                yield name, "ALBUM_TRACK", {**track, "album_id": "from-the-request-path"}


def _with_date(album: dict) -> dict:
    return {**album, "release_date_normalized": normalize_release_date(album.get("release_date"))}


def _undeclared(value: Any, schema: dict, where: str = "") -> list[str]:
    """Fields in a real object that the schema does not name (recursively)."""
    if isinstance(value, dict) and "properties" in schema:
        missing = []
        for key, item in value.items():
            if key not in schema["properties"]:
                missing.append(f"{where}{key}")
            else:
                missing += _undeclared(item, schema["properties"][key], f"{where}{key}.")
        return missing
    if isinstance(value, list) and "items" in schema:
        return [m for item in value for m in _undeclared(item, schema["items"], where)]
    return []


OBJECTS = list(_objects())


def test_recordings_cover_every_schema():
    assert {kind for _, kind, _ in OBJECTS} == {"NEW_RELEASE", "ALBUM", "ALBUM_TRACK"}


@pytest.mark.parametrize(("recording", "kind", "record"), OBJECTS,
                         ids=[f"{r}:{k}:{o.get('id')}" for r, k, o in OBJECTS])
def test_real_object_fits_schema(recording, kind, record):
    schema = getattr(schemas, kind)
    errors = [e.message for e in Draft202012Validator(schema).iter_errors(record)]
    assert not errors, f"{recording}: {errors}"
    assert not _undeclared(record, schema), f"{recording}: fields the schema does not declare"


def test_development_tier_nulls_are_accepted():
    stripped = {"id": "x", "album_id": "y", "available_markets": None, "linked_from": None,
                "popularity": None}
    assert not list(Draft202012Validator(schemas.ALBUM_TRACK).iter_errors(stripped))
    album = {"id": "x", "label": None, "popularity": None, "album_group": None,
             "available_markets": None}
    assert not list(Draft202012Validator(schemas.ALBUM).iter_errors(album))
