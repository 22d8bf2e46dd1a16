"""Writing the output folder: read what is there, apply a WritePlan atomically.

No policy: the core's `render_plan` decides what to write and remove; this
module only touches the disk, all or nothing:

1. stage: every new content goes to a temporary file beside its target
   (`.<name>.gitops-tool-<pid>.tmp`) and is flushed to disk (an fsync of that
   file: only what render writes, so the cost never depends on other
   processes' I/O, as a machine-wide `sync` would);
2. commit: each target is replaced by a rename, keeping a backup link of the
   old file; each removed file is renamed to a backup; then the folders that
   hold what changed are flushed, so that the renames are durable too;
3. on any failure or signal -- in either step -- the renames are undone from
   the backups, temporary files and new folders are deleted, and the error
   goes on. The output folder is then exactly as it was.

SIGINT (Ctrl-C), SIGTERM and SIGHUP are caught while the folder is written:
during staging one stops the work at the next file, during the commit it waits
until the commit (or its rollback) is done; either way it is then delivered to
whatever handled it before (KeyboardInterrupt for Ctrl-C, the end of the
process for SIGTERM), once the output folder is all old or all new.
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from gitops_tool.adapters.files import inside, unreadable
from gitops_tool.core.render.plan import WritePlan
from gitops_tool.errors import InputError

_TAG = f"gitops-tool-{os.getpid()}"
# Up to this many files, each is fsynced as it is written. Above it, every file is written
# first and then fsynced by SYNC_THREADS threads at once: the filesystem commits concurrent
# fsyncs together, so 10,000 of them cost about what one machine-wide `sync` does, without
# waiting for other processes' I/O.
FSYNC_INLINE_MAX = 64
SYNC_THREADS = 8


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
    inline = len(plan.write) <= FSYNC_INLINE_MAX
    with _signals_caught() as received:
        try:
            for rel, data in plan.write:
                if received:
                    raise _Stopped
                target = os.path.join(top, rel)
                folder, name = os.path.split(target)
                if folder not in ready:
                    _make_folders(folder, top, made)
                    ready.add(folder)
                temp = os.path.join(folder, f".{name}.{_TAG}.tmp")
                staged.append((temp, target))
                _write(temp, data, sync=inline)
            if not inline:
                _fsync_files(staged, received)
            if received:
                raise _Stopped
            _commit(top, plan, staged)  # signals wait from here on
        except BaseException:
            for temp, _ in staged:
                with suppress(OSError):
                    os.unlink(temp)
            for folder in reversed(made):
                with suppress(OSError):
                    os.rmdir(folder)
            raise
        _remove_empty_folders(top, plan.remove)
        changed = ready | {os.path.dirname(os.path.join(top, p)) for p in plan.remove}
        _sync_folders(changed | {os.path.dirname(f) for f in made})


def _fsync_files(staged: list[tuple[str, str]], received: list[int]) -> None:
    """Flush each staged file to disk, from SYNC_THREADS threads; the first error is raised
    here, naming the target. The threads stop early once a signal is in `received`."""
    errors: list[OSError] = []

    def flush(share: list[tuple[str, str]]) -> None:
        for temp, target in share:
            if received or errors:
                return
            try:
                fd = os.open(temp, os.O_RDONLY)
                try:
                    os.fsync(fd)
                finally:
                    os.close(fd)
            except OSError as exc:
                errors.append(OSError(exc.errno, exc.strerror, target))

    threads = [
        threading.Thread(target=flush, args=(staged[i::SYNC_THREADS],), daemon=True)
        for i in range(SYNC_THREADS)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]


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
    """Create `path` with `data`; with `sync`, flushed to disk before it is closed."""
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


class _Stopped(BaseException):
    """A signal arrived while staging: stop, clean up, then let the signal act."""


def _held_signals() -> list[int]:
    return [
        getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name)
    ]


@contextmanager
def _signals_caught() -> Iterator[list[int]]:
    """Catch SIGINT, SIGTERM and SIGHUP into the list yielded (the block checks it where it
    can stop); when the block is done, restore the handlers and deliver each signal caught.

    A signal that is ignored (`nohup`), or whose handler Python does not know, is left
    alone. A signal whose handler returns (it raised nothing, ended nothing) after the block
    stopped for it is reported as KeyboardInterrupt: the write did not happen.
    """
    received: list[int] = []
    previous: dict[int, object] = {}

    def record(signum: int, frame: object) -> None:
        received.append(signum)

    try:
        for signum in _held_signals():
            handler = signal.getsignal(signum)
            if handler is not None and handler is not signal.SIG_IGN:
                previous[signum] = signal.signal(signum, record)
    except ValueError:  # not the main thread: nothing to catch
        pass
    try:
        yield received
    except _Stopped:
        _deliver(previous, received)
        raise KeyboardInterrupt from None
    except BaseException:
        _deliver(previous, received)
        raise
    _deliver(previous, received)


def _deliver(previous: dict[int, object], received: list[int]) -> None:
    """Put the handlers back, then raise each signal caught, once, in the order it came."""
    for signum, handler in previous.items():
        signal.signal(signum, handler)  # type: ignore[arg-type]
    previous.clear()
    for signum in dict.fromkeys(received):
        signal.raise_signal(signum)
