"""Two promotions in one clone (the repository lock, row 19) and Ctrl-C before and after the
commit (row 28): child processes paused by hooks or by the fake Argo CD at known points."""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

from gitops_tool.adapters.lock import repository_lock
from tests.support.argocd.fake import FakeArgo, Fault
from tests.support.argocd.fixtures import SENTINEL
from tests.support.git import repos as g
from tests.support.git.clones import Repo, remote_log


def _hold_at_push(repo: Repo, tmp_path: Path) -> tuple[Path, Path]:
    """A pre-push hook that says it started (marker) and waits for a release file."""
    marker, release = tmp_path / "at-push", tmp_path / "release"
    g.hook(repo.work, "pre-push", f'touch "{marker}"\ni=0\nwhile [ ! -e "{release}" ] && '
           '[ $i -lt 1200 ]; do sleep 0.05; i=$((i+1)); done\n')
    return marker, release


def test_a_second_promotion_in_the_same_clone_waits_then_names_the_holder(
    repo: Repo, tmp_path: Path
):
    marker, release = _hold_at_push(repo, tmp_path)
    first = repo.spawn("promote", "staging", "prod", "--yes", "--push")
    try:
        g.wait_for(marker)
        second = repo.run("promote", "staging", "prod", "--yes", "--push",
                          "--lock-timeout", "0.2")
        assert second.exit_code == 3
        assert f"pid {first.pid}" in second.stderr
        assert "promote staging prod" in second.stderr
    finally:
        release.touch()
        _, err = first.communicate(timeout=60)
    assert first.returncode == 0, err
    assert len(g.messages(repo.remote)) == 2  # the seed and one promotion: nothing mixed


def test_a_lock_left_by_a_killed_promotion_is_taken_over(repo: Repo, tmp_path: Path):
    marker, _ = _hold_at_push(repo, tmp_path)
    first = repo.spawn("promote", "staging", "prod", "--yes", "--push")
    g.wait_for(marker)
    os.killpg(first.pid, signal.SIGKILL)
    first.communicate(timeout=30)
    (repo.work / ".git/hooks/pre-push").unlink()
    again = repo.run("promote", "staging", "prod", "--yes", "--push", "--lock-timeout", "5")
    assert again.exit_code == 0, again.stderr
    assert "took over the repository lock" in again.stderr
    # the killed run had committed: the re-run pushed that commit, and made none of its own
    assert len(g.messages(repo.remote)) == 2
    assert g.head(repo.remote, "main") == g.head(repo.work)


def test_ctrl_c_after_the_commit_keeps_it_and_a_rerun_pushes_it(repo: Repo, tmp_path: Path):
    marker = tmp_path / "at-push"
    g.hook(repo.work, "pre-push", f'touch "{marker}"\nsleep 60\n')
    before = remote_log(repo)
    run = repo.spawn("promote", "staging", "prod", "--yes", "--push")
    g.wait_for(marker)
    os.killpg(run.pid, signal.SIGINT)  # as a terminal's Ctrl-C: the whole process group
    _, err = run.communicate(timeout=60)
    assert run.returncode == 130, err
    assert "stays on main" in err and "run the same command again" in err
    assert remote_log(repo) == before
    assert g.git(repo.work, "rev-list", "--count", "origin/main..main") == "1"
    assert g.git(repo.work, "status", "--porcelain") == ""
    committed = g.head(repo.work)
    (repo.work / ".git/hooks/pre-push").unlink()
    again = repo.run("promote", "staging", "prod", "--yes", "--push", "--lock-timeout", "5")
    assert again.exit_code == 0, again.stderr
    assert g.head(repo.remote, "main") == committed
    assert len(remote_log(repo)) == len(before) + 1


def test_ctrl_c_before_the_commit_leaves_everything_as_it_was(repo: Repo, tmp_path: Path):
    """The run is held inside the gate's request to the fake Argo CD, then interrupted."""
    config = tmp_path / "argocd-config"
    config.mkdir()
    work, remote = g.tree_hash(repo.work), g.tree_hash(repo.remote)
    with FakeArgo(token=SENTINEL) as fake:
        fake.fault("GET /api/v1/applications", Fault(delay=60))
        run = repo.spawn("promote", "staging", "prod", "--yes", "--push",
                         extra={"ARGOCD_SERVER": fake.url, "ARGOCD_AUTH_TOKEN": SENTINEL,
                                "ARGOCD_CONFIG_DIR": str(config)})
        _wait_for_request(fake, run)
        os.killpg(run.pid, signal.SIGINT)
        out, err = run.communicate(timeout=60)
    assert run.returncode == 130, err
    assert "SENTINEL" not in out + err
    after = g.tree_hash(repo.work)
    after.pop(".git/gitops-tool.lock", None)  # the lock's (empty) file
    fetched = {k for k in set(after) ^ set(work) if "refs/remotes" in k or k.endswith("FETCH_HEAD")}
    assert {k for k in set(after) ^ set(work)} <= fetched  # at most what the fetch updated
    assert all(after[k] == work[k] for k in work if k in after and k not in fetched
               and not k.startswith(".git/logs/"))
    assert g.tree_hash(repo.remote) == remote
    assert g.git(repo.work, "status", "--porcelain") == ""
    assert not list((repo.work / ".git").glob("gitops-tool-index-*"))
    # the lock is free: taken at once, without waiting (a dry run would prove nothing: it
    # never takes the lock)
    with repository_lock(repo.work, "test", 0):
        pass


def _wait_for_request(fake: FakeArgo, run: subprocess.Popen) -> None:
    import time

    deadline = time.monotonic() + 60
    while not fake.requests("GET /api/v1/applications"):
        assert run.poll() is None, run.communicate()[1]
        assert time.monotonic() < deadline, "the promotion never asked Argo CD"
        time.sleep(0.02)
