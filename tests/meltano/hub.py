"""A stand-in for Meltano Hub on 127.0.0.1, for the README's `meltano add target-jsonl`.

Meltano asks Hub two things to add a loader by name: the loaders' index (name ->
default variant -> the URL of its definition), then that definition. This answers both
for target-jsonl, whose definition is the one this repository's meltano.yml holds (the
package and settings Hub's default variant, andyh1203, has); anything else is a 404.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import yaml

from tests.meltano.helpers import REPO_ROOT

API = "/meltano/api/v1/plugins"
VARIANT = "andyh1203"


def loader_definition(name: str) -> dict:
    """A loader of this repository's meltano.yml, as Hub serves a definition."""
    project = yaml.safe_load((REPO_ROOT / "meltano.yml").read_text())
    (plugin,) = [p for p in project["plugins"]["loaders"] if p["name"] == name]
    return {**plugin, "variant": VARIANT}


@contextmanager
def stand_in_hub() -> Iterator[str]:
    """The Hub URL to give Meltano (MELTANO_HUB_URL) while the block runs."""
    definition = loader_definition("target-jsonl")
    answers: dict[str, dict] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = answers.get(self.path)
            data = json.dumps(body).encode() if body is not None else b"{}"
            self.send_response(200 if body is not None else 404)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    url = f"http://127.0.0.1:{server.server_address[1]}"
    ref = f"{API}/loaders/target-jsonl--{VARIANT}"
    answers[f"{API}/loaders/index"] = {"target-jsonl": {
        "default_variant": VARIANT, "logo_url": None,
        "variants": {VARIANT: {"ref": url + ref}}}}
    answers[ref] = definition
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield url
    finally:
        server.shutdown()
        server.server_close()
