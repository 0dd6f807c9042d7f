"""Helpers of the end-to-end Meltano tests: running meltano, reading what the loaders
wrote, what the emulator's catalog says they must hold, a throwaway PostgreSQL."""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from spotify_emulator import EmulatorServer

REPO_ROOT = Path(__file__).resolve().parents[2]
STREAMS = ("new_releases", "albums", "album_tracks")
CLIENT_ID = "emulator-client"
CLIENT_SECRET = "emulator-secret"
#: New releases in the emulator's catalog: its generator guarantees albums of
#: 1, 50, 51 and 120 tracks (page boundaries) among them.
NEW_RELEASES = 250


def _meltano_executable() -> str | None:
    beside = Path(sys.executable).with_name("meltano")
    if beside.exists():
        return str(beside)
    return shutil.which("meltano")


MELTANO = _meltano_executable()


def base_env() -> dict[str, str]:
    """This process's environment without anything that could steer the plugins from
    the developer's shell (TAP_SPOTIFY_*, TARGET_*, MELTANO_*, an active venv)."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("TAP_SPOTIFY", "TARGET_", "MELTANO_"))
        and key not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME")
    }
    env.update(
        # Meltano Hub is out of reach on purpose (a closed port): the project and the
        # plugin definition must work without it.
        MELTANO_HUB_URL="http://127.0.0.1:9/meltano-hub",
        MELTANO_SEND_ANONYMOUS_USAGE_STATS="false",
        NO_COLOR="1",
        PYTHONUNBUFFERED="1",
    )
    return env


def project_meltano_yml(pip_url: str) -> str:
    """The repository's meltano.yml, with the tap's `pip_url: -e .` (relative to the
    repository) turned into an absolute one, so the project can live anywhere."""
    text = (REPO_ROOT / "meltano.yml").read_text()
    assert "    pip_url: -e .\n" in text, "meltano.yml: tap-spotify's pip_url is no longer `-e .`"
    return text.replace("    pip_url: -e .\n", f"    pip_url: {pip_url}\n", 1)


class MeltanoError(AssertionError):
    pass


#: A line Meltano logs on stderr: time, [level], who (meltano or a plugin), message.
LOG_LINE = re.compile(r"^\S+ \[(?P<level>\w+)\s*\] (?P<who>\S+)\s+(?P<message>.*)$")
#: Meltano's own warning on a pipeline's first run (no bookmark yet): nothing to act on,
#: and the README says so.
FIRST_RUN = "No state was found, complete import."


def logged(stderr: str) -> list[tuple[str, str, str]]:
    """(level, who, message) of every line Meltano logged."""
    return [(m["level"], m["who"], m["message"]) for m in map(LOG_LINE.match,
                                                               stderr.splitlines()) if m]


def surprises(stderr: str) -> list[str]:
    """Warnings and errors of a run that went well, but Meltano's first-run notice."""
    return [f"[{level}] {who} {message}" for level, who, message in logged(stderr)
            if level in ("warning", "error", "critical") and message != FIRST_RUN]


