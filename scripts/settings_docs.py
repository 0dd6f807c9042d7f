"""Writes every copy of tap-spotify's settings from `tap-spotify --about --format json`:
the settings blocks of meltano.yml and tap-spotify.yml, .env.example, and the README's
settings table. Each setting is declared once, in tap_spotify/settings.py (the SDK's
own settings come with the SDK); this writes the rest.

    python scripts/settings_docs.py           # rewrite what is stale
    python scripts/settings_docs.py --check   # only say what is stale (exit 1); tests run this
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
BEGIN = "# Generated from `tap-spotify --about` by scripts/settings_docs.py: edit"
END = "# End of the generated settings."
README_BEGIN = "<!-- settings: generated from `tap-spotify --about` by scripts/settings_docs.py -->"
README_END = "<!-- end of the generated settings -->"
#: Settings uncommented in .env.example: the ones a user must fill in.
REQUIRED = ("client_id", "client_secret")
LABEL_WORDS = {"id": "ID", "url": "URL", "api": "API"}
ENV_HEADER = """\
# tap-spotify settings as environment variables: copy to .env (git ignores it) and fill
# in your Spotify app's credentials. Meltano reads .env from the project folder, and so
# does `tap-spotify --config ENV` from its working directory. Optional settings are
# commented out: uncomment only the ones you change.
#
# Generated from `tap-spotify --about` by scripts/settings_docs.py: edit
# tap_spotify/settings.py, not this file.
"""
ENV_FOOTER = """
# Loaders (meltano.yml). target-postgres: the server to load into.
# TARGET_POSTGRES_HOST=localhost
# TARGET_POSTGRES_PORT=5432
# TARGET_POSTGRES_USER=spotify
# TARGET_POSTGRES_PASSWORD=
# TARGET_POSTGRES_DATABASE=spotify
# target-duckdb: the database file, and target-jsonl: the output folder.
# TARGET_DUCKDB_PATH=output/warehouse.duckdb
# TARGET_JSONL_DESTINATION_PATH=output
"""


def about() -> dict:
    """What `tap-spotify --about --format json` says: the one source of the settings."""
    out = subprocess.run([sys.executable, "-m", "tap_spotify", "--about", "--format", "json"],
                         capture_output=True, check=True, cwd=REPO)
    return json.loads(out.stdout)


def label(name: str) -> str:
    return " ".join(LABEL_WORDS.get(word, word.capitalize()) for word in name.split("_"))


def types_of(spec: dict) -> list[str]:
    kinds = spec.get("type", [])
    return [kinds] if isinstance(kinds, str) else list(kinds)


def meltano_kind(spec: dict) -> str:
    """Meltano's kind for a setting. A setting that takes a path or a list is a
    string to Meltano: its `array` kind refuses a plain path, and the tap reads both."""
    kinds = types_of(spec)
    if "enum" in spec:
        return "options"
    if spec.get("format") == "date":
        return "date_iso8601"
    for kind in ("string", "integer", "boolean", "object", "array"):
        if kind in kinds:
            return kind
    return "string"


def plugin_settings(settings: dict) -> list[dict]:
    """The `settings:` entries of a Meltano plugin definition."""
    entries = []
    for name, spec in settings["properties"].items():
        entry: dict = {"name": name, "label": label(name), "kind": meltano_kind(spec)}
        if spec.get("secret") or spec.get("writeOnly"):
            entry["sensitive"] = True
        if "default" in spec:
            entry["value"] = spec["default"]
        if "enum" in spec:
            entry["options"] = [{"label": v, "value": v} for v in spec["enum"] if v is not None]
        entry["description"] = " ".join(str(spec.get("description", "")).split())
        entries.append(entry)
    return entries


def settings_block(settings: dict, indent: int) -> str:
    """The generated `settings:` block with its marker comments, at `indent`."""
    body = yaml.safe_dump({"settings": plugin_settings(settings)}, sort_keys=False,
                          width=100, allow_unicode=True)
    lines = [BEGIN, "# tap_spotify/settings.py, then run it.", *body.splitlines(), END]
    return "\n".join(" " * indent + line for line in lines) + "\n"


def with_block(text: str, settings: dict, path: str) -> str:
    """`text` with its generated block (between the markers) replaced."""
    match = re.search(rf"^( *){re.escape(BEGIN)}.*?^ *{re.escape(END)}\n", text,
                      flags=re.M | re.S)
    if match is None:
        raise SystemExit(f"{path}: the markers of the generated settings are missing")
    block = settings_block(settings, len(match.group(1)))
    return text[:match.start()] + block + text[match.end():]


def env_example(settings: dict) -> str:
    parts = [ENV_HEADER]
    for name, spec in settings["properties"].items():
        description = " ".join(str(spec.get("description", "")).split())
        comment = textwrap.fill(description, 88, initial_indent="# ", subsequent_indent="# ")
        value = spec.get("default")
        shown = "" if value is None else json.dumps(value) if isinstance(
            value, (dict, list)) else str(value).lower() if isinstance(value, bool) else str(value)
        prefix = "" if name in REQUIRED else "# "
        parts.append(f"\n{comment}\n{prefix}TAP_SPOTIFY_{name.upper()}={shown}\n")
    return "".join(parts) + ENV_FOOTER


def readme_table(settings: dict) -> str:
    rows = ["| Setting | Default | What it does |", "|:--|:--|:--|"]
    for name, spec in settings["properties"].items():
        default = spec.get("default")
        shown = "" if default is None else f"`{json.dumps(default)}`" if not isinstance(
            default, str) else f"`{default}`"
        secret = " Secret." if spec.get("secret") else ""
        description = " ".join(str(spec.get("description", "")).split()).replace("|", "\\|")
        rows.append(f"| `{name}` | {shown} | {description}{secret} |")
    return "\n".join([README_BEGIN, *rows, README_END]) + "\n"


def with_table(text: str, settings: dict) -> str:
    match = re.search(rf"{re.escape(README_BEGIN)}.*?{re.escape(README_END)}\n", text, re.S)
    if match is None:
        raise SystemExit("README.md: the markers of the generated settings table are missing")
    return text[:match.start()] + readme_table(settings) + text[match.end():]


def generated(root: Path) -> dict[Path, str]:
    """Each file under `root` as it should be."""
    settings = about()["settings"]
    result = {path: with_block(path.read_text(encoding="utf-8"), settings, path.name)
              for path in (root / "meltano.yml", root / "tap-spotify.yml")}
    result[root / ".env.example"] = env_example(settings)
    readme = root / "README.md"
    result[readme] = with_table(readme.read_text(encoding="utf-8"), settings)
    return result


def extractor_settings(text: str) -> list[dict] | None:
    """The settings of tap-spotify's plugin definition in a YAML file (meltano.yml, or
    tap-spotify.yml itself), as data: Meltano rewrites the block in its own key order
    and line width whenever it saves the file, which changes nothing."""
    data = yaml.safe_load(text)
    plugins = data.get("plugins", {}).get("extractors", []) if "plugins" in data else [data]
    plugin = next((p for p in plugins if p.get("name") == "tap-spotify"), None)
    return None if plugin is None else plugin.get("settings")


def is_fresh(path: Path, text: str) -> bool:
    if not path.exists():
        return False
    current = path.read_text(encoding="utf-8")
    if path.suffix == ".yml":
        return extractor_settings(current) == extractor_settings(text)
    return current == text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="only say which files are stale (exit 1 if any)")
    parser.add_argument("--root", type=Path, default=REPO,
                        help="the folder holding the files (default: this repository)")
    args = parser.parse_args(argv)
    files = generated(args.root)
    stale = [path for path, text in files.items() if not is_fresh(path, text)]
    if args.check:
        for path in stale:
            print(f"{path.relative_to(args.root)} is stale: run python scripts/settings_docs.py")
        return 1 if stale else 0
    for path, text in files.items():
        if path in stale:
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path.relative_to(args.root)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
