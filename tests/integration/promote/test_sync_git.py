"""`sync ENV` and git: Argo CD deploys what the remote branch holds, so sync refuses (exit 2,
before any request) when ENV's inputs are uncommitted or differ from the remote branch the
root Application tracks; `--from-remote` syncs what the remote has, knowingly."""

from __future__ import annotations

from gitops_tool.adapters.argocd.runtime import Runtime
from gitops_tool.adapters.files import load_tree
from gitops_tool.commands import sync
from tests.support.argocd.apps import populate
from tests.support.argocd.fake import FakeArgo
from tests.support.git import repos as g
from tests.support.git.clones import Repo


def test_uncommitted_inputs_are_refused_before_any_request(fake: FakeArgo, repo: Repo,
                                                            runtime: Runtime):
    path = repo.work / "environments/staging.yaml"
    path.write_text(path.read_text().replace('"2.1.0"', '"2.1.1"'))
    result = repo.run("sync", "staging", runtime=runtime)
    assert result.exit_code == 2
    assert "environments/staging.yaml" in result.stderr and "--from-remote" in result.stderr
    assert not fake.requests()


def test_unpushed_changes_to_the_environment_are_refused(fake: FakeArgo, repo: Repo,
                                                         runtime: Runtime):
    assert repo.run("promote", "staging", "prod", "--yes").exit_code == 0  # not pushed
    result = repo.run("sync", "prod", runtime=runtime)
    assert result.exit_code == 2
    assert "not on origin/main" in result.stderr and "git push" in result.stderr
    assert not fake.requests()
    # A dry run shows what the real run would do: refused alike for prod, and dev's inputs
    # (unchanged) pass the check and reach Argo CD, which lacks dev's apps here (exit 1).
    assert repo.run("sync", "prod", "--dry-run", runtime=runtime).exit_code == 2
    assert not fake.requests()
    assert repo.run("sync", "dev", "--dry-run", runtime=runtime).exit_code == 1
    assert fake.requests()


def test_newer_changes_on_the_remote_are_refused(fake: FakeArgo, repo: Repo, runtime: Runtime):
    other = repo.other_clone()
    repo.commit_change(other, "charts/portal/values-staging.yaml", "replicaCount: 2",
                       "replicaCount: 4", "staging: more portals")
    g.git(repo.work, "fetch", "-q")
    result = repo.run("sync", "staging", runtime=runtime)
    assert result.exit_code == 2
    assert "newer changes" in result.stderr and "git pull" in result.stderr
    assert not fake.requests()


def test_from_remote_syncs_what_the_remote_holds(fake: FakeArgo, repo: Repo, runtime: Runtime):
    other = repo.other_clone()
    populate(fake, load_tree(other), "staging")  # Argo CD runs the remote's staging
    path = repo.work / "environments/staging.yaml"
    path.write_text(path.read_text().replace('"2.1.0"', '"2.1.1"'))  # seen here only
    g.git(repo.work, "commit", "-qam", "local only")
    result = sync.run(sync.SyncOptions(repo.work, "staging", from_remote=True,
                                       apps=("portal",)), runtime)
    assert result.outcome is sync.SyncOutcome.DONE
    portal = next(a for a in result.plan.apps if a.service == "portal")
    assert portal.image_tag == "2.1.0"  # the remote's pin, not the local commit's