@dataclass
class Meltano:
    """Runs `meltano` commands in one project folder."""

    root: Path
    env: dict[str, str] = field(default_factory=base_env)

    def __call__(
        self,
        *args: str,
        env: Mapping[str, str] | None = None,
        check: bool = True,
        timeout: float = 400,
        warnings_ok: bool = False,
    ) -> subprocess.CompletedProcess[str]:
        """`meltano ARGS`; with `check`, a failure raises, and so does a warning of a
        `meltano run` that succeeded (a user could not act on it), unless `warnings_ok`."""
        assert MELTANO is not None
        started = time.monotonic()
        proc = subprocess.run(
            [MELTANO, *args],
            cwd=self.root,
            env={**self.env, **(env or {})},
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        elapsed = time.monotonic() - started
        log = self.root / "meltano-commands.log"
        with log.open("a") as fh:
            fh.write(f"\n$ meltano {' '.join(args)}  (exit {proc.returncode}, {elapsed:.1f}s)\n")
            fh.write(proc.stdout)
            fh.write(proc.stderr)
        if check and proc.returncode != 0:
            tail = "\n".join((proc.stdout + proc.stderr).splitlines()[-60:])
            raise MeltanoError(
                f"`meltano {' '.join(args)}` exited {proc.returncode} in {self.root}:\n{tail}"
            )
        if check and args[:1] == ("run",) and not warnings_ok:
            said = surprises(proc.stderr)
            assert not said, f"`meltano {' '.join(args)}` warned:\n" + "\n".join(said)
        return proc

    def yaml(self) -> dict[str, Any]:
        return yaml.safe_load((self.root / "meltano.yml").read_text())

    def state(self, state_id: str = "dev:tap-spotify-to-target-jsonl") -> dict[str, Any]:
        """`meltano state get`, parsed."""
        out = self("state", "get", state_id).stdout
        return json.loads(out[out.index("{"):])

    def plugin_python(self, plugin_type: str, name: str) -> Path:
        """The Python of a plugin's virtualenv (e.g. to query with the loader's driver)."""
        return self.root / ".meltano" / plugin_type / name / "venv" / "bin" / "python"


# --------------------------------------------------------------------- emulator
def tap_env(emu: EmulatorServer) -> dict[str, str]:
    """Points tap-spotify at the emulator, the way a user sets it up: environment."""
    return {
        "TAP_SPOTIFY_API_URL": emu.api_url,
        "TAP_SPOTIFY_AUTH_URL": emu.token_url,
        "TAP_SPOTIFY_CLIENT_ID": CLIENT_ID,
        "TAP_SPOTIFY_CLIENT_SECRET": CLIENT_SECRET,
    }


@dataclass
class Expected:
    """What a full sync of the emulator's new releases must give."""

    listed: list[str]
    albums: list[str]
    tracks: dict[str, str]  # track id -> album id
    track_names: dict[str, str]
    total_tracks: dict[str, int]


def expected_from(emu: EmulatorServer, album_ids: Sequence[str] | None = None) -> Expected:
    """Expected records, from the emulator's catalog model (all listed albums, or some)."""
    catalog = emu.backend.catalog
    listed = list(catalog.new_release_ids if album_ids is None else album_ids)
    albums = [a for a in (catalog.get(i) for i in listed) if a is not None]
    tracks = {t.id: a.id for a in albums for t in a.tracks}
    assert len(tracks) == sum(a.total_tracks for a in albums), "emulator reuses a track id"
    return Expected(
        listed=listed,
        albums=[a.id for a in albums],
        tracks=tracks,
        track_names={t.id: t.name for a in albums for t in a.tracks},
        total_tracks={a.id: a.total_tracks for a in albums},
    )


# ------------------------------------------------------------------ JSONL output
def read_jsonl(folder: Path) -> dict[str, list[dict[str, Any]]]:
    """Records per stream from target-jsonl's <stream>.jsonl files (missing file: none)."""
    out: dict[str, list[dict[str, Any]]] = {}
    for stream in STREAMS:
        path = folder / f"{stream}.jsonl"
        lines = path.read_text().splitlines() if path.exists() else []
        out[stream] = [json.loads(line) for line in lines if line.strip()]
    return out


def assert_exactly(records: dict[str, list[dict[str, Any]]], expected: Expected) -> None:
    """Every album once in new_releases and albums, every track once with its album_id."""
    for stream, want in (("new_releases", expected.listed), ("albums", expected.albums)):
        ids = Counter(r["id"] for r in records[stream])
        dupes = {i: n for i, n in ids.items() if n > 1}
        assert not dupes, f"{stream}: records emitted more than once: {dupes}"
        missing = set(want) - set(ids)
        extra = set(ids) - set(want)
        assert not missing and not extra, (
            f"{stream}: {len(missing)} missing {sorted(missing)[:5]}, "
            f"{len(extra)} unexpected {sorted(extra)[:5]}"
        )
    tracks = records["album_tracks"]
    ids = Counter(r["id"] for r in tracks)
    dupes = {i: n for i, n in ids.items() if n > 1}
    assert not dupes, f"album_tracks: tracks emitted more than once: {list(dupes.items())[:5]}"
    missing = set(expected.tracks) - set(ids)
    extra = set(ids) - set(expected.tracks)
    assert not missing and not extra, (
        f"album_tracks: {len(missing)} missing, {len(extra)} unexpected "
        f"(of {len(expected.tracks)} expected)"
    )
    wrong = [r["id"] for r in tracks if r.get("album_id") != expected.tracks[r["id"]]]
    assert not wrong, f"album_tracks: {len(wrong)} tracks with a wrong/missing album_id"
    per_album = Counter(r["album_id"] for r in tracks)
    short = {a: (per_album[a], n) for a, n in expected.total_tracks.items() if per_album[a] != n}
    assert not short, f"albums whose track count is off (got, want): {list(short.items())[:5]}"


# ------------------------------------------------------------------- PostgreSQL
def _pg_version(path: Path) -> tuple[int, ...]:
    try:
        return tuple(int(p) for p in path.parent.name.split("."))
    except ValueError:
        return (0,)


def find_postgres_bin() -> Path | None:
    """Folder holding initdb/postgres/pg_isready/createdb: $PG_BIN, Debian's
    /usr/lib/postgresql/<version>/bin (newest first), or the PATH."""
    candidates: list[Path] = []
    if os.environ.get("PG_BIN"):
        candidates.append(Path(os.environ["PG_BIN"]))
    candidates += sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=_pg_version, reverse=True)
    on_path = shutil.which("initdb")
    if on_path:
        candidates.append(Path(on_path).parent)
    for folder in candidates:
        if all((folder / tool).exists() for tool in ("initdb", "postgres", "pg_isready",
                                                       "createdb")):
            return folder
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


