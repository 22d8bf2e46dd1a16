"""The gate against the fake Argo CD (row 22): SOURCE's apps must be Synced and Healthy at
the promoted revision and tag, reconciled after their last operation; otherwise no commit
(exit 1), naming each app. Unreachable Argo CD is exit 3; --skip-gate --reason is on
record; what a branch-tracking SOURCE runs comes from Argo CD."""

from __future__ import annotations

import json

import pytest

from gitops_tool.adapters.argocd.runtime import Runtime
from gitops_tool.adapters.files import load_tree
from gitops_tool.core.promote.trailers import parse_trailers
from tests.support.argocd.apps import populate
from tests.support.argocd.fake import FakeArgo
from tests.support.argocd.fixtures import SENTINEL
from tests.support.git import repos as g
from tests.support.git.clones import STAGING_REVISION, Repo, remote_log


@pytest.fixture
def staging(fake: FakeArgo, repo: Repo) -> FakeArgo:
    """Argo CD showing staging's apps Synced and Healthy at its pins."""
    populate(fake, load_tree(repo.work), "staging")
    return fake


def test_a_healthy_source_passes_and_the_commit_says_so(staging: FakeArgo, repo: Repo,
                                                        runtime: Runtime):
    result = repo.run("promote", "staging", "prod", "--yes", "--push", runtime=runtime)
    assert result.exit_code == 0, result.stderr
    assert parse_trailers(g.messages(repo.remote)[0])["Gitops-Tool-Gate"] == ["passed"]
    lists = staging.requests("GET /api/v1/applications")
    assert len(lists) == 1 and lists[0].query["selector"] == ["gitops-tool/environment=staging"]
    assert not staging.posts()  # the gate reads; it never syncs


@pytest.mark.parametrize(
    ("break_it", "says"),
    [
        (lambda app: setattr(app, "health", "Degraded"), "health is Degraded"),
        (lambda app: setattr(app, "sync_status", "OutOfSync"), "sync is OutOfSync"),
        (lambda app: setattr(app, "sync_revision", "e" * 40), "runs eeeeeee, expected ccccccc"),
        (lambda app: setattr(app, "image_tag", "2.0.9"), "image tag 2.0.9, expected 2.1.0"),
        (lambda app: setattr(app, "op_state", dict(app.op_state, phase="Running")),
         "an operation is Running"),
    ],
    ids=["degraded", "out-of-sync", "wrong-revision", "wrong-tag", "running"],
)
def test_an_unhealthy_source_is_refused_naming_the_app(
    staging: FakeArgo, repo: Repo, runtime: Runtime, break_it, says: str
):
    break_it(staging.apps["staging-portal"])
    before = remote_log(repo), g.head(repo.work)
    result = repo.run("promote", "staging", "prod", "--yes", "--push", runtime=runtime)
    assert result.exit_code == 1, result.stderr
    assert "staging-portal" in result.stdout and says in result.stdout
    assert "staging-worker" not in result.stdout  # only the apps that fail are listed
    assert "--skip-gate --reason" in result.stderr
    assert (remote_log(repo), g.head(repo.work)) == before
    assert g.git(repo.work, "status", "--porcelain") == ""


def test_the_gate_refusal_as_json_names_status_revision_and_tag(
    staging: FakeArgo, repo: Repo, runtime: Runtime
):
    staging.apps["staging-worker"].health = "Degraded"
    result = repo.run("promote", "staging", "prod", "--yes", "-o", "json", runtime=runtime)
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["exit_code"] == 1 and data["outcome"] == "refused" and data["commit"] is None
    worker = next(a for a in data["gate"]["apps"] if a["app"] == "staging-worker")
    assert worker["health"] == "Degraded" and worker["revision"] == STAGING_REVISION
    assert worker["image_tag"] == "1.4.0" and not worker["ok"]


def test_an_unreachable_argocd_fails_with_exit_3(repo: Repo, tmp_path):
    port = g.free_port()
    runtime = Runtime(env={"ARGOCD_SERVER": f"http://127.0.0.1:{port}",
                           "ARGOCD_AUTH_TOKEN": SENTINEL,
                           "ARGOCD_CONFIG_DIR": str(tmp_path)},
                      home=tmp_path, clock=_NoSleep())
    before = remote_log(repo)
    result = repo.run("promote", "staging", "prod", "--yes", "--push", runtime=runtime)
    assert result.exit_code == 3, result.stderr
    assert f"127.0.0.1:{port}" in result.stderr
    assert remote_log(repo) == before


def test_skipping_the_gate_is_recorded_with_its_reason(staging: FakeArgo, repo: Repo,
                                                       runtime: Runtime):
    staging.apps["staging-portal"].health = "Degraded"
    assert repo.run("promote", "staging", "prod", "--yes", "--skip-gate",
                    runtime=runtime).exit_code == 2  # a reason is required
    result = repo.run("promote", "staging", "prod", "--yes", "--push", "--skip-gate",
                      "--reason", "INC-42: hotfix, staging is down for maintenance",
                      runtime=runtime)
    assert result.exit_code == 0, result.stderr
    trailers = parse_trailers(g.messages(repo.remote)[0])
    assert trailers["Gitops-Tool-Gate"] == [
        "skipped: INC-42: hotfix, staging is down for maintenance"]
    assert trailers["Gitops-Tool-Gate-Skipped"] == [
        "INC-42: hotfix, staging is down for maintenance"]
    assert not staging.requests()  # a pinned source and a skipped gate: nothing to ask


