"""Fixtures of the render unit tests: a small tree on disk, loaded and rendered."""

from __future__ import annotations

import pytest

from gitops_tool.adapters.files import load_tree
from gitops_tool.core.model import Tree
from gitops_tool.core.render import Rendering, rendering_for
from tests.unit.render.trees import small_spec, write_tree


@pytest.fixture(scope="module")
def small_tree(tmp_path_factory: pytest.TempPathFactory) -> Tree:
    """Five charts over three planes in dev, staging (pinned) and prod (manual, by name)."""
    return load_tree(write_tree(tmp_path_factory.mktemp("small"), small_spec()))


@pytest.fixture(scope="module")
def small_rendering(small_tree: Tree) -> Rendering:
    return rendering_for(small_tree)


def documents(rendering: Rendering, suffix: str = ".yaml") -> dict[str, list[dict]]:
    """Every rendered YAML file, parsed: path -> documents."""
    import yaml

    return {
        path: list(yaml.safe_load_all(text))
        for path, text in rendering.files.items()
        if path.endswith(suffix)
    }
