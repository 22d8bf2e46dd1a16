"""Writing the output folder: read what is there, apply a WritePlan as a transaction.

No policy: the core's `render_plan` decides what to write and remove; this module only
touches the disk, all or nothing, through the journal of `gitops_tool.adapters.journal`
(its docstring has the design):

1. stage: every new content goes to `<output>/.gitops-tool-write/stage/<i>` and is
   flushed to disk (an fsync of that file: only what render writes, so the cost never
   depends on other processes' I/O, as a machine-wide `sync` would);
2. commit: the journal (the list of renames and removals) is written, flushed and
   renamed into place -- the one instant after which the write is decided;
3. apply: each staged file is renamed onto its target, each removed file moved aside;
   the folders that changed are flushed; then the journal and the stage are deleted.

Until the commit nothing in the output folder has changed; a failure or a signal there
discards the stage. A failure while applying undoes the renames. A process killed at any
instant leaves a transaction that the next command completes (a journal) or undoes (no
journal yet), saying which (`recover`).

SIGINT (Ctrl-C), SIGTERM and SIGHUP are caught while the folder is written: while
staging, one stops the work at the next file and nothing is written; from the commit on,
it waits until the write is complete. Either way it then acts as before (Ctrl-C raises
KeyboardInterrupt saying which happened; SIGTERM ends the process) once the output folder
is all old or all new.

Every command that reads the output folder without writing it (`render --check`,
`validate`) reads it through `read_settled`, which never returns a half-written tree.
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager, suppress
from pathlib import Path
from typing import TypeVar

from gitops_tool.adapters import journal
from gitops_tool.adapters.files import (
    check_link,
    check_links,
    inside,
    read_bounded,
    unreadable,
)
from gitops_tool.adapters.oserror import write_error
from gitops_tool.core.render.plan import WritePlan
from gitops_tool.core.wording import plural
from gitops_tool.core.yamldoc import MAX_FILE_BYTES
from gitops_tool.errors import InputError

T = TypeVar("T")
TXN_DIR = journal.TXN_DIR
# Up to this many files, each is fsynced as it is written. Above it, every file is written
# first and then fsynced by SYNC_THREADS threads at once: the filesystem commits concurrent
# fsyncs together, so 10,000 of them cost about what one machine-wide `sync` does, without
# waiting for other processes' I/O.
FSYNC_INLINE_MAX = 64
SYNC_THREADS = 8


def _quiet(_line: str) -> None:
    pass


def read_output(root: Path, folders: Iterable[str]) -> dict[str, bytes | None]:
    """Every entry under `folders` (repository-relative, ending in `/`): path -> content,
    or None for what is not a regular file (a symlink, a socket...). Each folder inside
    them is reported too, as `path/` -> None. An unreadable entry is an InputError.

    Links are never followed; a file is read up to MAX_FILE_BYTES + 1 bytes (render never
    writes a larger one, so that is enough to see it differs). The transaction folder is
    skipped; a `.git` inside is refused: the output folder holds no repository."""
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
            _scan(str(start), top, found, os.path.realpath(root))
    return found


def _scan(path: str, rel: str, found: dict[str, bytes | None], top: str) -> None:
    with os.scandir(path) as entries:
        for entry in entries:
            name = f"{rel}/{entry.name}"
            if entry.name == TXN_DIR:
                continue
            if entry.name == ".git":
                raise InputError(
                    f"{name}: a git repository inside the output folder; render's folder "
                    "must hold nothing but what render writes",
                    hint=f"move {name} out of the output folder",
                )
            if entry.is_dir(follow_symlinks=False):
                found[f"{name}/"] = None
                _scan(entry.path, name, found, top)
            elif entry.is_file(follow_symlinks=False):
                with open(entry.path, "rb") as file:
                    found[name] = read_bounded(file, MAX_FILE_BYTES)
            else:
                if entry.is_symlink():  # never followed; refused when it leaves, as validate does
                    check_link(entry.path, top, name)
                found[name] = None


def unfinished(root: Path, output_dir: str) -> bool:
    """Whether a killed process left a write to `output_dir` unfinished (its transaction
    folder is there): `recover` has something to do."""
    return os.path.lexists(journal.txn_folder(os.fspath(root), output_dir))


def check_output_links(root: Path, output_dir: str) -> None:
    """Refuse (exit 2, naming the link and its target) a symlink anywhere in the output
    folder that leads out of the repository: render refuses such a folder, so the commands
    that commit it or compare with it (promote, rollback, diff) refuse it too."""
    folder = root / output_dir
    if folder.is_dir() and not folder.is_symlink():
        check_links(folder, root, output_dir)


def finish_unfinished(
    root: Path,
    output_dir: str,
    locked: Callable[[], AbstractContextManager[object]],
    warn: Callable[[str], None] = _quiet,
) -> None:
    """For a command that reads the output folder without a lock of its own (a dry run,
    sync's check): complete or undo a write a killed process left, under `locked()` (the
    repository lock), when there is one."""
    if unfinished(root, output_dir):
        with locked():
            recover(root, output_dir, warn)


def recover(root: Path, output_dir: str, warn: Callable[[str], None] = _quiet) -> None:
    """Complete or undo a write to `output_dir` that a killed process left unfinished, and
    say which on `warn`. The caller holds the repository lock."""
    top = os.fspath(root)
    txn = journal.txn_folder(top, output_dir)
    if not os.path.lexists(txn):
        return
    shown = f"{output_dir}/{TXN_DIR}"
    if os.path.islink(txn) or not os.path.isdir(txn):
        raise InputError(
            f"{shown}: not a folder gitops-tool made (a file or a link)",
            hint=f"remove {shown}, then run again",
        )
    # here, not at the top: only a killed write's folder needs git, and render's start-up
    # would otherwise load the git adapter (and what it imports) on every run
    from gitops_tool.adapters.git.history import tracked_files

    if tracked_files(root, shown):  # a journal from a commit would rewrite what git holds
        raise InputError(
            f"{shown}: committed to git; gitops-tool trusts a write's journal only from the "
            "process that wrote it, never from a commit, and leaves it as it is",
            hint=f"remove it from git (`git rm -r --cached {shown}`, commit) and from the "
            "folder, then run gitops-tool render",
        )
    with _signals_caught():  # a recovery runs to its end; a signal then acts
        try:
            done = journal.recover(top, output_dir)
        except OSError as exc:
            raise write_error(
                exc, top, f"the unfinished write in {shown} is still to complete; "
                "fix the cause and run gitops-tool render",
            ) from exc
    if done is None:
        return
    what, record, who = done
    out = f"{output_dir}/"
    if what == "completed" and record is not None:
        warn(
            f"warning: {out}: completed the write that {who} left unfinished "
            f"({plural(len(record.write), 'file')} written, {len(record.remove)} removed); "
            f"{out} now holds all of that run's output"
        )
    elif what == "undone":
        warn(
            f"warning: {out}: undid the write that {who} left unfinished: it had not "
            f"changed {out} yet, which is as it was; its staged files are removed"
        )
    else:
        warn(
            f"warning: {out}: removed the empty {TXN_DIR}/ a killed write left (killed as it "
            f"began or as it ended: {out} was not half-written)"
        )


def read_settled(
    root: Path,
    output_dir: str,
    read: Callable[[], T],
    locked: Callable[[], AbstractContextManager[object]],
    warn: Callable[[str], None] = _quiet,
) -> T:
    """`read()` (of the output folder), never of a half-written one, without the lock when
    no write is under way.

    With no transaction folder before or after, and the output folder's own entry
    unchanged (a write creates and deletes its transaction folder there, which changes
    it), nothing wrote during the read. Otherwise take the repository lock (`locked()`:
    waiting for a running write to end), complete or undo what a killed one left, and
    read again."""
    top = os.fspath(root)
    out, txn = os.path.join(top, output_dir), journal.txn_folder(top, output_dir)
    if not os.path.lexists(txn):
        before = _stamp(out)
        found = read()
        if not os.path.lexists(txn) and _stamp(out) == before:
            return found
    with locked():
        recover(root, output_dir, warn)
        return read()


def _stamp(path: str) -> tuple[int, int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_ino, st.st_mtime_ns, st.st_ctime_ns


def write_atomically(
    root: Path,
    output_dir: str,
    plan: WritePlan,
    *,
    command: str = "render",
    warn: Callable[[str], None] = _quiet,
) -> None:
    """Apply `plan` under `root`: everything, or (on any exception) nothing. The caller
    holds the repository lock and has run `recover` before reading the output folder.

    An OS error (disk full, permissions) becomes a GitopsError naming the file. Ctrl-C
    becomes a KeyboardInterrupt saying whether the output folder was written.
    """
    top = os.fspath(root)
    out = f"{output_dir}/"
    outcome = f"nothing was written; {out} is as it was"
    made: list[str] = []  # the output folder and its parents, when this write made them
    try:
        with _signals_caught() as received:
            record = _stage_and_commit(top, output_dir, plan, command, received, warn, made)
            txn = journal.txn_folder(top, output_dir)
            try:
                journal.apply(top, txn, record)
            except BaseException as exc:
                if os.path.lexists(os.path.join(txn, journal.JOURNAL)):  # could not undo
                    outcome = (f"{out} is partly written: the next gitops-tool command that "
                               "reads it completes the write")
                else:  # undone: as it was
                    _undo_stage(txn, made)
                if isinstance(exc, OSError):
                    said = "nothing was changed" if outcome.startswith("nothing") else outcome
                    raise write_error(exc, top, said) from exc
                raise
            journal.finish(top, txn, record)
            outcome = f"{out} was fully written"
            _say_signals(received, warn, f"{out} was fully written first")
    except KeyboardInterrupt:
        raise KeyboardInterrupt(outcome) from None


def _stage_and_commit(
    top: str,
    output_dir: str,
    plan: WritePlan,
    command: str,
    received: list[int],
    warn: Callable[[str], None],
    made: list[str],
) -> journal.Journal:
    """Stage every file and write the journal; on any failure or signal before the journal
    is in place, delete the stage (and the output folder, if this made it: `made`) and
    raise."""
    txn = journal.txn_folder(top, output_dir)
    began = False
    try:
        journal.make_folders(os.path.join(top, output_dir), top, made)
        try:
            journal.begin(txn, command)
        except FileExistsError:
            raise InputError(
                f"{output_dir}/{TXN_DIR}: another write is unfinished",
                hint="run gitops-tool render again: it completes or undoes that write first",
            ) from None
        began = True
        _stage(top, txn, plan, received)
        # The transaction folder's own entry, and those of the folders made for it.
        journal.sync_folders([os.path.dirname(txn), *(os.path.dirname(f) for f in made)])
        if received:
            _say_signals(received, warn, f"stopped before changing {output_dir}/")
            raise _Stopped
        record = journal.Journal(
            output=output_dir,
            write=tuple(rel for rel, _ in plan.write),
            remove=plan.remove,
            pid=os.getpid(),
            command=command,
            started=journal.now(),
        )
        journal.commit(txn, record)
        return record
    except OSError as exc:
        _undo_stage(txn if began else None, made)
        raise write_error(exc, top, "nothing was changed") from exc
    except BaseException:
        _undo_stage(txn if began else None, made)
        raise


def _undo_stage(txn: str | None, made: list[str]) -> None:
    if txn is not None:
        with suppress(OSError):
            journal.discard(txn)
    for folder in reversed(made):
        with suppress(OSError):
            os.rmdir(folder)


def _stage(top: str, txn: str, plan: WritePlan, received: list[int]) -> None:
    """Write every new content to stage/<i>, flushed to disk; an OSError names the target."""
    stage = os.path.join(txn, journal.STAGE)
    inline = len(plan.write) <= FSYNC_INLINE_MAX
    staged: list[tuple[str, str]] = []  # (stage file, target)
    for i, (rel, data) in enumerate(plan.write):
        if received:
            return
        path, target = os.path.join(stage, str(i)), os.path.join(top, rel)
        try:
            journal.write_file(path, data, sync=inline)
        except OSError as exc:
            raise OSError(exc.errno, exc.strerror, target) from None
        staged.append((path, target))
    if not inline:
        _fsync_files(staged, received)
    journal.sync_folders([stage])


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


class _Stopped(BaseException):
    """A signal arrived while staging: stop, clean up, then let the signal act."""


def _say_signals(received: list[int], warn: Callable[[str], None], what: str) -> None:
    """Before a signal other than Ctrl-C ends the process, say what state it leaves."""
    names = [signal.Signals(s).name for s in dict.fromkeys(received) if s != signal.SIGINT]
    if names:
        warn(f"{', '.join(names)} received while writing: {what}")


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