_LIBC = ctypes.CDLL(None, use_errno=True) if sys.platform.startswith("linux") else None
_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:  # runs in the child between fork and exec
    if _LIBC is not None:
        _LIBC.prctl(_PR_SET_PDEATHSIG, signal.SIGINT)


@dataclass
class PostgresServer:
    host: str
    port: int
    user: str
    password: str
    database: str
    bin_dir: Path | None = None

    def create_database(self, name: str) -> str:
        """A new, empty database on this server; its name."""
        assert self.bin_dir is not None
        created = subprocess.run(
            [str(self.bin_dir / "createdb"), "-h", self.host, "-p", str(self.port), "-U",
             self.user, name], env={**base_env(), "PGPASSWORD": self.password},
            capture_output=True, text=True, timeout=60, check=False)
        assert created.returncode == 0, f"createdb {name} failed: {created.stderr}"
        return name

    def sqlalchemy_url(self, database: str) -> str:
        """Meltano's system database there (MELTANO_DATABASE_URI): psycopg 3's dialect,
        the driver `meltano[postgres]` installs."""
        return (f"postgresql+psycopg://{self.user}:{self.password}@{self.host}:{self.port}"
                f"/{database}")

    def env(self, schema: str, database: str | None = None) -> dict[str, str]:
        """target-postgres settings as Meltano environment variables."""
        return {
            "TARGET_POSTGRES_HOST": self.host,
            "TARGET_POSTGRES_PORT": str(self.port),
            "TARGET_POSTGRES_USER": self.user,
            "TARGET_POSTGRES_PASSWORD": self.password,
            "TARGET_POSTGRES_DATABASE": database or self.database,
            "TARGET_POSTGRES_DEFAULT_TARGET_SCHEMA": schema,
        }

    @property
    def conninfo(self) -> str:
        return self.conninfo_of(self.database)

    def conninfo_of(self, database: str) -> str:
        return (f"host={self.host} port={self.port} user={self.user} "
                f"password={self.password} dbname={database}")


class PostgresUnavailable(Exception):
    """No PostgreSQL server binaries, or no user to run them as."""


