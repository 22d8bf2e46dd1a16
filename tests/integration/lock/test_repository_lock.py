"""The repository lock: one writer at a time, a bounded wait naming the holder, and a lock
left by a killed process taken over. Real processes, real flock."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from gitops_tool.adapters.lock import RepositoryLocked, lock_path, repository_lock
from gitops_tool.errors import EXIT_EXTERNAL, GitopsError
from tests.support.locks import hold_lock


def test_the_lock_lives_in_the_git_directory(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "sub").mkdir()
    assert lock_path(repo / "sub") == repo / ".git" / "gitops-tool.lock"
    plain = tmp_path / "plain"
    plain.mkdir()
    assert lock_path(plain) == plain / ".gitops-tool.lock"


def test_a_worktree_locks_in_its_own_git_directory(tmp_path: Path) -> None:
    gitdir = tmp_path / "main.git" / "worktrees" / "wt"
    gitdir.mkdir(parents=True)
    tree = tmp_path / "wt"
    tree.mkdir()
    (tree / ".git").write_text(f"gitdir: {gitdir}\n")
    assert lock_path(tree) == gitdir / "gitops-tool.lock"


def test_a_second_writer_waits_its_bound_then_names_the_holder(tmp_path: Path) -> None:
    proc = hold_lock(tmp_path, tmp_path / "ready")
    try:
        slept: list[float] = []
        ticks = iter(range(1000))
        with pytest.raises(RepositoryLocked) as caught, repository_lock(
            tmp_path, "render staging", timeout=1.0, sleep=slept.append,
            clock=lambda: next(ticks) * 0.25,
        ):
            pass
        assert caught.value.exit_code == EXIT_EXTERNAL
        assert f"pid {proc.pid} (render dev, started " in caught.value.message
        assert slept and all(s > 0 for s in slept)  # it waited, polling, before giving up
    finally:
        proc.kill()
        proc.wait()


def test_the_lock_is_free_again_once_the_holder_ends(tmp_path: Path) -> None:
    proc = hold_lock(tmp_path, tmp_path / "ready")
    proc.send_signal(signal.SIGINT)  # a clean end: the lock is released
    proc.wait()
    warnings: list[str] = []
    with repository_lock(tmp_path, "render", timeout=0, warn=warnings.append) as me:
        assert me.pid == os.getpid()
    assert warnings == []  # an ended holder's lock is not reported as taken over


def test_a_lock_left_by_a_killed_process_is_taken_over_and_said(tmp_path: Path) -> None:
    proc = hold_lock(tmp_path, tmp_path / "ready")
    proc.kill()  # SIGKILL: no cleanup ran, the kernel dropped the flock
    proc.wait()
    warnings: list[str] = []
    with repository_lock(tmp_path, "promote staging prod", timeout=0, warn=warnings.append):
        pass
    assert len(warnings) == 1 and f"left by pid {proc.pid} (render dev" in warnings[0]


def test_one_process_at_a_time_over_many_rounds(tmp_path: Path) -> None:
    # Two processes append begin/end marks under the lock; the marks must never interleave.
    log = tmp_path / "log"
    script = textwrap.dedent("""
        import sys, os
        from pathlib import Path
        from gitops_tool.adapters.lock import repository_lock
        root, log, name = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
        for _ in range(30):
            with repository_lock(root, name, timeout=30):
                with open(log, "a") as f:
                    f.write(f"begin {name}\\n"); f.flush()
                    os.sched_yield()
                    f.write(f"end {name}\\n")
    """)
    procs = [subprocess.Popen([sys.executable, "-c", script, str(tmp_path), str(log), n])
             for n in ("a", "b")]
    assert [p.wait(timeout=60) for p in procs] == [0, 0]
    lines = log.read_text().splitlines()
    assert len(lines) == 120
    for begin, end in zip(lines[::2], lines[1::2], strict=True):
        assert begin.startswith("begin ") and end == "end " + begin.removeprefix("begin ")


def test_a_lock_planted_as_a_symlink_is_refused_and_its_target_untouched(tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    outside = tmp_path / "precious.txt"
    outside.write_text("keep me\n")
    lock_path(plain).symlink_to(outside)
    with (pytest.raises(GitopsError, match="repository lock") as caught,
          repository_lock(plain, "render dev", timeout=0)):
        pass
    assert "symlink" in caught.value.hint
    assert outside.read_text() == "keep me\n"


def test_a_lock_that_is_not_a_regular_file_is_refused(tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    os.mkfifo(lock_path(plain))
    with (pytest.raises(GitopsError, match="not a regular file"),
          repository_lock(plain, "render dev", timeout=0)):
        pass
