"""Real git for tests: a bare remote that refuses any force push, clones of it, hooks, and a
`git daemon` on 127.0.0.1.

Every bare remote made here has `receive.denyNonFastForwards` and `receive.denyDeletes` on,
so a force push (or a branch deletion) fails loudly. Identity and configuration come from
environment variables and a HOME in tmp_path (`git_environment`), never the user's.
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

IDENTITY = {
    "GIT_AUTHOR_NAME": "Pat Promoter",
    "GIT_AUTHOR_EMAIL": "pat@example.org",
    "GIT_COMMITTER_NAME": "Pat Promoter",
    "GIT_COMMITTER_EMAIL": "pat@example.org",
}


# A git credential every git run of a test carries (RELIABILITY-MATRIX, "Sentinel secret"):
# an HTTP header given through the environment, as a CI job's token often is. It must never
# show in output, .git/config or a commit message (`assert_no_git_credential`).
GIT_SENTINEL = f"git-SENTINEL-{uuid.uuid4().hex}"


def git_environment(home: Path) -> dict[str, str]:
    """Variables for every git (and gitops-tool) run of a test: an empty HOME, no system
    config, a fixed identity, no prompts, and the sentinel credential."""
    home.mkdir(parents=True, exist_ok=True)
    return {
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_TERMINAL_PROMPT": "0",
        "GIT_CONFIG_COUNT": "1",
        "GIT_CONFIG_KEY_0": "http.extraHeader",
        "GIT_CONFIG_VALUE_0": f"Authorization: Bearer {GIT_SENTINEL}",
        **IDENTITY,
    }


def assert_no_git_credential(*repos: Path) -> None:
    """The sentinel credential is in no repository's config and no commit message."""
    for repo in repos:
        if not repo.exists():
            continue
        config = repo / "config" if (repo / "config").is_file() else repo / ".git" / "config"
        assert GIT_SENTINEL not in config.read_text(), f"{config} holds the credential"
        messages = git(repo, "log", "--all", "--format=%B", check=False)
        assert GIT_SENTINEL not in messages, f"a commit message of {repo} holds the credential"


def git(cwd: Path, *args: str, env: Mapping[str, str] | None = None, check: bool = True
        ) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=60)
    if check and done.returncode != 0:
        raise AssertionError(f"git {' '.join(args)} failed: {done.stderr}")
    return done.stdout.strip()


def bare_remote(path: Path) -> Path:
    """A bare repository on branch main that refuses non-fast-forward pushes and deletions."""
    path.parent.mkdir(parents=True, exist_ok=True)
    git(path.parent, "init", "-q", "--bare", "-b", "main", str(path))
    git(path, "config", "receive.denyNonFastForwards", "true")
    git(path, "config", "receive.denyDeletes", "true")
    return path


def seed(tree: Path, remote: Path) -> str:
    """Make `tree` a repository on main, commit everything, push it to `remote` as main."""
    git(tree, "init", "-q", "-b", "main")
    git(tree, "add", "-A")
    git(tree, "commit", "-q", "-m", "seed")
    git(tree, "remote", "add", "origin", str(remote))
    git(tree, "push", "-q", "-u", "origin", "main")
    return git(tree, "rev-parse", "HEAD")


def clone(remote: str | Path, dest: Path) -> Path:
    git(dest.parent, "clone", "-q", str(remote), str(dest))
    return dest


def head(repo: Path, ref: str = "HEAD") -> str:
    return git(repo, "rev-parse", ref)


def log(repo: Path, ref: str = "main", fmt: str = "%H %P %s") -> list[str]:
    """One line per commit (newest first)."""
    out = git(repo, "log", f"--format={fmt}", ref)
    return out.splitlines() if out else []


def messages(repo: Path, ref: str = "main") -> list[str]:
    out = git(repo, "log", "--format=%B%x1e", ref)
    return [m.strip() for m in out.split("\x1e") if m.strip()]


def hook(repo: Path, name: str, script: str, bare: bool = False) -> Path:
    """Install an executable hook (`script` is a shell script body)."""
    folder = repo / ("hooks" if bare else ".git/hooks")
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text("#!/bin/sh\n" + script)
    path.chmod(0o755)
    return path


def tree_hash(folder: Path, skip_git: bool = False) -> dict[str, str]:
    """path -> sha256 of every file under `folder` (the .git folder too, unless told)."""
    import hashlib

    found = {}
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        if skip_git and (rel == ".git" or rel.startswith(".git/")):
            continue
        if path.is_file() and not path.is_symlink():
            found[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Daemon:
    """`git daemon` on 127.0.0.1 serving a folder of bare repositories, push enabled."""

    base: Path
    port: int
    process: subprocess.Popen

    def url(self, name: str) -> str:
        return f"git://127.0.0.1:{self.port}/{name}"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@contextmanager
def git_daemon(base: Path) -> Iterator[Daemon]:
    port = free_port()
    process = subprocess.Popen(
        ["git", "daemon", "--listen=127.0.0.1", f"--port={port}", "--export-all",
         "--enable=receive-pack", "--reuseaddr", f"--base-path={base}", str(base)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    daemon = Daemon(base, port, process)
    try:
        deadline = time.monotonic() + 20
        while True:  # wait until it accepts connections (not a timed assertion: a bound)
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("git daemon did not start") from None
                time.sleep(0.05)
        yield daemon
    finally:
        daemon.stop()


def wait_for(path: Path, limit: float = 60.0) -> None:
    """Wait until `path` exists (a marker a hook writes); fail after `limit` seconds."""
    deadline = time.monotonic() + limit
    while not path.exists():
        if time.monotonic() > deadline:
            raise AssertionError(f"{path} never appeared")
        time.sleep(0.02)