def _unprivileged_user() -> dict[str, Any]:
    """Popen arguments that run a child as `postgres` (or `nobody`) when we are root:
    initdb and postgres refuse to run as root. Empty when we are not root."""
    if os.geteuid() != 0:
        return {}
    for name in ("postgres", "nobody"):
        with contextlib.suppress(KeyError):
            entry = pwd.getpwnam(name)
            return {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": []}
    raise PostgresUnavailable("running as root, and there is no unprivileged user "
                              "(postgres, nobody) to run PostgreSQL as")


@contextlib.contextmanager
def running_postgres() -> Iterator[PostgresServer]:
    """A throwaway PostgreSQL server on 127.0.0.1: free port, data folder in a new temp
    folder, database `spotify`, user `spotify` with a password (scram-sha-256 over TCP).
    Stopped (fast shutdown) and deleted on exit; should this process die first, the
    kernel sends the server SIGINT (PR_SET_PDEATHSIG), so it never outlives us."""
    bin_dir = find_postgres_bin()
    if bin_dir is None:
        raise PostgresUnavailable(
            "PostgreSQL server binaries (initdb, postgres) not found, so the target-postgres "
            "test cannot run: install them (apt-get install -y postgresql) or set PG_BIN to "
            "their folder")
    run_as = _unprivileged_user()
    # Under /tmp when we switch users: $TMPDIR may sit below a folder only root can enter.
    base = Path(tempfile.mkdtemp(prefix="tap-spotify-pg-",
                                 dir="/tmp" if run_as and Path("/tmp").is_dir() else None))
    proc: subprocess.Popen[bytes] | None = None
    try:
        password = "spotify-test-password"
        pwfile = base / "pwfile"
        pwfile.write_text(password + "\n")
        if run_as:
            os.chown(base, run_as["user"], run_as["group"])
            os.chown(pwfile, run_as["user"], run_as["group"])
        env = {**base_env(), "HOME": str(base), "LC_ALL": "C", "PGPASSWORD": password}
        data = base / "data"
        init = subprocess.run(
            [str(bin_dir / "initdb"), "-D", str(data), "-U", "spotify", f"--pwfile={pwfile}",
             "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8", "--no-locale",
             "--no-sync"],
            cwd=base, env=env, capture_output=True, text=True, timeout=120, check=False,
            **run_as,
        )
        if init.returncode != 0:
            raise RuntimeError(f"initdb failed:\n{init.stdout}\n{init.stderr}")
        log_path = base / "postgres.log"
        port = 0
        for _attempt in range(3):
            port = _free_port()
            with log_path.open("ab") as log:
                proc = subprocess.Popen(
                    [str(bin_dir / "postgres"), "-D", str(data), "-p", str(port),
                     "-c", "listen_addresses=127.0.0.1", "-c", f"unix_socket_directories={base}",
                     "-c", "fsync=off", "-c", "synchronous_commit=off",
                     "-c", "full_page_writes=off", "-c", "max_connections=50"],
                    cwd=base, env=env, stdin=subprocess.DEVNULL, stdout=log,
                    stderr=subprocess.STDOUT, preexec_fn=_die_with_parent, **run_as,
                )
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and proc.poll() is None:
                ready = subprocess.run(
                    [str(bin_dir / "pg_isready"), "-h", "127.0.0.1", "-p", str(port),
                     "-t", "1"],
                    env=env, capture_output=True, check=False, timeout=30,
                )
                if ready.returncode == 0:
                    break
                time.sleep(0.2)
            if proc.poll() is None:
                break  # up and accepting connections
        if proc is None or proc.poll() is not None:
            raise RuntimeError(f"PostgreSQL did not start:\n{log_path.read_text()[-3000:]}")
        created = subprocess.run(
            [str(bin_dir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "spotify",
             "spotify"],
            env=env, capture_output=True, text=True, timeout=60, check=False,
        )
        if created.returncode != 0:
            raise RuntimeError(f"createdb failed: {created.stderr}")
        yield PostgresServer("127.0.0.1", port, "spotify", password, "spotify", bin_dir)
    finally:
        if proc is not None and proc.poll() is None:
            proc.send_signal(signal.SIGINT)  # fast shutdown
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=30)
        shutil.rmtree(base, ignore_errors=True)


def query_json(python: Path, code: str, *args: str) -> Any:
    """Run `code` with a plugin's Python (which has the loader's database driver) and
    parse what it prints as JSON."""
    proc = subprocess.run([str(python), "-c", code, *args], capture_output=True, text=True,
                          timeout=120, check=False, env=base_env())
    assert proc.returncode == 0, f"query failed:\n{proc.stderr[-3000:]}"
    return json.loads(proc.stdout)
