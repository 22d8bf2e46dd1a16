"""GT-ARGO-012: a chart that does not exist at the commit a pinned environment deploys,
checked against a real git repository."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml

from gitops_tool.adapters.git import history as git_adapter
from gitops_tool.commands.validate import ValidateOptions, run
from tests.support.charts import chart_tree, write_chart


def _git(root: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
        cwd=root, check=True, capture_output=True, text=True,
    ).stdout.strip()


@pytest.fixture
def repo(tmp_path: Path) -> tuple[Path, str]:
    """A repository whose first commit has chart `web`; the second adds chart `api`."""
    root = chart_tree(tmp_path / "repo", ["web", "api"])
    write_chart(root / "charts", "web")
    _git(root, "init", "-q", "-b", "main")
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "web")
    first = _git(root, "rev-parse", "HEAD")
    write_chart(root / "charts", "api")
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "api")
    return root, first


def _pin(root: Path, env: str, revision: str) -> None:
    path = root / "environments" / f"{env}.yaml"
    data = yaml.safe_load(path.read_text())
    data["source"]["revision"] = revision
    path.write_text(yaml.safe_dump(data, sort_keys=False))


def test_git_adapter_lists_paths_missing_at_a_revision(repo):
    root, first = repo
    assert git_adapter.missing_at(root, first, ["charts/web", "charts/api"]) == ["charts/api"]
    assert git_adapter.missing_at(root, "HEAD", ["charts/web", "charts/api"]) == []
    assert git_adapter.missing_at(root, "0" * 40, ["charts/web"]) is None
    assert git_adapter.missing_at(root.parent, first, ["charts/web"]) is None


def test_a_chart_newer_than_the_pinned_commit_is_a_finding(repo):
    root, first = repo
    _pin(root, "prod", first)
    result = run(ValidateOptions(root, helm=False))
    pinned = [f for f in result.findings if f.rule == "GT-ARGO-012"]
    assert [(f.chart, f.environment) for f in pinned] == [("api", "prod")]
    assert result.exit_code == 1


def test_no_finding_when_the_pin_has_every_chart_or_git_cannot_tell(repo):
    root, _ = repo
    _pin(root, "prod", _git(root, "rev-parse", "HEAD"))
    assert not [f for f in run(ValidateOptions(root, helm=False)).findings
                if f.rule == "GT-ARGO-012"]
    _pin(root, "prod", "f" * 40)  # not in this clone (e.g. a shallow CI checkout)
    assert not [f for f in run(ValidateOptions(root, helm=False)).findings
                if f.rule == "GT-ARGO-012"]
