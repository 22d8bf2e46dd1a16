"""history reads promotions back from git; rollback restores them through the same commit
path; diff says what promote would change; the pull-request flow (--branch, -o markdown);
render --commit."""

from __future__ import annotations

import json

import pytest
import yaml

from gitops_tool.core.promote.trailers import parse_trailers
from tests.support.git import repos as g
from tests.support.git.clones import PROD_REVISION, STAGING_REVISION, Repo, pins


def _prod(repo: Repo) -> dict:
    return yaml.safe_load((repo.work / "environments/prod.yaml").read_text())


def test_history_and_rollback_round_trip(repo: Repo):
    first = json.loads(repo.run("promote", "staging", "prod", "--yes", "--push",
                                "-o", "json").stdout)
    after_first = pins((repo.work / "environments/prod.yaml").read_text())
    other = repo.other_clone()
    repo.commit_change(other, "environments/staging.yaml", '"2.1.0"', '"2.1.1"',
                       "staging: portal 2.1.1")
    second = repo.run("promote", "staging", "prod", "--yes", "--push", "-o", "json")
    assert second.exit_code == 0, second.stderr
    second_id = json.loads(second.stdout)["promotion_id"]
    assert _prod(repo)["releases"]["portal"]["image"] == "2.1.1"

    listed = repo.run("history", "prod", "-o", "json")
    assert listed.exit_code == 0, listed.stderr
    entries = json.loads(listed.stdout)["entries"]
    assert [e["promotion_id"] for e in entries[:2]] == [second_id, first["promotion_id"]]
    newest = entries[0]
    assert newest["kind"] == "promotion" and newest["source"] == "staging"
    assert newest["author"] == "Pat Promoter <pat@example.org>"
    assert newest["gate"] == "not checked" and newest["source_revision"] == STAGING_REVISION
    assert [(m["service"], m["old_image"], m["new_image"]) for m in newest["moves"]] == [
        ("portal", "2.1.0", "2.1.1")]
    assert entries[1]["old_revision"] == PROD_REVISION
    assert entries[-1]["kind"] == "created"

    back = repo.run("rollback", "prod", "--to", first["promotion_id"], "--yes", "--push")
    assert back.exit_code == 0, back.stderr
    assert pins((repo.work / "environments/prod.yaml").read_text()) == after_first
    message = g.messages(repo.remote)[0]
    assert message.startswith(f"rollback prod to {first['promotion_id']}: 1 service")
    trailers = parse_trailers(message)
    assert trailers["Gitops-Tool-Rollback-Of"] == [first["promotion_id"]]
    assert repo.run("render", "prod", "--check").exit_code == 0  # (staging was hand-edited)
    text = repo.run("history", "prod", "-n", "1").stdout
    assert f"of {first['promotion_id']}" in text and "portal: 2.1.1 -> 2.1.0" in text

    # by commit: back to the seed's versions, revision included
    seed = g.log(repo.work, fmt="%H")[-1]
    assert repo.run("rollback", "prod", "--to", seed, "--yes").exit_code == 0
    assert _prod(repo)["source"]["revision"] == PROD_REVISION
    assert parse_trailers(g.messages(repo.work)[0])["Gitops-Tool-Rollback-Of"] == [seed]
    again = repo.run("rollback", "prod", "--to", seed, "--yes")
    assert again.exit_code == 0, again.stderr
    assert again.stdout.splitlines()[0] == \
        f"rollback prod to {seed[:12]}: nothing to roll back [unchanged]"
    assert f"prod already has the versions of {seed}: nothing to roll back" in again.stdout


def test_rollback_to_an_unknown_id_is_refused(repo: Repo):
    result = repo.run("rollback", "prod", "--to", "prod-nope", "--yes")
    assert result.exit_code == 2
    assert "gitops-tool history prod" in result.stderr


