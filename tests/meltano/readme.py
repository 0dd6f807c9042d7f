"""The README's Meltano commands as a user types them: the fenced blocks tagged for the
tests (```` ```bash meltano-new-project ````), their placeholders filled in, and a
shell that runs them one line at a time, playing the browser at each login."""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from tests.login.helpers import play_browser
from tests.meltano.helpers import MELTANO, REPO_ROOT, base_env

#: A fenced block whose info string is `bash TAG`.
FENCE = re.compile(r"^```bash (?P<tag>[\w-]+)\n(?P<body>.*?)^```$", re.M | re.S)
#: What a user replaces before running a command: placeholders left over are a bug.
PLACEHOLDER = re.compile(r"/path/to/|YOUR_[A-Z_]+")


def readme_block(tag: str) -> str:
    """The README's one block tagged `tag`."""
    found = [m["body"] for m in FENCE.finditer((REPO_ROOT / "README.md").read_text())
             if m["tag"] == tag]
    assert len(found) == 1, f"README.md: {len(found)} blocks tagged `bash {tag}`, not one"
    return found[0]


def readme_commands(tag: str, fill: Mapping[str, str] | None = None) -> list[str]:
    """The commands of a tagged block, one a line, with the placeholders in `fill`
    replaced (each must be there: the test follows the README, not the other way)."""
    text = readme_block(tag)
    for placeholder, value in (fill or {}).items():
        assert placeholder in text, f"README block {tag}: no {placeholder} any more"
        text = text.replace(placeholder, value)
    commands = [line for line in text.splitlines()
                if line.strip() and not line.lstrip().startswith("#")]
    left = [line for line in commands if PLACEHOLDER.search(line)]
    assert not left, f"README block {tag}: placeholders the test does not fill: {left}"
    return commands


def user_env(**extra: str) -> dict[str, str]:
    """A user's shell: Meltano and this Python on PATH (the virtualenv activated), no
    TAP_SPOTIFY_*/MELTANO_* from the developer's, and a browser that opens nothing:
    the test plays the browser itself, with the URL login prints."""
    env = base_env()
    env["PATH"] = f"{Path(MELTANO or 'meltano').parent}{os.pathsep}{env.get('PATH', '')}"
    env["BROWSER"] = "true"  # webbrowser runs `true URL`: a browser that opened nothing
    env.update(extra)
    return env


@dataclass
class Shell:
    """Runs commands as `bash -c` lines in a folder that `cd` lines change; a line that
    logs in is answered like a browser: `before_login(line)` (who is signed in to
    Spotify), then the consent the printed URL leads to."""

    cwd: Path
    env: dict[str, str] = field(default_factory=user_env)
    before_login: Callable[[str], None] = lambda line: None
    log: list[str] = field(default_factory=list)

    def __call__(self, line: str, *, timeout: float = 600) -> subprocess.CompletedProcess[str]:
        if line.startswith("cd "):
            self.cwd = (self.cwd / line[3:].strip()).resolve()
            return subprocess.CompletedProcess(line, 0, "", "")
        if re.search(r"\bmeltano invoke \S+:login\b", line):
            return self.login(line)
        proc = subprocess.run(["bash", "-c", line], cwd=self.cwd, env=self.env,
                              stdin=subprocess.DEVNULL, capture_output=True, text=True,
                              timeout=timeout, check=False)
        return self.checked(line, proc)

    def login(self, line: str) -> subprocess.CompletedProcess[str]:
        self.before_login(line)
        proc = subprocess.Popen(["bash", "-c", line], cwd=self.cwd, env=self.env,
                                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        try:
            assert proc.stdout is not None
            url = proc.stdout.readline().strip()  # login's first line: the URL to open
            if url.startswith("http"):
                play_browser(url)
            out, err = proc.communicate(timeout=120)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
        return self.checked(line, subprocess.CompletedProcess(line, proc.returncode,
                                                              url + "\n" + out, err))

    def checked(self, line: str, proc: subprocess.CompletedProcess[str],
                ) -> subprocess.CompletedProcess[str]:
        self.log.append(f"$ {line}  (exit {proc.returncode})\n{proc.stdout}{proc.stderr}")
        if proc.returncode != 0:
            tail = "\n".join((proc.stdout + proc.stderr).splitlines()[-40:])
            raise AssertionError(f"`{line}` exited {proc.returncode} in {self.cwd}:\n{tail}")
        return proc
