"""This repository's committed argocd/ is exactly what `gitops-tool render` produces."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from gitops_tool.cli import app


def test_committed_argocd_matches_render(repo_root: Path) -> None:
    if not any((repo_root / "charts").glob("*/Chart.yaml")):
        pytest.skip("this repository has no charts yet")
    result = CliRunner().invoke(app, ["--repo", str(repo_root), "render", "--check"])
    assert result.exit_code == 0, (
        "argocd/ is out of date: run `gitops-tool render` and commit the result\n"
        + result.stderr
        + result.stdout[:4000]
    )


def test_this_repository_renders_every_service_in_every_environment(repo_root: Path) -> None:
    if not any((repo_root / "charts").glob("*/Chart.yaml")):
        pytest.skip("this repository has no charts yet")
    from gitops_tool.adapters.files import load_tree
    from gitops_tool.core.render.rendering import rendering_for

    tree = load_tree(repo_root)
    rendering = rendering_for(tree)
    for env in tree.environments:
        apps = [p for p in rendering.files if p.startswith(f"argocd/{env.name}/applications/")]
        assert len(apps) == len(tree.services)
