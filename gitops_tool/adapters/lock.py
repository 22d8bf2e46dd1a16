"""The repository lock: one gitops-tool command that writes at a time, per repository.

Every command that writes (render, and the git commands: promote, rollback, render
--commit) holds it for its whole run. It is an advisory `flock` on a file in the git
directory (`.git/gitops-tool.lock`; `<root>/.gitops-tool.lock` outside git), so the kernel
releases it when its holder dies, even by SIGKILL: a lock left by a killed process is
simply taken over. The file names the holder (pid, command, start time) for the message
a waiting command gives when its bound runs out; a holder that ended without releasing
is reported when its lock is taken over.
"""

from __future__ import annotations

import fcntl
import json
import os
import stat
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from gitops_tool.errors import EXIT_EXTERNAL, GitopsError

LOCK_FILE = "gitops-tool.lock"
DEFAULT_TIMEOUT = 60.0  # seconds a command waits for another's lock (--lock-timeout)
POLL_SECONDS = 0.1


class RepositoryLocked(GitopsError):
    """Another gitops-tool command held the repository lock for longer than we may wait."""

    exit_code = EXIT_EXTERNAL


@dataclass(frozen=True, slots=True)
class Holder:
    """Who holds (or last held) the lock, as its file says."""

    pid: int
    command: str
    started: str  # ISO 8601, UTC

    def __str__(self) -> str:
        return f"pid {self.pid} ({self.command}, started {self.started})"


def git_dir(root: Path) -> Path | None:
    """The git directory of the repository holding `root` (`.git`, or where a `.git` file
    points, as in a worktree); None outside git."""
    for folder in (root, *root.parents):
        dot_git = folder / ".git"
        if dot_git.is_dir():
            return dot_git
        if dot_git.is_file():
            text = dot_git.read_text(encoding="utf-8", errors="replace").strip()
            if text.startswith("gitdir:"):
                target = Path(text.removeprefix("gitdir:").strip())
                return target if target.is_absolute() else (folder / target).resolve()
    return None


def lock_path(root: Path) -> Path:
    """Where the lock of the repository at `root` lives."""
    where = git_dir(root)
    return where / LOCK_FILE if where is not None else root / f".{LOCK_FILE}"


def _holder(text: str) -> Holder | None:
    try:
        data = json.loads(text)
        return Holder(int(data["pid"]), str(data["command"]), str(data["started"]))
    except (ValueError, KeyError, TypeError):
        return None


def _read(fd: int) -> str:
    os.lseek(fd, 0, os.SEEK_SET)
    return os.read(fd, 4096).decode("utf-8", errors="replace")


@contextmanager
def repository_lock(
    root: Path,
    command: str,
    timeout: float,
    *,
    warn: Callable[[str], None] = lambda _line: None,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> Iterator[Holder]:
    """Hold the repository lock while the block runs; wait up to `timeout` seconds for it,
    then raise RepositoryLocked naming the holder."""
    path = lock_path(root)
    try:
        # O_NOFOLLOW: a lock path planted as a symlink must not make us truncate its target
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK, 0o644)
    except OSError as exc:
        raise GitopsError(
            f"{path}: cannot open the repository lock: {exc.strerror}",
            hint="remove it if it is a symlink; otherwise make the folder writable, "
            "then run again",
        ) from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise GitopsError(
                f"{path}: the repository lock is not a regular file",
                hint="remove it (gitops-tool creates it again), then run again",
            )
        deadline = clock() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if clock() >= deadline:
                    holder = _holder(_read(fd))
                    who = str(holder) if holder else "another gitops-tool command"
                    raise RepositoryLocked(
                        f"the repository is locked by {who}; waited {timeout:g}s",
                        hint=f"wait for it to finish (or raise --lock-timeout); the lock is "
                        f"{path}, released when its holder ends",
                    ) from None
                sleep(POLL_SECONDS)
        left = _holder(_read(fd))
        if left is not None and left.pid != os.getpid():
            warn(f"warning: took over the repository lock left by {left}, which ended "
                 "without releasing it")
        me = Holder(os.getpid(), command, datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"))
        with suppress(OSError):  # who holds it is for messages only: a full disk is no reason
            os.ftruncate(fd, 0)  # to fail (the lock itself is the flock, already held)
            os.lseek(fd, 0, os.SEEK_SET)
            os.write(fd, json.dumps({"pid": me.pid, "command": me.command,
                                     "started": me.started}).encode())
        try:
            yield me
        finally:
            with suppress(OSError):
                os.ftruncate(fd, 0)  # released cleanly: nothing for the next holder to report
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
