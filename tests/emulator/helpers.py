"""Helpers shared by the emulator tests: tokens, sessions, OpenAPI validation, recordings."""

from __future__ import annotations

import copy
import functools
import json
import socket
from pathlib import Path
from typing import Any

import requests
import yaml
from jsonschema import Draft7Validator

from spotify_emulator import EmulatorServer

SHARED = Path(__file__).resolve().parents[1] / "fixtures" / "spotify"  # see its NOTICE.md
SPEC_PATH = SHARED / "openapi" / "spotify-web-api.fixed.yml"
RECORDINGS = SHARED / "recordings"

#: Album fields the Development Mode tier no longer receives (README, Feb 2026).
DEV_ALBUM_STRIPPED = {"album_group", "available_markets", "label", "popularity"}
DEV_TRACK_STRIPPED = {"available_markets", "linked_from", "popularity"}


def token_response(emu: EmulatorServer) -> dict[str, Any]:
    """The token endpoint's answer to the emulator's own credentials."""
    opts = emu.options
    resp = requests.post(
        emu.token_url,
        data={"grant_type": "client_credentials"},
        auth=(opts.client_id, opts.client_secret),
        timeout=5,
    )
    resp.raise_for_status()
    return dict(resp.json())


def get_token(emu: EmulatorServer) -> str:
    return str(token_response(emu)["access_token"])


def session(emu: EmulatorServer) -> requests.Session:
    """A keep-alive session already carrying a valid bearer token."""
    s = requests.Session()
    s.headers["Authorization"] = f"Bearer {get_token(emu)}"
    return s


def api(emu: EmulatorServer, s: requests.Session, path: str, **params: Any) -> requests.Response:
    return s.get(emu.api_url + path, params=params or None, timeout=5)


# ---------------------------------------------------------------- raw HTTP
def raw_request(
    emu: EmulatorServer,
    path: str,
    token: str | None = None,
    *,
    method: str = "GET",
    headers: dict[str, str] | None = None,
    timeout: float = 5,
) -> tuple[bytes, str]:
    """Send one request on a raw socket; return what arrived and how the stream ended.

    The request asks the server to close afterwards, so a complete answer ends in
    "eof"; "reset" and "timeout" tell of a broken or stalled one.
    """
    lines = [f"{method} {path} HTTP/1.1", f"Host: {emu.host}", "Connection: close"]
    if token:
        lines.append(f"Authorization: Bearer {token}")
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    with socket.create_connection((emu.host, emu.port), timeout=timeout) as sock:
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        data = b""
        try:
            while True:
                chunk = sock.recv(65536)
                if not chunk:
                    return data, "eof"
                data += chunk
        except ConnectionResetError:
            return data, "reset"
        except TimeoutError:
            return data, "timeout"


def split_response(data: bytes) -> tuple[int, dict[str, str], bytes]:
    """Status, headers (lower-case names) and body of one raw HTTP/1.1 response."""
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    return status, headers, body


# ----------------------------------------------------------------- OpenAPI
def _to_json_schema(node: Any) -> Any:
    """OpenAPI 3.0 -> JSON Schema: ``nullable: true`` becomes a null alternative."""
    if isinstance(node, list):
        return [_to_json_schema(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {k: _to_json_schema(v) for k, v in node.items()}
    if out.pop("nullable", False):
        if "type" in out:
            out["type"] = [out["type"], "null"]
        else:
            out = {"anyOf": [out, {"type": "null"}]}
    return out


@functools.lru_cache(maxsize=1)
def _spec() -> dict[str, Any]:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with SPEC_PATH.open(encoding="utf-8") as fh:
        return dict(yaml.load(fh, Loader=loader))


@functools.lru_cache(maxsize=8)
def _components(profile: str, market: bool) -> dict[str, Any]:
    """The spec's components with the documented, narrow allowances applied.

    * ``album_type`` may be ``ep``: real responses carry it (README, 2024
      capture) though the spec's enum lacks it.
    * Development profile: the stripped album fields are no longer required.
    * With ``market``: the real API drops ``available_markets`` (2017 capture),
      so it is no longer required.
    """
    comps = copy.deepcopy(_spec()["components"])
    schemas = comps["schemas"]
    enum = schemas["AlbumBase"]["properties"]["album_type"]["enum"]
    enum.append("ep")
    drop: set[str] = set()
    if profile == "development":
        drop |= DEV_ALBUM_STRIPPED
    if market:
        drop.add("available_markets")
    for name in ("AlbumBase", "AlbumObject"):
        req = schemas[name].get("required")
        if req:
            schemas[name]["required"] = [f for f in req if f not in drop]
    return dict(_to_json_schema(comps))


def validator(pointer: str, profile: str = "extended", market: bool = False) -> Draft7Validator:
    """A validator for ``#/components/...`` (e.g. ``schemas/AlbumObject``)."""
    root = {"components": _components(profile, market), "$ref": f"#/components/{pointer}"}
    return Draft7Validator(root)


def response_validator(
    name: str, profile: str = "extended", market: bool = False
) -> Draft7Validator:
    """Validator for a named response (``PagedAlbums``, ``OneAlbum``, ``SearchItems`` ...)."""
    return validator(
        f"responses/{name}/content/application~1json/schema", profile=profile, market=market
    )


def assert_valid(v: Draft7Validator, body: Any) -> None:
    errors = sorted(v.iter_errors(body), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:5])


# -------------------------------------------------------------- recordings
@functools.cache
def recording(name: str) -> Any:
    with (RECORDINGS / name).open(encoding="utf-8") as fh:
        return json.load(fh)


def recorded_body(name: str, interaction: int = 0) -> Any:
    data = recording(name)
    if "body" in data:
        return data["body"]
    return data["interactions"][interaction]["response"]["body"]