def test_diff_says_what_promote_would_change(repo: Repo):
    result = repo.run("diff", "staging", "prod", "-o", "json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["exit_code"] == 1 and data["promotion_step"] is True
    assert data["revision"] == {"old": PROD_REVISION, "new": STAGING_REVISION}
    images = {c["service"]: (c["old_image"], c["new_image"]) for c in data["changes"]}
    assert images["portal"] == ("2.0.0", "2.1.0") and images["worker"] == ("1.3.0", "1.4.0")
    table = repo.run("diff", "staging", "prod")
    assert "portal" in table.stdout and "2.0.0 -> 2.1.0" in table.stdout
    only = json.loads(repo.run("diff", "staging", "prod", "--service", "worker",
                               "-o", "json").stdout)
    assert [c["service"] for c in only["changes"]] == ["worker"]
    assert repo.run("promote", "staging", "prod", "--yes").exit_code == 0
    same = repo.run("diff", "staging", "prod")
    assert same.exit_code == 0 and "nothing to promote" in same.stdout


@pytest.mark.parametrize(("source", "target"), [("prod", "staging"), ("dev", "prod")])
def test_diff_names_no_promote_command_promote_would_refuse(repo: Repo, source, target):
    result = repo.run("diff", source, target)
    assert result.exit_code == 1, result.stderr
    assert f"`gitops-tool promote {source} {target}`" not in result.stdout
    assert f"{source} -> {target} is not a promotion step of dev -> staging -> prod" \
        in result.stdout
    data = json.loads(repo.run("diff", source, target, "-o", "json").stdout)
    assert data["promotion_step"] is False


def test_the_pull_request_flow_pushes_a_new_branch_and_prints_its_body(repo: Repo):
    before = g.head(repo.work)
    result = repo.run("promote", "staging", "prod", "--yes", "--branch",
                      "promote/staging-to-prod-42", "-o", "markdown")
    assert result.exit_code == 0, result.stderr
    body = result.stdout
    assert body.startswith("## promote staging -> prod: 2 services")
    assert "| portal | `2.0.0` → `2.1.0` |" in body
    assert "**Gate:** not checked" in body
    assert "/blob/" in body and "argocd/prod/applications/prod-portal.yaml" in body
    assert "pushed to origin/promote/staging-to-prod-42" in result.stderr
    pushed = g.head(repo.remote, "promote/staging-to-prod-42")
    # the checkout is on the new branch (`gh pr create` uses it), clean; main did not move
    assert g.git(repo.work, "branch", "--show-current") == "promote/staging-to-prod-42"
    assert g.head(repo.work) == pushed and g.head(repo.work, "main") == before
    assert g.git(repo.work, "status", "--porcelain") == ""
    assert g.git(repo.remote, "rev-parse", f"{pushed}^") == before
    assert g.head(repo.remote, "main") == before
    assert g.git(repo.work, "rev-parse", "--abbrev-ref",
                 "promote/staging-to-prod-42@{upstream}") == "origin/promote/staging-to-prod-42"


@pytest.mark.parametrize("name", ["main", "release"])
def test_branch_never_moves_a_branch_the_remote_has(repo: Repo, name: str):
    """--branch NAME makes a new branch for a pull request: a NAME the remote has already
    (main is the branch Argo CD deploys) is refused before the fetch, the gate or any
    commit, and nothing moves anywhere."""
    if name != "main":
        g.git(repo.work, "push", "-q", "origin", "HEAD:refs/heads/release")
    g.git(repo.work, "switch", "-q", "-c", "work")
    g.git(repo.work, "branch", "-q", "-D", "main")  # no local main: only the remote has it
    before, remote = g.tree_hash(repo.work), g.tree_hash(repo.remote)
    result = repo.run("promote", "staging", "prod", "--yes", "--branch", name)
    assert result.exit_code == 2, result.stderr
    assert f"origin has a branch {name!r} already" in result.stderr
    after = g.tree_hash(repo.work)
    after.pop(".git/gitops-tool.lock", None)  # the lock's (empty) file
    assert g.tree_hash(repo.remote) == remote and after == before


def test_branch_refuses_a_local_branch_early(repo: Repo):
    g.git(repo.work, "branch", "-q", "pr1", "HEAD")
    g.git(repo.work, "commit", "-q", "--allow-empty", "-m", "a commit of someone's")
    g.git(repo.work, "push", "-q", "origin", "main")
    before = g.tree_hash(repo.work)
    result = repo.run("promote", "staging", "prod", "--yes", "--branch", "pr1")
    assert result.exit_code == 2 and "a branch 'pr1' exists already" in result.stderr
    assert "fetching" not in result.stderr  # before the fetch, the gate or any commit
    after = g.tree_hash(repo.work)
    after.pop(".git/gitops-tool.lock", None)  # the lock's (empty) file
    assert after == before


def test_branch_after_an_unpushed_promotion_pushes_it_on_the_new_branch(repo: Repo):
    committed = repo.run("promote", "staging", "prod", "--yes")
    assert committed.exit_code == 0, committed.stderr
    ours = g.head(repo.work)
    result = repo.run("promote", "staging", "prod", "--yes", "--branch", "pr/x", "-o", "json")
    assert result.exit_code == 0, result.stderr
    assert g.head(repo.remote, "pr/x") == ours  # the pending promotion, for review
    assert g.head(repo.remote, "main") != ours  # main itself did not move


def test_a_merged_pull_request_is_its_promotion_once_in_history(repo: Repo):
    """The pull-request flow, a change of prod.yaml on main meanwhile, then the merge (it
    differs from both parents, so git lists it): history lists the promotion once, and not
    the merge as a hand edit of the versions it brings."""
    branch = repo.run("promote", "staging", "prod", "--service", "portal", "--yes",
                      "--branch", "pr/a", "-o", "json")
    assert branch.exit_code == 0, branch.stderr
    pr_id = json.loads(branch.stdout)["promotion_id"]
    g.git(repo.work, "switch", "-q", "main")
    prod = repo.work / "environments/prod.yaml"
    prod.write_text(prod.read_text().replace("domain: ", "# the public domain\ndomain: ", 1))
    g.git(repo.work, "commit", "-qam", "prod: a comment")
    g.git(repo.work, "merge", "-q", "--no-ff", "--no-edit", "pr/a")
    listed = json.loads(repo.run("history", "prod", "-o", "json").stdout)["entries"]
    assert [e["kind"] for e in listed].count("edit") == 0, listed[0]
    assert [e["promotion_id"] for e in listed if e["kind"] == "promotion"] == [pr_id]


def test_rollback_to_a_commit_that_left_the_file_alone_says_so(repo: Repo):
    dev = repo.work / "environments/dev.yaml"
    dev.write_text(dev.read_text().replace("domain: ", "# a comment\ndomain: ", 1))
    g.git(repo.work, "commit", "-qam", "dev: a comment")
    other = g.head(repo.work)
    result = repo.run("rollback", "prod", "--to", other, "--dry-run", "-o", "json")
    assert result.exit_code == 0, result.stderr
    assert f"{other[:12]} did not change environments/prod.yaml: prod goes back to its " \
        "versions as they were at that commit" in json.loads(result.stdout)["notes"]


def test_render_commit_commits_only_what_render_changed(repo: Repo):
    values = repo.work / "environments/dev.yaml"
    values.write_text(values.read_text().replace("  selfHeal: true", "  selfHeal: false"))
    dirty = repo.run("render", "--commit")
    assert dirty.exit_code == 2 and "environments/dev.yaml" in dirty.stderr
    g.git(repo.work, "commit", "-qam", "dev: no selfHeal")
    result = repo.run("render", "dev", "--commit", "--push")
    assert result.exit_code == 0, result.stderr
    commit = g.head(repo.remote, "main")
    assert commit == g.head(repo.work)
    files = g.git(repo.work, "diff-tree", "--no-commit-id", "--name-only", "-r", commit)
    assert files and all(f.startswith("argocd/dev/") for f in files.splitlines())
    message = g.messages(repo.work)[0]
    assert message.startswith("render: argocd/ for dev")
    assert "Gitops-Tool-Render" in parse_trailers(message)
    assert g.git(repo.work, "status", "--porcelain") == ""
    assert repo.run("render", "--check").exit_code == 0
    nothing = repo.run("render", "--commit")
    assert nothing.exit_code == 0 and "nothing to commit" in nothing.stderr


def test_render_commit_speaks_json_and_refuses_wrong_flags_with_a_hint(repo: Repo):
    import json

    values = repo.work / "environments/dev.yaml"
    values.write_text(values.read_text().replace("  selfHeal: true", "  selfHeal: false"))
    g.git(repo.work, "commit", "-qam", "dev: no selfHeal")
    result = repo.run("render", "dev", "--commit", "-o", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["exit_code"] == 0 and data["commit"] == g.head(repo.work)
    assert len(data["commit"]) == 40 and not data["pushed"]
    assert data["files"] and all(f.startswith("argocd/dev/") for f in data["files"])
    for args, message in ((("--check", "--commit"), "cannot go with --commit"),
                          (("--push",), "--push needs --commit")):
        refused = repo.run("render", *args, "-o", "json")
        assert refused.exit_code == 2
        error = json.loads(refused.stdout)
        assert message in error["error"] and error["hint"] and error["exit_code"] == 2


def test_the_git_commands_speak_one_json_shape(repo: Repo):
    import json

    def run(*args: str) -> tuple[int, dict]:
        result = repo.run(*args, "-o", "json")
        data = json.loads(result.stdout)  # one document, whatever happened
        assert data["exit_code"] == result.exit_code, result.stderr
        return result.exit_code, data

    code, data = run("diff", "staging", "prod")
    assert code == 1 and data["exit_code"] == 1
    code, data = run("promote", "staging", "prod", "--dry-run", "--yes")
    assert code == 0
    code, data = run("promote", "staging", "prod", "--yes")
    assert code == 0
    code, data = run("history", "prod")
    assert code == 0
    for args in (("diff", "staging", "prd"), ("promote", "dev", "prod", "--yes"),
                 ("history", "qa"), ("rollback", "prod", "--to", "nope", "--yes")):
        code, data = run(*args)
        assert (code, set(data)) == (2, {"error", "hint", "exit_code"}), args


def test_diff_compares_the_committed_files_and_says_so(repo: Repo):
    staging = repo.work / "environments/staging.yaml"
    staging.write_text(staging.read_text().replace('"2.1.0"', '"9.9.9"', 1))
    prod = repo.work / "environments/prod.yaml"
    prod.write_text(prod.read_text().replace('"1.3.0"', '"1.4.0"', 1))
    result = repo.run("diff", "staging", "prod", "-o", "json")
    assert result.exit_code == 1, result.stderr
    images = {c["service"]: (c["old_image"], c["new_image"])
              for c in json.loads(result.stdout)["changes"] if c["old_image"] != c["new_image"]}
    assert images == {"portal": ("2.0.0", "2.1.0"), "worker": ("1.3.0", "1.4.0")}
    assert "environments/staging.yaml" in result.stderr
    assert "environments/prod.yaml" in result.stderr


def test_a_branch_tracking_source_gives_its_pins_and_revision_from_one_commit(repo: Repo):
    """dev tracks main; the remote's main has moved dev's worker on, this clone is behind:
    the commit dev runs (origin/main, fetched) gives both the revision and the pins."""
    other = repo.other_clone()
    tip = repo.commit_change(other, "environments/dev.yaml", '"1.4.0"', '"1.5.0"',
                             "dev: worker 1.5.0")
    seen = json.loads(repo.run("diff", "dev", "staging", "-o", "json").stdout)
    assert seen["source_revision"] == tip
    moves = {c["service"]: c["new_image"] for c in seen["changes"]}
    assert moves["worker"] == "1.5.0"
    result = repo.run("promote", "dev", "staging", "--yes", "-o", "json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["source_revision"] == tip
    staging = yaml.safe_load((repo.work / "environments/staging.yaml").read_text())
    assert staging["source"]["revision"] == tip
    assert staging["releases"]["worker"]["image"] == "1.5.0"
    assert staging["releases"]["portal"]["image"] == "2.2.0"
