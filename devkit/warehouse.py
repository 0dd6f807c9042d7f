"""Loading a warehouse the way a user's pipeline does, minus Meltano's bookkeeping: the
real tap (a subprocess, over HTTP to the emulator) writes Singer messages, the real
target-duckdb or target-postgres (the virtualenvs `meltano install` made) loads them,
configured with the settings meltano.yml gives them; then dbt from the project's dbt
utility. Also reading tables back from either database.

    tap = run_tap(settings, folder, streams={"new_releases", "albums"})
    DuckDB(path).load(tap, plugins)            # schema spotify
    DuckDB(path).dbt(plugins, "build")         # schema analytics
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import decimal
import json
import os
import subprocess
import sys
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
TRANSFORM = ROOT / "transform"
SOURCE_SCHEMA = "spotify"
MODEL_SCHEMA = "analytics"
#: Streams of the public catalog, of a listener's own data, and of the download.
CATALOG_STREAMS = ("new_releases", "albums", "album_tracks")
USER_STREAMS = ("listeners", "me", "recently_played", "top_tracks", "top_artists",
                "saved_tracks", "saved_albums", "followed_artists", "playlists",
                "playlist_items")
HISTORY_STREAMS = ("listeners", "streaming_history", "streaming_history_account")


class CommandFailed(AssertionError):
    pass


def clean_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """This environment without what could steer the plugins from a developer's shell."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("TAP_SPOTIFY", "TARGET_", "MELTANO_", "DBT_"))
           and k not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME")}
    env.update(NO_COLOR="1", PYTHONUNBUFFERED="1", **(extra or {}))
    return env


def run(args: Sequence[str], *, stdin: Path | None = None, stdout: Path | None = None,
        env: Mapping[str, str] | None = None, cwd: Path = ROOT,
        timeout: float = 900) -> str:
    """Run a command; its output (stderr, and stdout unless redirected); raise on failure."""
    with (open(stdin, "rb") if stdin else open(os.devnull, "rb")) as fin, \
         (open(stdout, "wb") if stdout else open(os.devnull, "wb")) as fout:
        proc = subprocess.run(list(args), stdin=fin,
                              stdout=fout if stdout else subprocess.PIPE,
                              stderr=subprocess.PIPE, env=clean_env(env), cwd=cwd,
                              timeout=timeout, check=False)
    text = (proc.stdout or b"").decode(errors="replace") + proc.stderr.decode(errors="replace")
    if proc.returncode != 0:
        tail = "\n".join(text.splitlines()[-60:])
        raise CommandFailed(f"{' '.join(map(str, args))} exited {proc.returncode}:\n{tail}")
    return text


# --------------------------------------------------------------------------- the tap
def run_tap(settings: Mapping[str, Any], folder: Path,
            streams: Collection[str] | None = None) -> Path:
    """`tap-spotify --config` with these settings, only `streams` selected (default:
    all); its Singer messages in a file."""
    folder.mkdir(parents=True, exist_ok=True)
    config = folder / "tap-config.json"
    config.write_text(json.dumps(dict(settings)))
    tap = [sys.executable, "-m", "tap_spotify", "--config", str(config)]
    args = list(tap)
    if streams is not None:
        catalog = json.loads(_discover(tap))
        for stream in catalog["streams"]:
            for entry in stream["metadata"]:
                if entry["breadcrumb"] == []:
                    entry["metadata"]["selected"] = stream["tap_stream_id"] in streams
        (folder / "catalog.json").write_text(json.dumps(catalog))
        args += ["--catalog", str(folder / "catalog.json")]
    out = folder / "tap-output.jsonl"
    run(args, stdout=out)
    return out


def _discover(tap: Sequence[str]) -> str:
    proc = subprocess.run([*tap, "--discover"], capture_output=True, text=True,
                          env=clean_env(), cwd=ROOT, timeout=300, check=False)
    if proc.returncode != 0:
        raise CommandFailed(f"--discover exited {proc.returncode}:\n{proc.stderr[-3000:]}")
    return proc.stdout


def records_per_stream(messages: Path) -> dict[str, int]:
    counts: dict[str, int] = {}
    with messages.open() as fh:
        for line in fh:
            if line.startswith('{"type":"RECORD"') or '"type": "RECORD"' in line[:30]:
                stream = json.loads(line)["stream"]
                counts[stream] = counts.get(stream, 0) + 1
    return counts


# ---------------------------------------------------------------------- the plugins
@dataclass(frozen=True)
class Plugins:
    """The virtualenvs `meltano install` made in a Meltano project."""

    project: Path

    def executable(self, kind: str, name: str, executable: str) -> Path:
        path = self.project / ".meltano" / kind / name / "venv" / "bin" / executable
        if not path.exists():
            raise FileNotFoundError(f"{path}: run `meltano install {name}` first")
        return path

    def settings(self, kind: str, name: str) -> dict[str, Any]:
        """A plugin's default setting values from the project's meltano.yml."""
        plugins = yaml.safe_load((self.project / "meltano.yml").read_text())["plugins"]
        plugin = next(p for p in plugins[kind] if p["name"] == name)
        return {s["name"]: s["value"] for s in plugin.get("settings", []) if "value" in s}


