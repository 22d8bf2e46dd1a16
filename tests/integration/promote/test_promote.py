"""`promote` end to end with real git: one commit, its trailers, idempotence, the refusals
before anything is touched, and --dry-run changing nothing anywhere."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from gitops_tool.core.promote.trailers import parse_trailers
from tests.support.git import repos as g
from tests.support.git.clones import (
    PROD_REVISION,
    STAGING_REVISION,
    Repo,
    changed_files,
    make_repo,
    pins,
    remote_log,
)
from tests.support.repo import copy_tree


def test_a_promotion_is_one_commit_of_the_environment_file_and_its_rendered_files(repo: Repo):
    before = g.head(repo.work)
    result = repo.run("promote", "staging", "prod", "--yes", "--push", "-o", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["outcome"] == "pushed" and data["exit_code"] == 0
    commit = data["commit"]
    assert len(commit) == 40 and g.head(repo.work) == commit == g.head(repo.remote, "main")
    assert g.git(repo.work, "rev-parse", f"{commit}^") == before  # one commit, on top
    files = changed_files(repo.work, commit)
    assert "environments/prod.yaml" in files
    assert all(f == "environments/prod.yaml" or f.startswith("argocd/prod/") for f in files)
    prod = yaml.safe_load((repo.work / "environments/prod.yaml").read_text())
    assert prod["source"]["revision"] == STAGING_REVISION
    assert pins((repo.work / "environments/prod.yaml").read_text()) == pins(
        (repo.work / "environments/staging.yaml").read_text())
    app = yaml.safe_load((repo.work / "argocd/prod/applications/prod-portal.yaml").read_text())
    assert app["spec"]["source"]["targetRevision"] == STAGING_REVISION
    assert app["spec"]["source"]["helm"]["parameters"][0]["value"] == "2.1.0"
    message = g.messages(repo.work)[0]
    assert message.splitlines()[0] == "promote staging -> prod: 2 services, charts at cccccccccccc"
    assert "- portal: 2.0.0 -> 2.1.0" in message
    trailers = parse_trailers(message)
    assert trailers["Gitops-Tool-Promotion"] == [data["promotion_id"]]
    assert trailers["Gitops-Tool-Source-Revision"] == [STAGING_REVISION]
    assert trailers["Gitops-Tool-Gate"] == ["not checked"]
    assert g.git(repo.work, "log", "-1", "--format=%an <%ae>|%cn") == \
        "Pat Promoter <pat@example.org>|Pat Promoter"
    assert g.git(repo.work, "status", "--porcelain") == ""
    assert repo.run("render", "--check").exit_code == 0
    assert "no Argo CD server is configured" in result.stderr


def test_promoting_what_is_promoted_makes_no_commit(repo: Repo):
    assert repo.run("promote", "staging", "prod", "--yes", "--push").exit_code == 0
    remote_before = remote_log(repo)
    again = repo.run("promote", "staging", "prod", "--yes", "--push")
    assert again.exit_code == 0, again.stderr
    assert "already runs staging's versions" in again.stdout
    assert remote_log(repo) == remote_before
    assert g.head(repo.work) == g.head(repo.remote, "main")


def test_the_environment_file_is_byte_identical_outside_the_changed_values(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """On a copy of this repository: comments, quoting, key order and blank lines stay."""
    repo = make_repo(tmp_path, monkeypatch, tree=copy_tree(tmp_path / "seed"))
    path = repo.work / "environments/prod.yaml"
    before = path.read_text().splitlines(keepends=True)
    result = repo.run("promote", "staging", "prod", "--yes")
    assert result.exit_code == 0, result.stderr
    after = path.read_text().splitlines(keepends=True)
    assert len(after) == len(before)
    staging = pins((repo.work / "environments/staging.yaml").read_text())
    changed = [(b, a) for b, a in zip(before, after, strict=True) if b != a]
    assert changed, "nothing moved"
    for old, new in changed:  # only the value differs, in the same quotes, comment kept
        key = old.split(":")[0]
        assert new.startswith(key + ":")
        assert old.count('"') == new.count('"')
        assert ("#" in old) == ("#" in new)
    assert sum(1 for line in after if line.lstrip().startswith("#")) == \
        sum(1 for line in before if line.lstrip().startswith("#"))
    assert pins(path.read_text()) == staging
    assert repo.run("render", "--check").exit_code == 0


def test_a_per_service_promotion_moves_the_chart_with_its_image(repo: Repo):
    result = repo.run("promote", "staging", "prod", "--service", "portal", "--yes")
    assert result.exit_code == 0, result.stderr
    prod = yaml.safe_load((repo.work / "environments/prod.yaml").read_text())
    assert prod["source"]["revision"] == PROD_REVISION  # the environment's revision stays
    assert prod["releases"]["portal"] == {"image": "2.1.0", "revision": STAGING_REVISION}
    assert prod["releases"]["worker"] == {"image": "1.3.0"}
    portal = yaml.safe_load((repo.work / "argocd/prod/applications/prod-portal.yaml").read_text())
    worker = yaml.safe_load((repo.work / "argocd/prod/applications/prod-worker.yaml").read_text())
    assert portal["spec"]["source"]["targetRevision"] == STAGING_REVISION
    assert worker["spec"]["source"]["targetRevision"] == PROD_REVISION
    message = g.messages(repo.work)[0]
    assert message.splitlines()[0] == "promote staging -> prod: 1 service"
    # the body says what moved, old -> new, the chart's commit included
    assert f"- portal: 2.0.0 -> 2.1.0 (chart {PROD_REVISION[:12]} -> {STAGING_REVISION[:12]})" \
        in message.splitlines(), message
    # the full promotion then makes prod's pins and revisions equal to staging's
    full = repo.run("promote", "staging", "prod", "--yes")
    assert full.exit_code == 0, full.stderr
    prod = yaml.safe_load((repo.work / "environments/prod.yaml").read_text())
    assert prod["source"]["revision"] == STAGING_REVISION
    assert prod["releases"]["portal"] == {"image": "2.1.0"}  # equal to the env's: never written


def test_a_service_name_is_checked(repo: Repo):
    result = repo.run("promote", "staging", "prod", "--service", "portl", "--yes")
    assert result.exit_code == 2
    assert "did you mean 'portal'" in result.stderr


@pytest.mark.parametrize(
    ("source", "target", "says"),
    [("dev", "prod", "skips a stage"), ("prod", "staging", "backwards"),
     ("staging", "prd", "did you mean 'prod'"), ("staging", "staging", "backwards")],
)
def test_only_one_step_along_the_chain(repo: Repo, source: str, target: str, says: str):
    before = g.tree_hash(repo.work)
    result = repo.run("promote", source, target, "--yes", "--push")
    assert result.exit_code == 2
    assert says in result.stderr
    assert g.tree_hash(repo.work) == before


@pytest.mark.parametrize("command", ["promote", "diff"])
def test_an_unknown_environment_lists_the_known_in_chain_order(repo: Repo, command: str):
    extra = ("--yes",) if command == "promote" else ()
    result = repo.run(command, "staging", "prd", *extra)
    assert result.exit_code == 2
    assert "known environments: dev, staging, prod" in result.stderr


def test_a_dirty_tree_is_refused_and_left_as_it_is(repo: Repo):
    (repo.work / "environments/prod.yaml.bak").write_text("mine\n")
    values = repo.work / "charts/portal/values-prod.yaml"
    values.write_text(values.read_text() + "# my edit\n")
    before = g.tree_hash(repo.work)
    result = repo.run("promote", "staging", "prod", "--yes", "--push")
    assert result.exit_code == 2
    assert "environments/prod.yaml.bak" in result.stderr
    assert "charts/portal/values-prod.yaml" in result.stderr
    after = g.tree_hash(repo.work)
    after.pop(".git/gitops-tool.lock")  # the repository lock's file, empty once released
    assert after == before
    assert remote_log(repo) == g.log(repo.work)


def test_a_detached_head_is_refused(repo: Repo):
    g.git(repo.work, "checkout", "-q", "--detach")
    result = repo.run("promote", "staging", "prod", "--yes")
    assert result.exit_code == 2
    assert "HEAD is detached" in result.stderr


def test_without_yes_a_run_that_cannot_ask_is_refused(repo: Repo):
    before = g.tree_hash(repo.work)
    result = repo.run("promote", "staging", "prod")
    assert result.exit_code == 2
    assert "--yes" in result.stderr
    assert g.tree_hash(repo.work) == before


def test_dry_run_changes_nothing_anywhere(repo: Repo):
    from gitops_tool.adapters.lock import lock_path

    g.git(repo.work, "status")  # let git settle its index once, as any earlier command would
    work, remote = g.tree_hash(repo.work), g.tree_hash(repo.remote)
    result = repo.run("promote", "staging", "prod", "--dry-run", "--push", "-o", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["outcome"] == "planned" and data["commit"] is None
    assert "+    image: \"2.1.0\"" in data["diff"]
    assert g.tree_hash(repo.work) == work  # .git included: no ref, object, index or lock
    assert g.tree_hash(repo.remote) == remote
    assert not lock_path(repo.work).exists()


def test_a_commit_needs_an_identity(repo: Repo, monkeypatch: pytest.MonkeyPatch):
    for key in ("GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME",
                "GIT_COMMITTER_EMAIL"):
        monkeypatch.delenv(key)
    g.git(repo.work, "config", "user.useConfigOnly", "true")
    result = repo.run("promote", "staging", "prod", "--yes")
    assert result.exit_code == 2
    assert "identity" in result.stderr and "git config user.name" in result.stderr
    assert g.git(repo.work, "status", "--porcelain") == ""


def test_a_declined_confirmation_changes_nothing(repo: Repo):
    from gitops_tool.adapters.argocd.runtime import Runtime
    from gitops_tool.commands import promote

    seen = []

    def decline(preview: promote.Preview) -> bool:
        seen.append(preview)
        return False

    before = g.tree_hash(repo.work)
    result = promote.run(
        promote.PromoteOptions(repo.work, "staging", "prod", push=True, interactive=True),
        promote.PromoteDeps(runtime=Runtime(env={}, home=repo.home), confirm=decline),
    )
    assert result.outcome is promote.Outcome.DECLINED and result.exit_code == 1
    assert '+    image: "2.1.0"' in seen[0].diff and seen[0].story.target == "prod"
    after = g.tree_hash(repo.work)
    after.pop(".git/gitops-tool.lock")
    fetched = {k for k in after if "refs/remotes" in k or "FETCH_HEAD" in k or "logs/" in k}
    assert {k: v for k, v in after.items() if k not in fetched} == {
        k: v for k, v in before.items() if k not in fetched}


def test_a_malformed_values_file_stops_the_promotion_before_anything(repo: Repo):
    """Row 24 through promote: a committed values file with a duplicate key."""
    values = repo.work / "charts/portal/values-prod.yaml"
    values.write_text("replicaCount: 2\nreplicaCount: 3\n")
    g.git(repo.work, "commit", "-qam", "a broken values file")
    g.git(repo.work, "push", "-q", "origin", "main")  # pushed: promote pushes no one else's
    before, remote = g.tree_hash(repo.work), remote_log(repo)
    result = repo.run("promote", "staging", "prod", "--yes", "--push")
    assert result.exit_code == 2
    assert "charts/portal/values-prod.yaml:2" in result.stderr
    assert "duplicate key" in result.stderr
    after = g.tree_hash(repo.work)
    assert {k: v for k, v in after.items() if not k.startswith(".git/")} == {
        k: v for k, v in before.items() if not k.startswith(".git/")}
    assert g.head(repo.work) == g.log(repo.work, fmt="%H")[0] and remote_log(repo) == remote


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("promote", "staging", "prod", "--service", "portl", "--push"), "did you mean 'portal'"),
        (("promote", "staging", "prod", "--branch", "promote/staging.lock"),
         "not a valid branch name"),
        (("promote", "staging", "prod", "--branch", "promote/a:b", "-o", "json"),
         "not a valid branch name"),
        (("promote", "staging", "prod", "--branch", "@{-1}"), "not a valid branch name"),
        (("rollback", "prod", "--to", "prod-nope", "--push"), "gitops-tool history prod"),
        (("rollback", "prod", "--to", "--nope", "--push"), "neither a promotion id"),
        (("rollback", "prod", "--to", "HEAD", "--branch", "rollback/prod~1"),
         "not a valid branch name"),
    ],
)
def test_bad_arguments_exit_2_before_git_or_the_lock_is_touched(
    repo: Repo, args: tuple[str, ...], says: str
):
    other = repo.other_clone()  # the remote moved: a fetch would fast-forward the branch
    repo.commit_change(other, "environments/dev.yaml", '"1.4.0"', '"1.4.1"', "dev: worker")
    g.git(repo.work, "checkout", "-q", "-b", "elsewhere")  # @{-1} names main
    g.git(repo.work, "checkout", "-q", "main")
    g.git(repo.work, "status")  # let git settle its index once
    before = g.tree_hash(repo.work)
    result = repo.run(*args, "--yes")
    assert result.exit_code == 2, result.stdout + result.stderr
    assert says in result.stdout + result.stderr
    assert g.tree_hash(repo.work) == before  # no fetch, no lock file, no ref, no commit


def test_the_commit_holds_only_the_environment_file_and_its_rendered_folder(repo: Repo):
    """The bootstrap folder out of date at HEAD (a hand edit, committed), an ignored file in
    argocd/prod/: neither is this promotion's business, and neither gets into its commit."""
    readme = repo.work / "argocd/bootstrap/README.md"
    readme.write_text(readme.read_text() + "\nhand edit\n")
    g.git(repo.work, "commit", "-qam", "a hand edit of a rendered file")
    g.git(repo.work, "push", "-q", "origin", "main")
    with (repo.work / ".git/info/exclude").open("a") as exclude:
        exclude.write("argocd/prod/applications/notes.yaml\n")
    notes = repo.work / "argocd/prod/applications/notes.yaml"
    notes.write_text("mine\n")
    result = repo.run("promote", "staging", "prod", "--yes", "--push", "-o", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    files = changed_files(repo.work, data["commit"])
    assert "environments/prod.yaml" in files
    assert all(f == "environments/prod.yaml" or f.startswith("argocd/prod/") for f in files)
    assert data["files"] == sorted(files)  # the report lists what the commit holds
    assert notes.read_text() == "mine\n" and "hand edit" in readme.read_text()


def test_an_uncommitted_edit_of_an_environment_file_is_never_promoted(repo: Repo):
    """An edit git does not report (skip-worktree): promote reads the committed files."""
    staging = repo.work / "environments/staging.yaml"
    g.git(repo.work, "update-index", "--skip-worktree", "environments/staging.yaml")
    staging.write_text(staging.read_text().replace('"2.1.0"', '"9.9.9"', 1))
    assert g.git(repo.work, "status", "--porcelain") == ""
    result = repo.run("promote", "staging", "prod", "--yes", "-o", "json")
    assert result.exit_code == 0, result.stderr
    committed = g.git(repo.work, "show", "HEAD:environments/prod.yaml")
    assert pins(committed)["portal"] == "2.1.0"
    assert "environments/staging.yaml" in result.stderr  # said, not silent


def test_diff_counts_the_services_it_would_move_and_those_it_would_keep(repo: Repo):
    result = repo.run("diff", "staging", "prod")
    assert result.exit_code == 1, result.stderr
    assert "would move 2 services and source.revision; 2 keep their image" in result.stdout
    one = repo.run("diff", "staging", "prod", "--service", "portal")
    assert "would move 1 service; 0 keep their image" in one.stdout
