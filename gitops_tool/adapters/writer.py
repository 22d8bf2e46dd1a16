"""Writing the output folder: read what is there, apply a WritePlan atomically.

No policy: the core's `render_plan` decides what to write and remove; this
module only touches the disk, all or nothing:

1. stage: every new content goes to a temporary file beside its target
   (`.<name>.gitops-tool-<pid>.tmp`), flushed to disk (fsync; one `sync` for
   large batches, which costs far less than thousands of fsyncs);
2. commit: each target is replaced by a rename, keeping a backup link of the
   old file; each removed file is renamed to a backup;
3. on any failure or Ctrl-C -- in either step -- the renames are undone from
   the backups, temporary files and new folders are deleted, and the error
   goes on. The output folder is then exactly as it was.

Ctrl-C during the commit is held until the commit or its rollback is done.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from gitops_tool.adapters.files import inside, unreadable
from gitops_tool.core.render_plan import WritePlan
from gitops_tool.errors import InputError

FSYNC_EACH_MAX = 64  # above this many files, one os.sync() instead of an fsync per file
_TAG = f"gitops-tool-{os.getpid()}"


def read_output(root: Path, folders: Iterable[str]) -> dict[str, bytes | None]:
    """Every entry under `folders` (repository-relative, ending in `/`): path -> content,
    or None for what is not a regular file (a symlink, a socket...). Each folder inside
    them is reported too, as `path/` -> None. An unreadable entry is an InputError."""
    try:
        return _read_output(root, folders)
    except OSError as exc:
        raise unreadable(exc, root, root) from None


def _read_output(root: Path, folders: Iterable[str]) -> dict[str, bytes | None]:
    found: dict[str, bytes | None] = {}
    for folder in folders:
        top = folder.rstrip("/")
        parts = top.split("/")
        # A link or file on the way (argocd/ itself a symlink, say) is reported, not followed.
        blocked = next(
            (
                "/".join(parts[:i])
                for i in range(1, len(parts) + 1)
                if os.path.islink(root / "/".join(parts[:i]))
                or os.path.isfile(root / "/".join(parts[:i]))
            ),
            None,
        )
        if blocked is not None:
            found[blocked] = None
            continue
        start = root / top
        if os.path.isdir(start):
            inside(start, root, top)
            _scan(str(start), top, found)
    return found


def _scan(path: str, rel: str, found: dict[str, bytes | None]) -> None:
    with os.scandir(path) as entries:
        for entry in entries:
            name = f"{rel}/{entry.name}"
            if entry.is_dir(follow_symlinks=False):
                found[f"{name}/"] = None
                _scan(entry.path, name, found)
            elif entry.is_file(follow_symlinks=False):
                with open(entry.path, "rb") as file:
                    found[name] = file.read()
            else:
                found[name] = None


def write_atomically(root: Path, plan: WritePlan) -> None:
    """Apply `plan` under `root`: everything, or (on any exception) nothing.

    An OS error (disk full, permissions) becomes an InputError naming the file, once the
    output is back as it was; Ctrl-C is re-raised as it is.
    """
    try:
        _apply(str(root), plan)
    except OSError as exc:
        where = exc.filename or root
        shown = os.path.relpath(where, root) if os.path.isabs(where) else where
        raise InputError(
            f"{shown}: cannot write: {exc.strerror or exc}; nothing was changed",
            hint="fix the cause (space, permissions) and render again",
        ) from exc


def _apply(top: str, plan: WritePlan) -> None:
    staged: list[tuple[str, str]] = []  # (temporary file, target)
    made: list[str] = []  # folders created, parents first
    ready: set[str] = set()  # folders known to exist
    sync_each = len(plan.write) <= FSYNC_EACH_MAX
    try:
        for rel, data in plan.write:
            target = os.path.join(top, rel)
            folder, name = os.path.split(target)
            if folder not in ready:
                _make_folders(folder, top, made)
                ready.add(folder)
            temp = os.path.join(folder, f".{name}.{_TAG}.tmp")
            staged.append((temp, target))
            _write(temp, data, sync_each)
        if not sync_each:
            _sync_all(staged)
        with _interrupts_held():
            _commit(top, plan, staged)
    except BaseException:
        for temp, _ in staged:
            with suppress(OSError):
                os.unlink(temp)
        for folder in reversed(made):
            with suppress(OSError):
                os.rmdir(folder)
        raise
    _remove_empty_folders(top, plan.remove)
    _sync_folders(ready | {os.path.dirname(os.path.join(top, p)) for p in plan.remove})


def _sync_all(staged: list[tuple[str, str]]) -> None:
    """Flush every staged file: one system-wide sync where there is one, else an fsync each."""
    if hasattr(os, "sync"):
        os.sync()
        return
    for temp, _ in staged:
        fd = os.open(temp, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _make_folders(folder: str, top: str, made: list[str]) -> None:
    missing: list[str] = []
    while folder != top and not os.path.isdir(folder):
        missing.append(folder)
        folder = os.path.dirname(folder)
    for path in reversed(missing):
        try:
            os.mkdir(path)
        except OSError as exc:
            raise InputError(f"{path}: cannot create the folder: {exc.strerror}") from None
        made.append(path)


_NEW = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_EXCL


def _write(path: str, data: bytes, sync: bool) -> None:
    try:
        fd = os.open(path, _NEW, 0o666)
    except FileExistsError:  # left by a killed run with the same pid
        os.unlink(path)
        fd = os.open(path, _NEW, 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        if sync:
            os.fsync(fd)
    finally:
        os.close(fd)


def _commit(top: str, plan: WritePlan, staged: list[tuple[str, str]]) -> None:
    undo: list[Callable[[], None]] = []
    backups: list[str] = []
    try:
        for temp, target in staged:
            if os.path.lexists(target):
                backup = _backup(target)
                backups.append(backup)
                os.replace(temp, target)
                undo.append(lambda b=backup, t=target: os.replace(b, t))
            else:
                os.replace(temp, target)
                undo.append(lambda t=target: os.unlink(t))
        for rel in plan.remove:
            target = os.path.join(top, rel)
            backup = _backup_name(target)
            os.replace(target, backup)
            backups.append(backup)
            undo.append(lambda b=backup, t=target: os.replace(b, t))
    except BaseException:
        for step in reversed(undo):
            with suppress(OSError):
                step()
        for backup in backups:
            with suppress(OSError):
                os.unlink(backup)
        raise
    for backup in backups:
        with suppress(OSError):
            os.unlink(backup)


def _backup_name(target: str) -> str:
    folder, name = os.path.split(target)
    return os.path.join(folder, f".{name}.{_TAG}.bak")


def _backup(target: str) -> str:
    """A second name for `target`'s current file, so that a rename can bring it back."""
    backup = _backup_name(target)
    with suppress(FileNotFoundError):
        os.unlink(backup)
    try:
        os.link(target, backup, follow_symlinks=False)
    except OSError:  # no hard links here: keep a copy instead
        if os.path.islink(target):
            os.symlink(os.readlink(target), backup)
        else:
            with open(target, "rb") as file:
                _write(backup, file.read(), sync=False)
    return backup


def _remove_empty_folders(top: str, removed: Iterable[str]) -> None:
    """Folders emptied by removals (a chart or an environment that went away)."""
    folders = {os.path.dirname(os.path.join(top, p)) for p in removed}
    for folder in sorted(folders, key=lambda f: -f.count(os.sep)):
        while folder != top and os.path.isdir(folder) and not os.listdir(folder):
            with suppress(OSError):
                os.rmdir(folder)
            folder = os.path.dirname(folder)


def _sync_folders(folders: Iterable[str]) -> None:
    """Make the renames durable (best effort: not every platform can fsync a folder)."""
    for folder in folders:
        with suppress(OSError):
            fd = os.open(folder, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)


@contextmanager
def _interrupts_held() -> Iterator[None]:
    """Hold Ctrl-C until the block is done (commit or rollback), then raise it."""
    received: list[int] = []
    try:
        previous = signal.signal(signal.SIGINT, lambda signum, frame: received.append(signum))
    except ValueError:  # not the main thread: nothing to hold
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if received:
        raise KeyboardInterrupt
