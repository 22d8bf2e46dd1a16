""".pre-commit-hooks.yaml through the real pre-commit: a git repository holding this project
(as a consumer's `repo:` would) and a GitOps repository in tmp_path that uses its hooks.
pre-commit pip-installs the project into its own environment once for the module."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.integration.ci.workflows import REPO
from tests.support.repo import copy_tree

pytestmark = pytest.mark.slow

HOOKS = ["gitops-tool-render-check", "gitops-tool-validate"]
IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")


def git_env(home: Path) -> dict[str, str]:
    """This machine's environment with a fixed git identity and no user or system git config."""
    return {
        **os.environ,
        "PRE_COMMIT_HOME": str(home),
        "GIT_CONFIG_GLOBAL": str(home / "gitconfig"),  # never /dev/null: git may rename over it
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "test",
        "GIT_AUTHOR_EMAIL": "test@example.invalid",
        "GIT_COMMITTER_NAME": "test",
        "GIT_COMMITTER_EMAIL": "test@example.invalid",
    }


def git(repo: Path, env: dict[str, str], *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=repo, env=env, check=True, capture_output=True, text=True
    ).stdout.strip()


def commit_all(repo: Path, env: dict[str, str]) -> str:
    if not (repo / ".git").exists():
        git(repo, env, "init", "--quiet", "--initial-branch=main")
    git(repo, env, "add", "--all")
    git(repo, env, "commit", "--quiet", "--message", "snapshot")
    return git(repo, env, "rev-parse", "HEAD")


@pytest.fixture(scope="module")
def home(tmp_path_factory) -> Path:
    """PRE_COMMIT_HOME for the module: the hook environment is built once."""
    return tmp_path_factory.mktemp("pre-commit-home")


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory, home) -> tuple[Path, str]:
    """A git repository of this project as it is on disk (committed or not), and its commit."""
    repo = tmp_path_factory.mktemp("hook-repo")
    for name in ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml"):
        shutil.copy2(REPO / name, repo / name)
    shutil.copytree(REPO / "gitops_tool", repo / "gitops_tool", ignore=IGNORED)
    return repo, commit_all(repo, git_env(home))


@pytest.fixture
def gitops_repo(tmp_path, hook_repo, home) -> Path:
    """This repository's GitOps inputs and argocd/, committed, using the hooks."""
    repo = copy_tree(tmp_path / "gitops")
    hooks_path, rev = hook_repo
    config = {"repos": [{"repo": str(hooks_path), "rev": rev, "hooks": [{"id": h} for h in HOOKS]}]}
    (repo / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
    commit_all(repo, git_env(home))
    return repo


def pre_commit(repo: Path, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", *args],
        cwd=repo,
        env=git_env(home),
        capture_output=True,
        text=True,
        timeout=600,
    )


def results(output: str) -> dict[str, str]:
    """Hook name -> Passed / Failed / Skipped, from pre-commit's report."""
    found = re.findall(
        r"^(gitops-tool [\w -]+?)\.+(?:\([^)]*\))?(Passed|Failed|Skipped)$", output, re.M
    )
    return dict(found)


def test_manifest_is_valid():
    run = subprocess.run(
        [sys.executable, "-m", "pre_commit", "validate-manifest", ".pre-commit-hooks.yaml"],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stdout + run.stderr


def test_hooks_check_the_tree_when_gitops_inputs_change():
    hooks = {h["id"]: h for h in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())}
    assert hooks["gitops-tool-render-check"]["entry"] == "gitops-tool render --check"
    assert hooks["gitops-tool-validate"]["entry"] == "gitops-tool validate --no-helm"
    for hook in hooks.values():
        assert hook["language"] == "python"
        assert hook["pass_filenames"] is False
        files = re.compile(hook["files"])
        for path in [
            "gitops-tool.yaml",
            "environments/prod.yaml",
            "charts/cns-service/values-dev.yaml",
            "argocd/dev/root.yaml",
        ]:
            assert files.search(path), path
        for path in ["README.md", "gitops-tool.yaml.bak", "docs/charts/x.md", "gitops_tool/cli.py"]:
            assert not files.search(path), path


def test_hooks_pass_on_a_clean_tree(gitops_repo, home):
    run = pre_commit(gitops_repo, home, "run", "--all-files")
    assert run.returncode == 0, run.stdout + run.stderr
    assert results(run.stdout) == {
        "gitops-tool render --check": "Passed",
        "gitops-tool validate --no-helm": "Passed",
    }


def test_hooks_fail_a_commit_that_edits_argocd_by_hand(gitops_repo, home):
    app = gitops_repo / "argocd" / "dev" / "applications" / "dev-cns-service.yaml"
    text = app.read_text()
    edited = re.sub(
        r'(- name: image\.tag\n\s+forceString: true\n\s+value: )"[^"]*"', r'\1"9.9.9"', text
    )
    assert edited != text
    app.write_text(edited)
    git(gitops_repo, git_env(home), "add", str(app))

    run = pre_commit(gitops_repo, home, "run")  # the staged files, as at `git commit`
    assert run.returncode == 1, run.stdout + run.stderr
    assert results(run.stdout) == {
        "gitops-tool render --check": "Failed",
        "gitops-tool validate --no-helm": "Failed",
    }
    # Each hook's own verdict is exit 1 (found something), not a crash or bad input.
    assert run.stdout.count("- exit code: 1") == 2
    assert "+++ b/argocd/dev/applications/dev-cns-service.yaml" in run.stdout  # render's diff
    assert "GT-ARGO-010" in run.stdout  # validate's finding


def test_hooks_skip_a_commit_outside_the_gitops_inputs(gitops_repo, home):
    (gitops_repo / "NOTES.md").write_text("not an input of render\n")
    git(gitops_repo, git_env(home), "add", "NOTES.md")
    run = pre_commit(gitops_repo, home, "run")
    assert run.returncode == 0, run.stdout + run.stderr
    assert results(run.stdout) == {
        "gitops-tool render --check": "Skipped",
        "gitops-tool validate --no-helm": "Skipped",
    }
