"""Shell completion completes environment and chart names, not only command names, read
from the repository the command line names (--repo, before or after the verb) or the one
around the current folder. Driven as bash drives it (COMP_WORDS, COMP_CWORD)."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from gitops_tool.cli import app
from tests.support.repo import REPO
from tests.support.trees import small_spec, write_tree


def complete(line: str, cwd=None, monkeypatch=None) -> list[str]:
    if cwd is not None:
        monkeypatch.chdir(cwd)
    words = line.split()
    cword = len(words) if line.endswith(" ") else len(words) - 1
    result = CliRunner().invoke(app, [], prog_name="gitops-tool", env={
        "_GITOPS_TOOL_COMPLETE": "complete_bash", "COMP_WORDS": line, "COMP_CWORD": str(cword)})
    assert result.exit_code == 0, result.output
    return [w for w in result.stdout.splitlines() if w]


@pytest.mark.parametrize(("line", "expected"), [
    ("gitops-tool status ", ["dev", "staging", "prod"]),  # promotion-chain order
    ("gitops-tool sync st", ["staging"]),
    ("gitops-tool doctor p", ["prod"]),
    ("gitops-tool render dev ", ["staging", "prod"]),  # not the one already given
    ("gitops-tool validate --env ", ["dev", "staging", "prod"]),
    ("gitops-tool validate cns", ["cns-dashboard", "cns-service"]),
    ("gitops-tool sync dev --app temp", ["temporal", "temporal-worker-service"]),
    ("gitops-tool st", ["status"]),
    ("gitops-tool promote ", ["dev", "staging", "prod"]),
    ("gitops-tool promote dev ", ["staging", "prod"]),
    ("gitops-tool promote dev staging --service cns", ["cns-dashboard", "cns-service"]),
    ("gitops-tool diff staging p", ["prod"]),
    ("gitops-tool diff dev prod --service temp", ["temporal", "temporal-worker-service"]),
    ("gitops-tool history s", ["staging"]),
    ("gitops-tool rollback p", ["prod"]),
    ("gitops-tool drift ", ["dev", "staging", "prod"]),
    ("gitops-tool drift dev ", ["staging", "prod"]),
])
def test_names_complete_inside_the_repository(line, expected, monkeypatch):
    assert complete(line, REPO, monkeypatch) == expected


def test_repo_before_or_after_the_verb_is_where_names_come_from(tmp_path, monkeypatch):
    root = write_tree(tmp_path / "repo", small_spec())
    monkeypatch.chdir(tmp_path)  # no repository here
    assert complete(f"gitops-tool --repo {root} validate ") == [
        "portal", "postgres", "redis", "tenant-api", "worker"]
    assert complete(f"gitops-tool status --repo {root} ") == ["dev", "staging", "prod"]
    assert complete("gitops-tool status ") == []  # outside a repository: nothing, no error
