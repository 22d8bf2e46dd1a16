"""`sync ENV` asks the remote itself what the root Application's branch holds (`git
ls-remote`), not the remote-tracking ref of the last fetch; a remote that cannot be asked is
a warning, not a failure; and a folder inside another repository is not the GitOps
repository."""

from __future__ import annotations

import shutil

import pytest

from gitops_tool.adapters.argocd.runtime import Runtime
from gitops_tool.adapters.files import load_tree
from gitops_tool.commands import sync
from tests.support.argocd.apps import populate
from tests.support.argocd.fake import FakeArgo
from tests.support.git import repos as g
from tests.support.git.clones import Repo

pytestmark = pytest.mark.timeout(120)


def test_a_change_on_the_remote_is_seen_without_a_fetch(fake: FakeArgo, repo: Repo,
                                                        runtime: Runtime):
    other = repo.other_clone()
    pushed = repo.commit_change(other, "charts/portal/values-staging.yaml", "replicaCount: 2",
                                "replicaCount: 4", "staging: more portals")
    stale = g.head(repo.work, "refs/remotes/origin/main")
    assert stale != pushed  # the clone has not fetched it: its origin/main is old
    result = repo.run("sync", "staging", "--dry-run", runtime=runtime)
    assert result.exit_code == 2, result.output
    assert "origin/main has newer changes to staging's inputs" in result.stderr
    assert "git pull" in result.stderr
    assert not fake.requests()
    # the branch was fetched to compare (origin/main moved); HEAD and the files did not
    assert g.head(repo.work, "refs/remotes/origin/main") == pushed
    assert g.head(repo.work) == stale
    assert g.git(repo.work, "status", "--porcelain") == ""


def test_a_change_on_the_remote_to_another_environment_lets_sync_go_on(
        fake: FakeArgo, repo: Repo, runtime: Runtime):
    populate(fake, load_tree(repo.work), "staging")
    other = repo.other_clone()
    repo.commit_change(other, "environments/dev.yaml", '"2.2.0"', '"2.2.1"', "dev: portal")
    result = repo.run("sync", "staging", "--dry-run", runtime=runtime)
    assert result.exit_code == 0, result.output
    assert fake.requests()


def test_from_remote_syncs_the_remote_tip_not_the_last_fetch(fake: FakeArgo, repo: Repo,
                                                             runtime: Runtime):
    other = repo.other_clone()
    path = other / "environments/staging.yaml"
    path.write_text(path.read_text().replace('"2.1.0"', '"2.1.1"'))
    assert repo.run("--repo", str(other), "render").exit_code == 0
    g.git(other, "commit", "-qam", "staging: portal 2.1.1")
    g.git(other, "push", "-q", "origin", "HEAD:main")
    populate(fake, load_tree(other), "staging")
    result = sync.run(sync.SyncOptions(repo.work, "staging", from_remote=True,
                                       apps=("portal",)), runtime)
    assert result.outcome is sync.SyncOutcome.DONE
    portal = next(a for a in result.plan.apps if a.service == "portal")
    assert portal.image_tag == "2.1.1"  # the remote's newest, never fetched before


def test_an_unreachable_remote_is_a_warning_and_the_last_fetch_is_compared(
        fake: FakeArgo, repo: Repo, runtime: Runtime, tmp_path):
    populate(fake, load_tree(repo.work), "staging")
    served = tmp_path / "served"
    served.mkdir()
    shutil.move(repo.remote, served / "gitops.git")
    with g.git_daemon(served) as daemon:
        g.git(repo.work, "remote", "set-url", "origin", daemon.url("gitops.git"))
        g.git(repo.work, "fetch", "-q", "origin")
        reached = repo.run("sync", "staging", "--dry-run", runtime=runtime)
        assert reached.exit_code == 0 and "warning" not in reached.stderr, reached.output
        # A change pushed to the daemon, not fetched here: seen through git://
        other = g.clone(daemon.url("gitops.git"), tmp_path / "other")
        repo.commit_change(other, "environments/staging.yaml", '"1.4.0"', '"1.4.1"',
                           "staging: worker 1.4.1")
        refused = repo.run("sync", "staging", "--dry-run", runtime=runtime)
        assert refused.exit_code == 2 and "newer changes" in refused.stderr
        g.git(repo.work, "pull", "-q", "--ff-only", "origin", "main")
    # The daemon is gone: a warning, and HEAD is compared with origin/main as last fetched.
    requests = len(fake.requests())
    result = repo.run("sync", "staging", "--dry-run", runtime=runtime)
    assert result.exit_code == 0, result.output
    assert "image tag 1.4.0 differs from the pin 1.4.1" in result.stdout  # the pulled plan
    assert len(fake.requests()) > requests
    (warning,) = [w for w in result.stderr.splitlines() if "cannot reach remote 'origin'" in w]
    assert "comparing with origin/main as last fetched" in warning
    # ... which still refuses a commit that is not on it
    path = repo.work / "environments/staging.yaml"
    path.write_text(path.read_text().replace('"2.1.0"', '"2.1.1"'))
    g.git(repo.work, "commit", "-qam", "staging: portal 2.1.1 (not pushed)")
    refused = repo.run("sync", "staging", "--dry-run", runtime=runtime)
    assert refused.exit_code == 2 and "not on origin/main" in refused.stderr


def test_a_branch_the_remote_lacks_is_refused(fake: FakeArgo, repo: Repo, runtime: Runtime):
    path = repo.work / "environments/staging.yaml"
    path.write_text(path.read_text().replace("branch: main", "branch: release", 1))
    assert repo.run("render").exit_code == 0
    g.git(repo.work, "commit", "-qam", "staging tracks release")
    result = repo.run("sync", "staging", "--dry-run", runtime=runtime)
    assert result.exit_code == 2, result.output
    assert "remote origin has no branch release" in result.stderr
    assert "git push origin HEAD:release" in result.stderr
    assert not fake.requests()


def test_a_folder_inside_another_repository_is_refused(fake: FakeArgo, repo: Repo,
                                                       runtime: Runtime, tmp_path):
    outer = tmp_path / "outer"
    shutil.copytree(repo.work, outer / "platform" / "gitops",
                    ignore=shutil.ignore_patterns(".git"))
    g.git(outer, "init", "-q", "-b", "main")
    g.git(outer, "add", "-A")
    g.git(outer, "commit", "-qm", "a monorepo holding the tree in a subfolder")
    result = repo.run("--repo", str(outer / "platform" / "gitops"), "sync", "staging",
                      "--dry-run", runtime=runtime)
    assert result.exit_code == 2, result.output
    assert f"is inside the git repository {outer}, not the top folder" in result.stderr
    assert "hint: run sync in the top folder of a clone of the GitOps repository" in \
        result.stderr
    assert not fake.requests()
