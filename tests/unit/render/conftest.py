"""Fixtures of the render unit tests: a small tree on disk, loaded and rendered."""

from __future__ import annotations

import pytest

from gitops_tool.adapters.files import load_tree
from gitops_tool.core.model import Tree
from gitops_tool.core.render.rendering import Rendering, rendering_for
from tests.support.repo import REPO
from tests.support.trees import small_spec, write_tree


@pytest.fixture(scope="module")
def small_tree(tmp_path_factory: pytest.TempPathFactory) -> Tree:
    """Five charts over three planes in dev, staging (pinned) and prod (manual, by name)."""
    return load_tree(write_tree(tmp_path_factory.mktemp("small"), small_spec()))


@pytest.fixture(scope="module")
def small_rendering(small_tree: Tree) -> Rendering:
    return rendering_for(small_tree)


@pytest.fixture(scope="session")
def committed_output() -> dict[str, str]:
    """This repository's committed argocd/ (what `render` wrote and git holds): path -> text.
    Skips when the checkout has none."""
    out = REPO / "argocd"
    files = {
        p.relative_to(REPO).as_posix(): p.read_text()
        for p in sorted(out.rglob("*.yaml"))
        if p.is_file()
    }
    if not files:
        pytest.skip("this repository has no rendered argocd/ yet")
    return files
