"""The journal of a write to the output folder: how a write killed at any instant is
completed or undone by the next gitops-tool command.

No single system call replaces hundreds of files, so a write is a transaction with a
journal, in a folder of its own inside the output folder (so that every rename stays on
one filesystem):

```
argocd/.gitops-tool-write/
  owner      who writes: {"pid", "command", "started"}; written first
  stage/     the new files: stage/<i> is the content of journal["write"][i]
  old/       what the renames replaced (w<i>) or removed (r<k>), kept until the end
  journal    the renames and removals, written last and atomically: the commit point
```

1. **Stage** (`writer`): every new file goes to `stage/<i>` and is flushed to disk.
2. **Commit**: the journal goes to `journal.tmp`, is flushed, and is renamed to
   `journal`, and the folder is flushed. Before this instant the output folder has not
   been touched; after it, the write is decided.
3. **Apply** (`apply`): each `stage/<i>` is renamed onto its target (a hard link of the
   target it replaces goes to `old/` first), each removed file is renamed into `old/`;
   then the folders that changed are flushed.
4. **Finish** (`finish`): `stage/`, `old/` and `owner` are deleted, then the journal,
   then the (now empty) transaction folder.

`recover` -- run first, under the repository lock, by every command that reads or writes
the output folder -- finds a transaction left by a killed process and:

- **completes it** when `journal` exists: every `stage/<i>` still there is renamed onto
  its target, every removal still to do is done (what is done already is skipped, so a
  recovery killed in turn is simply run again), then it finishes;
- **undoes it** when there is no `journal` but staged work: the output folder was never
  touched, so the transaction folder is deleted;
- **removes it** when it is empty: a write killed as it began (before anything was
  staged) or as it ended (after its journal went): the output folder is all old or all
  new, and nothing is left to complete or undo.

A failure while applying (a full disk, an I/O error) undoes the renames in reverse order
in the same process, each step keeping the transaction completable (the new file goes
back to `stage/<i>` before the old one comes back), so that a process killed while
undoing is completed by the next command rather than left mixed.
"""

from __future__ import annotations

import json
import os
import posixpath
import shutil
from collections.abc import Callable, Iterable
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime

from gitops_tool.core.render.plan import is_generated
from gitops_tool.errors import InputError

TXN_DIR = ".gitops-tool-write"
STAGE, OLD, JOURNAL, OWNER = "stage", "old", "journal", "owner"
FORMAT = 1


@dataclass(frozen=True, slots=True)
class Journal:
    """What one write changes: paths are repository-relative, under `output`."""

    output: str
    write: tuple[str, ...]  # stage/<i> holds the new content of write[i]
    remove: tuple[str, ...]
    pid: int
    command: str
    started: str  # ISO 8601, UTC

    def who(self) -> str:
        return f"{self.command}, pid {self.pid}, started {self.started}"


def txn_folder(top: str, output: str) -> str:
    """The transaction folder of the output folder `output` of the repository at `top`."""
    return os.path.join(top, output, TXN_DIR)


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def begin(txn: str, command: str) -> None:
    """Create the transaction folder, its stage/ and old/ folders, and its owner file (best
    effort: it only names who wrote, for a recovery's message). FileExistsError when the
    folder exists; on any other failure the folder is gone again."""
    os.mkdir(txn)
    try:
        os.mkdir(os.path.join(txn, STAGE))
        os.mkdir(os.path.join(txn, OLD))
        owner = {"pid": os.getpid(), "command": command, "started": now()}
        with suppress(OSError):
            write_file(os.path.join(txn, OWNER), json.dumps(owner).encode(), sync=False)
    except BaseException:
        discard(txn)
        raise


def commit(txn: str, journal: Journal) -> None:
    """Write the journal: flushed under a temporary name, renamed into place, and the folder
    flushed. From the rename on, the write is decided: it will be completed."""
    data = json.dumps(
        {
            "format": FORMAT,
            "output": journal.output,
            "write": list(journal.write),
            "remove": list(journal.remove),
            "pid": journal.pid,
            "command": journal.command,
            "started": journal.started,
        }
    ).encode()
    temp = os.path.join(txn, f"{JOURNAL}.tmp")
    write_file(temp, data, sync=True)
    os.replace(temp, os.path.join(txn, JOURNAL))
    sync_folders([txn])


