"""Durability of render's writes: exactly the files written are flushed, before any rename.

The OS calls the writer makes (os.open, os.fsync, os.replace, os.sync) are recorded on a
real folder; nothing of ours is mocked. Both ways of flushing are covered: an fsync as each
file is written (small renders) and fsyncs from several threads once every file is written
(large renders, forced here by lowering the threshold).
"""

from __future__ import annotations

import errno
import hashlib
import os
import threading
from pathlib import Path

import pytest

from gitops_tool.adapters import writer
from gitops_tool.commands.render import RenderOptions, run
from gitops_tool.errors import ExternalError
from tests.support.trees import small_spec, write_tree


def state(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): (
            hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "dir"
        )
        for p in sorted((root / "argocd").rglob("*"))
    }


class Recorder:
    """os.open, os.fsync, os.replace and os.sync, as (call, path, ...) events in order."""

    def __init__(self, mp: pytest.MonkeyPatch) -> None:
        self.events: list[tuple[str, ...]] = []
        self.paths: dict[int, str] = {}
        self.lock = threading.Lock()
        real_open, real_fsync, real_replace = os.open, os.fsync, os.replace

        def opened(path, *args, **kwargs):
            fd = real_open(path, *args, **kwargs)
            with self.lock:
                self.paths[fd] = os.fspath(path)
            return fd

        def fsynced(fd):
            with self.lock:
                self.events.append(("fsync", self.paths[fd]))
            return real_fsync(fd)

        def replaced(src, dst, *args, **kwargs):
            with self.lock:
                self.events.append(("replace", os.fspath(src), os.fspath(dst)))
            return real_replace(src, dst, *args, **kwargs)

        def synced():
            self.events.append(("sync",))

        mp.setattr(os, "open", opened)
        mp.setattr(os, "fsync", fsynced)
        mp.setattr(os, "replace", replaced)
        mp.setattr(os, "sync", synced)


@pytest.mark.parametrize("inline_max", [writer.FSYNC_INLINE_MAX, 0], ids=["inline", "threads"])
def test_exactly_the_files_written_are_flushed_before_the_renames(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, inline_max: int
) -> None:
    root = write_tree(tmp_path / "repo", small_spec())
    plan = run(RenderOptions(root=root, check=True)).plan
    assert 0 < len(plan.write) <= writer.FSYNC_INLINE_MAX
    monkeypatch.setattr(writer, "FSYNC_INLINE_MAX", inline_max)
    recorder = Recorder(monkeypatch)
    run(RenderOptions(root=root))
    monkeypatch.undo()
    events = recorder.events
    assert ("sync",) not in events  # never the whole machine's buffers
    txn = os.path.join(root, "argocd", writer.TXN_DIR)
    stage = os.path.join(txn, "stage")
    staged = [i for i, e in enumerate(events) if e[0] == "replace" and e[1].startswith(stage)]
    first_rename = staged[0]
    files = [e[1] for e in events[:first_rename] if e[0] == "fsync" and e[1].startswith(stage)
             and os.path.dirname(e[1]) == stage]
    renamed = {events[i][1]: events[i][2] for i in staged}
    # Each staged file, and no other file of the stage, is flushed once, all before the
    # journal; the journal is flushed and renamed into place before the first rename.
    assert sorted(files) == sorted(renamed) and len(set(files)) == len(files)
    assert sorted(os.path.relpath(t, root) for t in renamed.values()) == sorted(
        p for p, _ in plan.write
    )
    journal = os.path.join(txn, "journal")
    committed = events.index(("replace", f"{journal}.tmp", journal))
    last_staged = max(i for i, e in enumerate(events) if e[0] == "fsync" and e[1] in files)
    assert last_staged < events.index(("fsync", f"{journal}.tmp")) < committed < first_rename
    # Then the folders that hold them, and the parents of the folders render created.
    folders = {e[1] for e in events[first_rename:] if e[0] == "fsync"}
    assert {os.path.dirname(t) for t in renamed.values()} <= folders
    before = {e[1] for e in events[:committed] if e[0] == "fsync"}
    assert str(root) in before  # argocd/ itself was created in the repository's folder
    assert not os.path.exists(txn)


def test_a_failing_fsync_in_the_threads_leaves_argocd_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write_tree(tmp_path / "repo", small_spec())
    run(RenderOptions(root=root))
    dev = root / "environments" / "dev.yaml"
    dev.write_text(dev.read_text().replace('"1.0.0"', '"1.0.1"'))
    before = state(root)
    monkeypatch.setattr(writer, "FSYNC_INLINE_MAX", 0)
    real_fsync = os.fsync
    calls = 0
    lock = threading.Lock()

    def failing(fd):
        nonlocal calls
        with lock:
            calls += 1
            n = calls
        if n == 3:
            raise OSError(errno.EIO, "Input/output error")
        return real_fsync(fd)

    monkeypatch.setattr(os, "fsync", failing)
    with pytest.raises(ExternalError) as raised:  # the disk failing: exit 3
        run(RenderOptions(root=root))
    path, problem = raised.value.message.split(": ", 1)
    assert path.startswith("argocd/") and path.endswith(".yaml")  # the file, not its stage
    assert problem == "cannot write: Input/output error; nothing was changed"
    monkeypatch.undo()
    assert state(root) == before
    assert not (root / "argocd" / writer.TXN_DIR).exists()
