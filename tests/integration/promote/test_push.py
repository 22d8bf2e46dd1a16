"""Pushing without losing anything (matrix rows 14-18, 20, 36): the remote moved (our commit
made again on its head, both kept, linear), the same pin moved (stop, backup ref), a
refusing hook (shown, scrubbed, the commit kept for a re-run), an unreachable remote, two
clones at once. The bare remote refuses any force push in every test."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gitops_tool.commands import promote
from gitops_tool.commands.publish import GitDeps
from gitops_tool.core.promote.trailers import parse_trailers
from tests.support.git import repos as g
from tests.support.git.clones import Repo, remote_log

CLEAN_ENV = ("unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE GIT_QUARANTINE_PATH "
             "GIT_OBJECT_DIRECTORY GIT_ALTERNATE_OBJECT_DIRECTORIES GIT_PREFIX\n")


def _once(marker: Path, body: str) -> str:
    """A hook body that runs `body` on its first call only."""
    return f'if [ ! -e "{marker}" ]; then\n  touch "{marker}"\n  {CLEAN_ENV}  {body}\nfi\n'


def _competing_push(other: Path, path: str, old: str, new: str) -> str:
    """Shell: change `old` to `new` in `path` of clone `other`, commit, push to main."""
    return (f'cd "{other}" && sed -i "s/{old}/{new}/" {path} && '
            f'git commit -q -am "someone else: {path}" && git push -q origin HEAD:main')


def _ids(repo: Path) -> list[str]:
    return [id_ for m in g.messages(repo)
            for id_ in parse_trailers(m).get("Gitops-Tool-Promotion", [])]


def _linear(repo: Path) -> bool:
    """No merge commit: every commit but the root has exactly one parent."""
    parents = [len(line.split()) - 1 for line in g.log(repo, fmt="%H %P")]
    return parents[-1] == 0 and all(n == 1 for n in parents[:-1])


def test_the_remote_moved_meanwhile_both_commits_are_kept_linear(repo: Repo, tmp_path: Path):
    other = repo.other_clone()
    # Our pre-push hook (first run only) pushes a change of another environment's file.
    g.hook(repo.work, "pre-push", _once(tmp_path / "moved", _competing_push(
        other, "environments/dev.yaml", '"1.4.0"', '"1.4.1"')))
    result = repo.run("promote", "staging", "prod", "--yes", "--push", "-o", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert "moved meanwhile" in result.stderr
    log = remote_log(repo)
    assert "someone else: environments/dev.yaml" in g.log(repo.remote, fmt="%s")
    assert _ids(repo.remote).count(data["promotion_id"]) == 1
    assert _linear(repo.remote)
    assert g.head(repo.remote, "main") == g.head(repo.work) == data["commit"]
    assert g.git(repo.work, "status", "--porcelain") == ""
    assert not g.git(repo.work, "for-each-ref", "refs/gitops-tool/")  # backups cleaned up
    assert len(log) == 3


def test_the_same_pin_moved_on_the_remote_stops_with_a_backup_ref(repo: Repo, tmp_path: Path):
    other = repo.other_clone()
    g.hook(repo.work, "pre-push", _once(tmp_path / "moved", _competing_push(
        other, "environments/prod.yaml", '"2.0.0"', '"2.0.5"')))
    result = repo.run("promote", "staging", "prod", "--yes", "--push")
    assert result.exit_code == 3, result.stderr
    assert "portal.image: the remote has 2.0.5; we moved 2.0.0 -> 2.1.0" in result.stderr
    backups = g.git(repo.work, "for-each-ref", "--format=%(refname) %(objectname)",
                    "refs/gitops-tool/backup/").splitlines()
    assert len(backups) == 1
    ref, commit = backups[0].split()
    message = g.git(repo.work, "log", "-1", "--format=%B", commit)
    assert ref == "refs/gitops-tool/backup/" + parse_trailers(message)["Gitops-Tool-Promotion"][0]
    assert ref in result.stderr
    assert g.git(repo.work, "status", "--porcelain") == ""
    assert g.head(repo.work) == g.head(repo.remote, "main")  # at the remote's head, clean
    assert "2.0.5" in (repo.work / "environments/prod.yaml").read_text()
    assert commit not in g.git(repo.remote, "log", "--format=%H", "main")


def test_a_push_the_remote_refuses_keeps_the_commit_and_a_rerun_pushes_it(repo: Repo):
    hook = g.hook(repo.remote, "pre-receive",
                  'echo "main is protected: open a pull request '
                  '(see http://bot:hook-SENTINEL@ci.example.org/rules)" >&2\nexit 1\n', bare=True)
    before = remote_log(repo)
    result = repo.run("promote", "staging", "prod", "--yes", "--push")
    assert result.exit_code == 3, result.stderr
    assert "main is protected: open a pull request" in result.stderr
    assert "SENTINEL" not in result.stderr + result.stdout
    assert remote_log(repo) == before
    assert g.git(repo.work, "rev-list", "--count", "origin/main..main") == "1"
    local = g.head(repo.work)
    hook.unlink()
    again = repo.run("promote", "staging", "prod", "--yes", "--push")
    assert again.exit_code == 0, again.stderr
    assert g.head(repo.remote, "main") == local  # the same commit: no second one
    assert len(remote_log(repo)) == len(before) + 1


def test_the_remote_moved_during_the_push_over_git_daemon(repo: Repo, tmp_path: Path):
    """Row 15: another push lands while ours is inside the server (its pre-receive hook
    pushes first), so ours fails with `cannot lock ref` / `failed to update ref`."""
    with g.git_daemon(tmp_path) as daemon:
        url = daemon.url("remote.git")
        g.git(repo.work, "remote", "set-url", "origin", url)
        other = g.clone(url, tmp_path / "other")
        g.hook(repo.remote, "pre-receive", _once(tmp_path / "raced", _competing_push(
            other, "environments/dev.yaml", '"1.4.0"', '"1.4.1"') + " >/dev/null 2>&1"),
            bare=True)
        result = repo.run("promote", "staging", "prod", "--yes", "--push", "-o", "json")
    assert result.exit_code == 0, result.stderr
    assert "moved meanwhile" in result.stderr
    data = json.loads(result.stdout)
    assert _ids(repo.remote).count(data["promotion_id"]) == 1
    subjects = g.log(repo.remote, fmt="%s")
    assert "someone else: environments/dev.yaml" in subjects
    assert g.head(repo.remote, "main") == data["commit"]


def test_two_clones_promote_at_once_and_both_land_once(repo: Repo, tmp_path: Path):
    """Row 20: two processes in two clones, their pushes held at a barrier so they race."""
    with g.git_daemon(tmp_path) as daemon:
        url = daemon.url("remote.git")
        g.git(repo.work, "remote", "set-url", "origin", url)
        second = g.clone(url, tmp_path / "second")
        marks = tmp_path / "a-ready", tmp_path / "b-ready"
        for clone_, mine, theirs in ((repo.work, *marks), (second, *reversed(marks))):
            g.hook(clone_, "pre-push", f'touch "{mine}"\ni=0\nwhile [ ! -e "{theirs}" ] && '
                   '[ $i -lt 1200 ]; do sleep 0.05; i=$((i+1)); done\n')
        first = repo.spawn("promote", "staging", "prod", "--yes", "--push", "-o", "json")
        other = repo.spawn("promote", "dev", "staging", "--yes", "--push", "-o", "json",
                           cwd=second)
        outs = [p.communicate(timeout=120) for p in (first, other)]
    assert first.returncode == 0, outs[0][1]
    assert other.returncode == 0, outs[1][1]
    ids = [json.loads(out)["promotion_id"] for out, _ in outs]
    landed = _ids(repo.remote)
    assert sorted(landed) == sorted(ids)  # each once
    assert _linear(repo.remote)


def test_an_unreachable_remote_is_tried_again_then_fails_naming_no_credential(
    repo: Repo, tmp_path: Path
):
    port = g.free_port()  # nothing listens there
    g.git(repo.work, "remote", "set-url", "origin",
          f"http://user:git-SENTINEL-pw@127.0.0.1:{port}/repo.git")
    sleeps: list[float] = []
    with pytest.raises(Exception) as caught:
        promote.run(
            promote.PromoteOptions(repo.work, "staging", "prod", push=True, yes=True),
            promote.PromoteDeps(git=GitDeps(sleep=sleeps.append)),
        )
    assert caught.value.exit_code == 3
    assert sleeps == [0.5, 1.0]  # three attempts, with backoff
    assert "SENTINEL" not in str(caught.value) + str(getattr(caught.value, "hint", ""))
    for args in (("promote", "staging", "prod", "--yes", "--push"),
                 ("--debug", "promote", "staging", "prod", "--yes", "--push")):
        result = repo.run(*args)
        assert result.exit_code == 3
        assert "cannot reach" in result.stderr
        assert "SENTINEL" not in result.stdout + result.stderr


def test_a_local_commit_stays_when_the_remote_is_down_and_a_rerun_pushes_it(
    repo: Repo, tmp_path: Path
):
    """Row 18: committed locally, then the push cannot reach the remote (a stopped daemon):
    the commit stays; once the remote is back, a re-run pushes it, no second commit."""
    with g.git_daemon(tmp_path) as daemon:
        url = daemon.url("remote.git")
        g.git(repo.work, "remote", "set-url", "origin", url)
        assert repo.run("promote", "staging", "prod", "--yes").exit_code == 0
        local = g.head(repo.work)
    down = repo.run("promote", "staging", "prod", "--yes", "--push")  # the daemon is stopped
    assert down.exit_code == 3
    assert g.head(repo.work) == local
    with g.git_daemon(tmp_path) as daemon:
        g.git(repo.work, "remote", "set-url", "origin", daemon.url("remote.git"))
        again = repo.run("promote", "staging", "prod", "--yes", "--push")
    assert again.exit_code == 0, again.stderr
    assert g.head(repo.remote, "main") == local


@pytest.mark.parametrize(
    "args",
    [("promote", "staging", "prod", "--push"),
     ("promote", "staging", "prod", "--branch", "promote/staging-to-prod-7"),
     ("rollback", "prod", "--to", "HEAD", "--push")],
)
def test_someone_elses_unpushed_commit_is_not_pushed_along(repo: Repo, args: tuple[str, ...]):
    dev = repo.work / "environments/dev.yaml"
    dev.write_text(dev.read_text().replace('"1.4.0"', '"1.4.9"', 1))
    g.git(repo.work, "commit", "-qam", "dev: worker 1.4.9, not ready")  # never pushed
    mine, remote = g.head(repo.work), g.tree_hash(repo.remote)
    result = repo.run(*args, "--yes")
    assert result.exit_code == 2, result.stdout + result.stderr
    assert f"{mine[:12]} dev: worker 1.4.9, not ready" in result.stderr
    assert "did not make" in result.stderr and "git push origin main:main" in result.stderr
    assert g.tree_hash(repo.remote) == remote  # nothing pushed, no branch created
    assert g.head(repo.work) == mine and g.git(repo.work, "branch", "--show-current") == "main"
    assert g.git(repo.work, "status", "--porcelain") == ""


def _backup_refs(repo: Path) -> list[str]:
    return g.git(repo, "for-each-ref", "--format=%(refname)", "refs/gitops-tool/backup/"
                 ).splitlines()


def test_an_error_after_the_reset_names_the_backup_ref(repo: Repo, tmp_path: Path):
    """The remote moved, and its new head cannot be promoted on (a broken values file): the
    branch is already at the remote's head, so the message must say where our commit is."""
    other = repo.other_clone()
    g.hook(repo.work, "pre-push", _once(tmp_path / "moved", (
        f'cd "{other}" && printf "replicaCount: 2\\nreplicaCount: 3\\n" > '
        'charts/portal/values-prod.yaml && git commit -q -am "someone else: values" && '
        'git push -q origin HEAD:main')))
    result = repo.run("promote", "staging", "prod", "--yes", "--push")
    assert result.exit_code == 2, result.stderr
    assert "duplicate key" in result.stderr
    (backup,) = _backup_refs(repo.work)
    hint = result.stderr.split("hint:", 1)[1]
    assert backup in hint and f"git reset --keep {backup}" in hint
    assert g.head(repo.work) == g.head(repo.remote, "main")


def test_a_push_that_fails_after_our_commit_was_made_again_names_the_backup_ref(
    repo: Repo, tmp_path: Path
):
    """The remote moves before every push (a busy branch): after the last attempt, the error
    says which commit is on the branch and where the one first made is kept."""
    other = repo.other_clone()
    g.hook(repo.work, "pre-push", f'{CLEAN_ENV}cd "{other}" && date +%s%N >> busy.txt && '
           'git add busy.txt && git commit -q -m "someone else: busy" && '
           'git push -q origin HEAD:main\n')
    with pytest.raises(Exception) as caught:
        promote.run(promote.PromoteOptions(repo.work, "staging", "prod", push=True, yes=True),
                    promote.PromoteDeps(git=GitDeps(sleep=lambda _s: None)))
    assert caught.value.exit_code == 3
    backups = _backup_refs(repo.work)
    assert backups and all(ref in caught.value.hint for ref in backups)