def write_file(path: str, data: bytes, sync: bool) -> None:
    """Create `path` (it must not exist) with `data`, flushed to disk before it is closed
    with `sync`; an OSError names `path`."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_EXCL, 0o666)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            if sync:
                os.fsync(fd)
        finally:
            os.close(fd)
    except OSError as exc:
        raise OSError(exc.errno, exc.strerror, path) from None


def apply(top: str, txn: str, journal: Journal) -> None:
    """Rename every staged file onto its target and every removed file into old/; on any
    failure, undo what was done (in reverse) and re-raise (an OSError naming the target).
    The journal is deleted once the undo is complete; an error while undoing leaves it,
    for the next command to complete the write."""
    stage, old = os.path.join(txn, STAGE), os.path.join(txn, OLD)
    undo: list[Callable[[], None]] = []
    made: list[str] = []
    ready: set[str] = set()
    target = top
    try:
        for i, rel in enumerate(journal.write):
            target = os.path.join(top, rel)
            folder = os.path.dirname(target)
            if folder not in ready:
                make_folders(folder, top, made)
                ready.add(folder)
            staged, backup = os.path.join(stage, str(i)), os.path.join(old, f"w{i}")
            if os.path.lexists(target):
                _keep(target, backup)
                os.replace(staged, target)
                undo.append(lambda s=staged, t=target, b=backup: (
                    os.replace(t, s), os.replace(b, t)))
            else:
                os.replace(staged, target)
                undo.append(lambda s=staged, t=target: os.replace(t, s))
        for k, rel in enumerate(journal.remove):
            target, backup = os.path.join(top, rel), os.path.join(old, f"r{k}")
            os.replace(target, backup)
            undo.append(lambda t=target, b=backup: os.replace(b, t))
    except BaseException as exc:
        for step in reversed(undo):
            step()  # an error here leaves the journal: the next command completes the write
        for folder in reversed(made):
            with suppress(OSError):
                os.rmdir(folder)
        with suppress(FileNotFoundError):
            os.unlink(os.path.join(txn, JOURNAL))
        if isinstance(exc, OSError):
            raise OSError(exc.errno, exc.strerror, target) from exc
        raise
    sync_folders(ready | {os.path.dirname(f) for f in made})


def _keep(target: str, backup: str) -> None:
    """A second name for `target` in old/, so that the rename over it can be undone."""
    try:
        os.link(target, backup, follow_symlinks=False)
    except OSError:  # no hard links here: move it aside (the target is briefly absent)
        os.replace(target, backup)


def finish(top: str, txn: str, journal: Journal) -> None:
    """Remove the folders the removals emptied, then everything in the transaction folder
    but the journal, then the journal, then the (empty) folder. Until the journal goes, a
    kill leaves a transaction the next command completes (nothing is left to do but this);
    after it, an empty folder, which holds nothing to complete or undo."""
    remove_empty_folders(top, journal.remove)
    for name in (STAGE, OLD):
        shutil.rmtree(os.path.join(txn, name), ignore_errors=True)
    with suppress(FileNotFoundError):
        os.unlink(os.path.join(txn, OWNER))
    with suppress(FileNotFoundError):
        os.unlink(os.path.join(txn, JOURNAL))
    discard(txn)


def discard(txn: str) -> None:
    """Delete the transaction folder and everything in it."""
    shutil.rmtree(txn, ignore_errors=True)
    if os.path.lexists(txn):
        shutil.rmtree(txn)  # report what could not be deleted


def recover(top: str, output: str) -> tuple[str, Journal | None, str] | None:
    """Complete or undo the transaction a killed process left in the output folder: None
    when there is none, else (what was done: "completed", "undone" or "emptied", the journal
    or None, who started it)."""
    txn = txn_folder(top, output)
    if not os.path.lexists(txn):
        return None
    if os.path.isdir(txn) and not os.listdir(txn):  # killed as it began, or as it ended
        discard(txn)
        return "emptied", None, ""
    who = _owner(txn)
    path = os.path.join(txn, JOURNAL)
    if not os.path.exists(path):
        discard(txn)
        return "undone", None, who
    journal = _read(path, top, output)
    stage = os.path.join(txn, STAGE)
    made: list[str] = []
    folders: set[str] = set()
    for i, rel in enumerate(journal.write):
        staged = os.path.join(stage, str(i))
        if os.path.lexists(staged):
            target = os.path.join(top, rel)
            make_folders(os.path.dirname(target), top, made)
            os.replace(staged, target)
            folders.add(os.path.dirname(target))
    for rel in journal.remove:
        target = os.path.join(top, rel)
        if os.path.isfile(target) and not os.path.islink(target) and _generated(target):
            os.unlink(target)
            folders.add(os.path.dirname(target))
    sync_folders(folders | {os.path.dirname(f) for f in made})
    finish(top, txn, journal)
    return "completed", journal, journal.who()


def _generated(path: str) -> bool:
    with open(path, "rb") as file:
        return is_generated(file.read(512))


def _owner(txn: str) -> str:
    try:
        with open(os.path.join(txn, OWNER), encoding="utf-8") as file:
            data = json.load(file)
        return f"{data['command']}, pid {data['pid']}, started {data['started']}"
    except (OSError, ValueError, KeyError, TypeError):
        return "a gitops-tool command killed before it said who it was"


def _read(path: str, top: str, output: str) -> Journal:
    """The journal at `path`, every entry checked to stay in the output folder: a journal
    is only ever trusted to move files inside it."""
    shown = posixpath.join(output, TXN_DIR, JOURNAL)
    try:
        with open(path, encoding="utf-8") as file:
            data = json.load(file)
        journal = Journal(
            output=str(data["output"]),
            write=tuple(str(p) for p in data["write"]),
            remove=tuple(str(p) for p in data["remove"]),
            pid=int(data["pid"]),
            command=str(data["command"]),
            started=str(data["started"]),
        )
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise _foreign(shown, output, f"it does not read as one ({exc})") from None
    if data.get("format") != FORMAT or journal.output != output:
        raise _foreign(shown, output, "its format or output folder is not this one's")
    real_out = os.path.realpath(os.path.join(top, output))
    for rel in (*journal.write, *journal.remove):
        normal = posixpath.normpath(rel)
        parts = normal.split("/")
        if normal != rel or not rel.startswith(f"{output}/") or ".." in parts or TXN_DIR in parts:
            raise _foreign(shown, output, f"an entry leaves the output folder: {rel}")
        parent = os.path.realpath(os.path.dirname(os.path.join(top, rel)))
        if parent != real_out and not parent.startswith(real_out + os.sep):
            raise _foreign(shown, output, f"an entry leads through a link: {rel}")
    return journal


def _foreign(shown: str, output: str, why: str) -> InputError:
    return InputError(
        f"{shown}: not a journal gitops-tool can complete: {why}",
        hint=f"remove {output}/{TXN_DIR} by hand, then render again",
    )


def make_folders(folder: str, top: str, made: list[str]) -> None:
    """Create `folder` and its missing parents up to `top`, adding each to `made`."""
    missing: list[str] = []
    while folder != top and not os.path.isdir(folder):
        missing.append(folder)
        folder = os.path.dirname(folder)
    for path in reversed(missing):
        os.mkdir(path)
        made.append(path)


def remove_empty_folders(top: str, removed: Iterable[str]) -> None:
    """Folders emptied by removals (a chart or an environment that went away)."""
    folders = {os.path.dirname(os.path.join(top, p)) for p in removed}
    for folder in sorted(folders, key=lambda f: -f.count(os.sep)):
        while folder != top and os.path.isdir(folder) and not os.listdir(folder):
            with suppress(OSError):
                os.rmdir(folder)
            folder = os.path.dirname(folder)


def sync_folders(folders: Iterable[str]) -> None:
    """Make renames durable (best effort: not every platform can fsync a folder)."""
    for folder in folders:
        with suppress(OSError):
            fd = os.open(folder, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