def test_what_a_branch_tracking_source_runs_comes_from_argocd(fake: FakeArgo, repo: Repo,
                                                              runtime: Runtime):
    running = g.head(repo.work)
    fake.heads["main"] = running  # dev's apps report this commit of main
    populate(fake, load_tree(repo.work), "dev")
    result = repo.run("promote", "dev", "staging", "--yes", "-o", "json", runtime=runtime)
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["source_revision"] == running
    assert data["source_revision_from"]["how"] == "argocd"
    assert f"revision: {running}" in (repo.work / "environments/staging.yaml").read_text()


def test_a_branch_tracking_source_runs_the_pins_of_the_commit_argocd_reports(
    fake: FakeArgo, repo: Repo, runtime: Runtime
):
    """main has a newer dev pin that Argo CD has not synced yet: the promotion takes what
    dev runs (portal 2.2.0 at the reported commit), not what HEAD pins (2.3.0)."""
    running = g.head(repo.work)
    fake.heads["main"] = running
    populate(fake, load_tree(repo.work), "dev")  # dev's apps at `running`, portal 2.2.0
    repo.commit_change(repo.work, "environments/dev.yaml", '"2.2.0"', '"2.3.0"',
                       "dev: portal 2.3.0, not synced yet")
    result = repo.run("promote", "dev", "staging", "--yes", "-o", "json", runtime=runtime)
    assert result.exit_code == 0, result.stdout + result.stderr
    data = json.loads(result.stdout)
    assert data["source_revision"] == running and data["gate"]["status"] == "passed"
    portal = next(a for a in data["gate"]["apps"] if a["service"] == "portal")
    assert portal["expected_tag"] == "2.2.0"
    staging = (repo.work / "environments/staging.yaml").read_text()
    assert f"revision: {running}" in staging and '"2.2.0"' in staging


def test_a_commit_argocd_reports_that_the_clone_lacks_is_fetched(
    fake: FakeArgo, repo: Repo, runtime: Runtime
):
    other = repo.other_clone()
    running = repo.commit_change(other, "environments/dev.yaml", '"2.2.0"', '"2.3.0"',
                                 "dev: portal 2.3.0")  # pushed from elsewhere, not fetched
    fake.heads["main"] = running
    populate(fake, load_tree(other), "dev")
    dry = repo.run("promote", "dev", "staging", "--dry-run", runtime=runtime)
    assert dry.exit_code == 2 and "git fetch" in dry.stderr  # a dry run fetches nothing
    result = repo.run("promote", "dev", "staging", "--yes", "-o", "json", runtime=runtime)
    assert result.exit_code == 0, result.stdout + result.stderr
    assert json.loads(result.stdout)["source_revision"] == running
    assert '"2.3.0"' in (repo.work / "environments/staging.yaml").read_text()


def test_a_branch_tracking_source_whose_apps_disagree_is_refused(fake: FakeArgo, repo: Repo,
                                                                 runtime: Runtime):
    fake.heads["main"] = g.head(repo.work)
    populate(fake, load_tree(repo.work), "dev")
    fake.apps["dev-worker"].sync_revision = "f" * 40
    result = repo.run("promote", "dev", "staging", "--yes", runtime=runtime)
    assert result.exit_code == 1
    assert "(dev-worker runs fffffff; " in result.stderr
    assert "dev-portal, dev-postgres, dev-tenant-api run " in result.stderr
    assert g.git(repo.work, "status", "--porcelain") == ""


def test_without_argocd_a_branch_source_is_the_fetched_remote_branch(repo: Repo):
    other = repo.other_clone()
    moved = repo.commit_change(other, "charts/portal/values-dev.yaml", "replicaCount: 2",
                               "replicaCount: 3", "dev: more portals")
    result = repo.run("promote", "dev", "staging", "--yes", "-o", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["source_revision"] == moved
    assert data["source_revision_from"] == {"how": "remote", "detail": "origin/main, fetched now"}
    assert data["gate"]["status"] == "not checked"


class _NoSleep:
    def now(self):
        from datetime import UTC, datetime

        return datetime.now(UTC)

    def sleep(self, seconds: float) -> None:
        return None


def test_an_unknown_environment_contacts_nothing(staging: FakeArgo, repo: Repo,
                                                 runtime: Runtime):
    """Row 25: did-you-mean, exit 2; neither Argo CD nor the remote sees any traffic."""
    g.hook(repo.remote, "pre-receive", "exit 1\n", bare=True)  # a push would show here
    before = g.tree_hash(repo.remote)
    result = repo.run("promote", "staging", "prd", "--yes", "--push", runtime=runtime)
    assert result.exit_code == 2
    assert "did you mean 'prod'" in result.stderr and "dev, staging, prod" in result.stderr
    assert not staging.requests()
    assert g.tree_hash(repo.remote) == before