# ------------------------------------------------------------------------ databases
def _plain(value: Any) -> Any:
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat(sep=" ") if isinstance(value, dt.datetime) else value.isoformat()
    return value


class Warehouse:
    """One warehouse: load Singer messages into it, run dbt on it, read it."""

    target: str  # the dbt profile's output and the loader's name
    loader: str

    def load(self, messages: Path, plugins: Plugins) -> str:
        config = {**plugins.settings("loaders", self.loader), **self.loader_config()}
        path = messages.with_name(f"{self.loader}-config.json")
        path.write_text(json.dumps(config))
        exe = plugins.executable("loaders", self.loader, self.loader)
        return run([str(exe), "--config", str(path)], stdin=messages)

    def dbt(self, plugins: Plugins, *args: str, project_dir: Path = TRANSFORM,
            work_dir: Path | None = None) -> str:
        """A dbt command on this warehouse; `work_dir` takes dbt's target/ and logs/
        (default: the project's own)."""
        exe = plugins.executable("utilities", f"dbt-{self.target}", "dbt")
        env = {**self.dbt_env(), "DBT_TARGET": self.target,
               "DBT_SOURCE_SCHEMA": SOURCE_SCHEMA, "DBT_TARGET_SCHEMA": MODEL_SCHEMA}
        if work_dir is not None:
            env.update(DBT_TARGET_PATH=str(work_dir / "target"),
                       DBT_LOG_PATH=str(work_dir / "logs"))
        return run([str(exe), *args, "--project-dir", str(project_dir),
                    "--profiles-dir", str(project_dir)], env=env, cwd=project_dir)

    def loader_config(self) -> dict[str, Any]:
        raise NotImplementedError

    def dbt_env(self) -> dict[str, str]:
        raise NotImplementedError

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        return [tuple(r) for r in self.queries({"q": sql})["q"]]

    def queries(self, named: Mapping[str, str]) -> dict[str, list[tuple[Any, ...]]]:
        raise NotImplementedError

    def tables(self, schema: str) -> set[str]:
        return {r[0] for r in self.query(
            "select table_name from information_schema.tables "
            f"where table_schema = '{schema}'")}


@dataclass
class DuckDB(Warehouse):
    path: Path
    target = "duckdb"
    loader = "target-duckdb"

    def loader_config(self) -> dict[str, Any]:
        return {"path": str(self.path), "default_target_schema": SOURCE_SCHEMA}

    def dbt_env(self) -> dict[str, str]:
        return {"DBT_DUCKDB_PATH": str(self.path)}

    def queries(self, named: Mapping[str, str]) -> dict[str, list[tuple[Any, ...]]]:
        import duckdb

        with duckdb.connect(str(self.path), read_only=True) as con:
            return {k: [tuple(map(_plain, r)) for r in con.execute(q).fetchall()]
                    for k, q in named.items()}


#: Runs with the loader's Python (it has psycopg): named queries in, JSON rows out.
_PG_QUERY = """
import datetime, decimal, json, sys, psycopg
def plain(v):
    if isinstance(v, decimal.Decimal): return float(v)
    if isinstance(v, datetime.datetime): return v.isoformat(sep=" ")
    return v.isoformat()
with psycopg.connect(sys.argv[1], autocommit=True) as con:
    out = {}
    for k, q in json.loads(sys.stdin.read()).items():
        cur = con.execute(q)
        out[k] = [list(r) for r in cur.fetchall()] if cur.description else []
print(json.dumps(out, default=plain))
"""


@dataclass
class Postgres(Warehouse):
    host: str
    port: int
    user: str
    password: str
    database: str
    plugins: Plugins
    target = "postgres"
    loader = "target-postgres"

    def loader_config(self) -> dict[str, Any]:
        return {"host": self.host, "port": self.port, "user": self.user,
                "password": self.password, "database": self.database,
                "default_target_schema": SOURCE_SCHEMA}

    def dbt_env(self) -> dict[str, str]:
        return {"DBT_POSTGRES_HOST": self.host, "DBT_POSTGRES_PORT": str(self.port),
                "DBT_POSTGRES_USER": self.user, "DBT_POSTGRES_PASSWORD": self.password,
                "DBT_POSTGRES_DATABASE": self.database}

    @property
    def conninfo(self) -> str:
        return (f"host={self.host} port={self.port} user={self.user} "
                f"password={self.password} dbname={self.database}")

    def create(self) -> Postgres:
        """Creates this database (connecting to the server's `postgres` database)."""
        admin = dataclasses.replace(self, database="postgres")
        admin.queries({}, setup=f'create database "{self.database}"')
        return self

    def queries(self, named: Mapping[str, str],
                setup: str | None = None) -> dict[str, list[tuple[Any, ...]]]:
        python = self.plugins.executable("loaders", self.loader, "python")
        named = {"__setup__": setup, **named} if setup else named
        proc = subprocess.run([str(python), "-c", _PG_QUERY, self.conninfo],
                              input=json.dumps(dict(named)), capture_output=True, text=True,
                              env=clean_env(), timeout=300, check=False)
        if proc.returncode != 0:
            raise CommandFailed(f"query failed:\n{proc.stderr[-3000:]}")
        return {k: [tuple(r) for r in rows] for k, rows in json.loads(proc.stdout).items()
                if k != "__setup__"}
