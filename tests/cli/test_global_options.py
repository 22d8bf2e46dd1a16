"""Global options work before and after the verb, as argocd CLI users expect; --repo naming
a folder that is not there (or not a repository) names it, with a hint."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from gitops_tool.cli import app
from tests.support.trees import small_spec, write_tree

COMMANDS = ("render", "validate", "status", "sync", "doctor")


@pytest.fixture
def root(tmp_path):
    return write_tree(tmp_path / "repo", small_spec())


@pytest.mark.parametrize("place", ["before", "after"])
def test_repo_before_or_after_the_verb(root, tmp_path, monkeypatch, place):
    monkeypatch.chdir(tmp_path)
    args = ["--repo", str(root), "render"] if place == "before" else \
        ["render", "--repo", str(root)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert (root / "argocd" / "dev" / "root.yaml").is_file()


def test_after_the_verb_wins_over_before(root, tmp_path):
    result = CliRunner().invoke(app, ["--repo", str(tmp_path / "nope"), "render", "--check",
                                      "--repo", str(root)])
    assert result.exit_code == 1  # the tree was found: not rendered yet, so it differs


def test_debug_after_the_verb_shows_the_traceback(tmp_path):
    result = CliRunner().invoke(app, ["render", "--repo", str(tmp_path / "nope"), "--debug"])
    assert result.exit_code == 2 and "Traceback" in result.stderr


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_takes_the_global_options(command):
    result = CliRunner().invoke(app, [command, "--help"])
    assert "--repo PATH" in result.stdout and "--debug" in result.stdout


@pytest.mark.parametrize("command", [("render",), ("validate",), ("status", "dev"),
                                     ("sync", "dev", "--dry-run"), ("doctor",)])
def test_repo_naming_a_missing_folder_names_it(tmp_path, command):
    missing = tmp_path / "no-such-repo"
    result = CliRunner().invoke(app, [*command, "--repo", str(missing)])
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"error: --repo {missing}: no such folder",
        "hint: pass the folder of the GitOps repository (the one holding gitops-tool.yaml), "
        "or leave --repo out inside it",
    ]


def test_repo_naming_a_folder_that_is_no_repository(tmp_path):
    result = CliRunner().invoke(app, ["--repo", str(tmp_path), "render"])
    assert result.exit_code == 2
    assert f"error: --repo {tmp_path}: no gitops-tool.yaml in that folder" in result.stderr
    assert "hint: pass the repository's top folder" in result.stderr


@pytest.mark.parametrize("place", ["before", "after"])
def test_repo_naming_a_file_says_it_is_a_file(tmp_path, place):
    file = tmp_path / "README.md"
    file.write_text("# not a repository\n")
    args = ["--repo", str(file), "render"] if place == "before" else \
        ["render", "--repo", str(file)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"error: --repo {file}: a file, not a folder",
        "hint: pass the folder of the GitOps repository (the one holding gitops-tool.yaml), "
        "or leave --repo out inside it",
    ]
