"""What the comparison clients share: their command line and their output format."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from typing import IO, Any


def write(out: IO[str], stream: str, record: dict[str, Any]) -> None:
    """One JSON line per record, tagged with its stream."""
    out.write(json.dumps({"stream": stream, "record": record}) + "\n")


def main(description: str, run: Callable[[argparse.Namespace, IO[str]], int],
         argv: Sequence[str] | None = None,
         extra: Callable[[argparse.ArgumentParser], object] | None = None) -> int:
    """Parse the emulator's URLs and credentials, run the client, report the count."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--api-url", required=True, help="e.g. http://127.0.0.1:PORT/v1")
    parser.add_argument("--token-url", required=True)
    parser.add_argument("--client-id", default="emulator-client")
    parser.add_argument("--client-secret", default="emulator-secret")
    parser.add_argument("--out", required=True, help="JSON lines file to write")
    if extra is not None:
        extra(parser)
    args = parser.parse_args(argv)
    with open(args.out, "w", encoding="utf-8") as out:
        written = run(args, out)
    print(f"{written} records", file=sys.stderr)
    return 0
