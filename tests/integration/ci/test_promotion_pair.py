"""scripts/promotion_pair.py, run as promote.yml runs it: exit 0 for one step of the chain in
gitops-tool.yaml, exit 2 (bad input) for anything else, before any reviewer is asked."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.integration.ci.workflows import REPO

SCRIPT = REPO / "scripts" / "promotion_pair.py"


def pair(*args: str, repo: Path = REPO, github: bool = False) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "GITHUB_ACTIONS"}
    if github:
        env["GITHUB_ACTIONS"] = "true"
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args, "--repo", str(repo)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(("source", "target"), [("dev", "staging"), ("staging", "prod")])
def test_a_step_of_this_repositorys_chain_passes(source, target):
    run = pair(source, target)
    assert run.returncode == 0, run.stderr
    assert f"{source} -> {target}" in run.stdout


@pytest.mark.parametrize(
    ("source", "target", "message"),
    [
        ("dev", "prod", "dev -> prod is not a step of the promotion chain"),
        ("staging", "staging", "staging -> staging is not a step"),
        ("prod", "staging", "prod -> staging is not a step"),
        ("qa", "staging", "'qa' is not in the promotion chain (dev -> staging -> prod)"),
    ],
)
def test_anything_else_is_bad_input(source, target, message):
    run = pair(source, target)
    assert run.returncode == 2
    assert message in run.stderr
    assert run.stdout == ""


def test_the_chain_comes_from_gitops_tool_yaml(tmp_path):
    (tmp_path / "gitops-tool.yaml").write_text("promotion: [dev, qa, prod]\n")
    assert pair("dev", "qa", repo=tmp_path).returncode == 0
    assert pair("dev", "staging", repo=tmp_path).returncode == 2


@pytest.mark.parametrize("text", [None, "promotion: dev\n", "promotion: [dev, {a: 1}]\n", "a: [\n"])
def test_an_unreadable_chain_is_bad_input(tmp_path, text):
    if text is not None:
        (tmp_path / "gitops-tool.yaml").write_text(text)
    run = pair("dev", "staging", repo=tmp_path)
    assert run.returncode == 2
    assert "gitops-tool.yaml" in run.stderr


def test_on_github_the_error_is_an_annotation():
    run = pair("dev", "prod", github=True)
    assert run.returncode == 2
    assert run.stderr.startswith("::error title=promotion::dev -> prod")
