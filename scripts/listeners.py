"""The listeners of a household in one warehouse (README, "A household in one warehouse").

Each listener is a Meltano plugin of their own, `tap-spotify--<name>`, inheriting
`tap-spotify--household` (meltano.yml), with their own refresh token, settings and state,
and a task in every job that loads the catalog (`tap-spotify--catalog <loader>`), just
before the models:

    python scripts/listeners.py add alice --time-zone Europe/Madrid
    meltano invoke tap-spotify--alice:login          # alice signs in once
    python scripts/listeners.py list                  # who, and when each must log in again
    python scripts/listeners.py remove alice          # out of the jobs and the project

It only runs `meltano` commands (add, config set/unset, job set, remove) in the project
folder (the current one, or --project), so it works wherever Meltano does, and the
project stays what Meltano says it is. Removing a listener keeps their rows in the
warehouse and their state in Meltano's system database.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import shutil
import subprocess
import sys
import zoneinfo
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tap_spotify.spotify import authorization_ends  # standard library only

PREFIX = "tap-spotify--"
TEMPLATE = "tap-spotify--household"
CATALOG = "tap-spotify--catalog"
#: Plugin names the household itself uses.
RESERVED = {TEMPLATE.removeprefix(PREFIX), CATALOG.removeprefix(PREFIX)}
NAME = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")


class Failed(Exception):
    """What went wrong, as one line for the user."""


def meltano_executable() -> str:
    """The `meltano` beside this Python (a virtualenv's), else the one on PATH."""
    beside = Path(sys.executable).with_name("meltano")
    found = str(beside) if beside.exists() else shutil.which("meltano")
    if found is None:
        raise Failed("meltano is not installed here: pip install meltano, or run this "
                     "script with the Python of the virtualenv that has it.")
    return found


@dataclass
class Project:
    """A Meltano project folder, changed only through `meltano` commands."""

    root: Path
    meltano: str
    echo: bool = True

    def run(self, *args: str) -> str:
        """Run `meltano ARGS` in the project; its stdout, or Failed with its last words."""
        if self.echo:
            print("$ meltano " + " ".join(quote(arg) for arg in args), flush=True)
        proc = subprocess.run([self.meltano, *args], cwd=self.root, capture_output=True,
                              text=True, stdin=subprocess.DEVNULL, check=False)
        if proc.returncode != 0:
            said = [line for line in (proc.stderr + proc.stdout).splitlines() if line.strip()]
            raise Failed(f"`meltano {' '.join(args)}` failed (exit {proc.returncode}): "
                         + " / ".join(said[-3:]))
        return proc.stdout

    def extractors(self) -> dict[str, dict]:
        """The extractors of meltano.yml, by name (read only: Meltano writes it)."""
        path = self.root / "meltano.yml"
        if not path.is_file():
            raise Failed(f"{self.root} is not a Meltano project (no meltano.yml): run this in "
                         "the project's folder, or pass --project.")
        project = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        plugins = (project.get("plugins") or {}).get("extractors") or []
        return {plugin["name"]: plugin for plugin in plugins if "name" in plugin}

    def listeners(self) -> list[str]:
        """The names of the listeners: plugins inheriting the household's template."""
        return [name.removeprefix(PREFIX) for name, plugin in self.extractors().items()
                if plugin.get("inherit_from") == TEMPLATE]

    def jobs(self) -> dict[str, list]:
        listed = json.loads(self.run("job", "list", "--format", "json"))
        return {job["job_name"]: job["tasks"] for job in listed.get("jobs", [])}

    def set_job(self, name: str, tasks: list) -> None:
        self.run("job", "set", name, "--tasks", json.dumps(tasks))

    def config(self, plugin: str) -> dict:
        """A plugin's settings as Meltano resolves them (secrets shown as `*****`)."""
        out = self.run("config", "print", plugin)
        return json.loads(out[out.index("{"):])


def quote(arg: str) -> str:
    return arg if re.fullmatch(r"[\w@%+=:,./-]+", arg) else "'" + arg.replace("'", "'\\''") + "'"


def plugin_of(name: str) -> str:
    return PREFIX + name


def task_plugins(task: str | list) -> list[str]:
    """The plugins a job task runs: `tap-spotify--alice target-duckdb` -> both names."""
    if isinstance(task, list):
        return [plugin for part in task for plugin in task_plugins(part)]
    return [word.split(":", 1)[0] for word in task.split()]


def with_listener(tasks: list, plugin: str) -> list | None:
    """The tasks of a job that loads the catalog, with the listener's own task after the
    last extractor of the household (so before the models); None for other jobs."""
    catalog = [task for task in tasks if isinstance(task, str) and task.split()[0] == CATALOG]
    if not catalog:
        return None
    loaders = catalog[0].split()[1:]
    last = max(index for index, task in enumerate(tasks) if isinstance(task, str)
               and task.split()[0].startswith(PREFIX))
    return [*tasks[:last + 1], " ".join([plugin, *loaders]), *tasks[last + 1:]]


def check_name(name: str) -> None:
    if not NAME.fullmatch(name):
        raise Failed(f"{name!r} cannot name a listener: use lower-case letters, digits and "
                     "single hyphens (alice, bob-2).")
    if name in RESERVED:
        raise Failed(f"{name!r} is the household's own plugin ({plugin_of(name)}): choose "
                     "another name.")


def history_path(value: str) -> str:
    """A download path as the tap will read it from the project folder: absolute, and
    there; a JSON list of paths is passed on as it is."""
    if value.lstrip().startswith("["):
        return value
    path = Path(value).expanduser().resolve()
    if not path.exists():
        raise Failed(f"--streaming-history-path {value}: no such file or folder.")
    return str(path)


def add(project: Project, name: str, time_zone: str | None, listener_id: str | None,
        streaming_history_path: str | None) -> None:
    check_name(name)
    plugin = plugin_of(name)
    extractors = project.extractors()
    if TEMPLATE not in extractors:
        raise Failed(f"this project has no {TEMPLATE} plugin, the listeners' template: "
                     "copy it, tap-spotify--catalog and the household jobs from "
                     "tap-spotify's meltano.yml.")
    if plugin in extractors:
        raise Failed(f"{name} is already in this project ({plugin}).")
    if time_zone is not None:
        try:
            zoneinfo.ZoneInfo(time_zone)
        except (ValueError, zoneinfo.ZoneInfoNotFoundError):
            raise Failed(f"--time-zone {time_zone}: not an IANA time zone name such as "
                         "Europe/Madrid, America/New_York or UTC.") from None
    settings = {"time_zone": time_zone, "listener_id": listener_id,
                "streaming_history_path": (history_path(streaming_history_path)
                                           if streaming_history_path else None)}

    project.run("add", "--plugin-type", "extractor", plugin, "--inherit-from", TEMPLATE)
    for setting, value in settings.items():
        if value is not None:
            project.run("config", "set", plugin, setting, value)
    joined = []
    for job, tasks in project.jobs().items():
        changed = with_listener(tasks, plugin)
        if changed is not None:
            project.set_job(job, changed)
            joined.append(job)

    print(f"\nAdded {name} as {plugin}"
          + (f", in the jobs {', '.join(joined)}." if joined else
             f". No job loads {CATALOG}: run `meltano run {plugin} <loader>` yourself."))
    print(f"Next, {name} signs in to Spotify once: meltano invoke {plugin}:login")


def remove(project: Project, name: str) -> None:
    plugin = plugin_of(name)
    if name not in project.listeners():
        raise Failed(f"{name} is not a listener of this project (no {plugin} inheriting "
                     f"{TEMPLATE}); `python scripts/listeners.py list` shows who is.")
    left = []
    for job, tasks in project.jobs().items():
        kept = [task for task in tasks if plugin not in task_plugins(task)]
        if kept != tasks:
            project.set_job(job, kept)
            left.append(job)
    for setting in ("refresh_token", "refresh_token_date"):  # their lines in .env
        project.run("config", "unset", plugin, setting)
    project.run("remove", "--plugin-type", "extractor", plugin)
    print(f"\nRemoved {name} ({plugin}) from the project"
          + (f" and the jobs {', '.join(left)}" if left else "")
          + ". Their rows stay in the warehouse, and their state in Meltano's system "
          f"database (`meltano state list '*{plugin}-to-*'`).")


@dataclass
class Row:
    """What `list` says of one listener."""

    name: str
    plugin: str
    listener_id: str
    time_zone: str
    authorized_on: str | None
    must_log_in_by: str | None
    jobs: list[str]


def rows(project: Project) -> list[Row]:
    names = project.listeners()
    jobs = project.jobs() if names else {}
    with ThreadPoolExecutor(max_workers=4) as pool:  # a Meltano start-up each: overlap them
        configs = list(pool.map(project.config, map(plugin_of, names)))
    found = []
    for name, config in zip(names, configs, strict=True):
        plugin = plugin_of(name)
        logged_in = bool(config.get("refresh_token"))
        consented = config.get("refresh_token_date") if logged_in else None
        ends = (authorization_ends(dt.date.fromisoformat(consented)).isoformat()
                if consented else None)
        found.append(Row(
            name=name, plugin=plugin,
            listener_id=config.get("listener_id") or "(their Spotify account)",
            time_zone=config.get("time_zone") or "UTC",
            authorized_on=consented, must_log_in_by=ends,
            jobs=[job for job, tasks in jobs.items()
                  if any(plugin in task_plugins(task) for task in tasks)]))
    return found


def show(found: Sequence[Row], today: dt.date) -> None:
    if not found:
        print("No listeners yet: python scripts/listeners.py add NAME --time-zone ZONE")
        return
    header = ("listener", "plugin", "listener_id", "time zone", "authorized on",
              "must log in again by", "jobs")
    table = [header]
    for row in found:
        if row.must_log_in_by is None:
            deadline = f"not logged in: meltano invoke {row.plugin}:login"
        else:
            left = (dt.date.fromisoformat(row.must_log_in_by) - today).days
            deadline = row.must_log_in_by + (f" (in {left} days)" if left >= 0 else
                                              " (ended: log in again)")
        table.append((row.name, row.plugin, row.listener_id, row.time_zone,
                      row.authorized_on or "-", deadline, ", ".join(row.jobs) or "-"))
    widths = [max(len(line[column]) for line in table) for column in range(len(header))]
    for line in table:
        cells = (cell.ljust(width) for cell, width in zip(line, widths, strict=True))
        print("  ".join(cells).rstrip())


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(
        prog="listeners.py", description="Add, remove and list the listeners of a "
        "household: one Meltano plugin each (tap-spotify--NAME).")
    main.add_argument("--project", type=Path, default=Path.cwd(),
                      help="the Meltano project's folder (default: the current one)")
    commands = main.add_subparsers(dest="command", required=True)
    add_command = commands.add_parser(
        "add", help="add a listener: their plugin, settings and task in the household jobs")
    add_command.add_argument("name", help="lower-case letters, digits and hyphens: alice")
    add_command.add_argument("--time-zone", help="IANA name such as Europe/Madrid (default: "
                             "tap-spotify's time_zone, else UTC)")
    add_command.add_argument("--listener-id", help="their key in the warehouse (default: "
                             "their Spotify account's id)")
    add_command.add_argument("--streaming-history-path", help="their downloaded listening "
                             "history: the .zip, its folder, or a JSON list of paths")
    remove_command = commands.add_parser(
        "remove", help="take a listener out of the jobs and the project (rows stay)")
    remove_command.add_argument("name")
    list_command = commands.add_parser(
        "list", help="every listener, and by when each must log in again")
    list_command.add_argument("--format", choices=("text", "json"), default="text")
    return main


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        project = Project(args.project.resolve(), meltano_executable(),
                          echo=args.command != "list")
        if args.command == "add":
            add(project, args.name, args.time_zone, args.listener_id,
                args.streaming_history_path)
        elif args.command == "remove":
            remove(project, args.name)
        elif args.format == "json":
            print(json.dumps([row.__dict__ for row in rows(project)], indent=2))
        else:
            show(rows(project), dt.datetime.now(dt.timezone.utc).date())
    except Failed as exc:
        print(f"listeners.py: error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
