"""Fixtures of the render unit tests: a small tree on disk, loaded and rendered."""

from __future__ import annotations

import pytest

from gitops_tool.adapters.files import load_tree
from gitops_tool.core.model import Tree
from gitops_tool.core.render.rendering import Rendering, rendering_for
from tests.support.trees import small_spec, write_tree


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


@pytest.fixture(scope="session")
def committed_output() -> dict[str, str]:
    """This repository's committed argocd/ (what `render` wrote and git holds): path -> text.
    Skips when the checkout has none."""
    from tests.conftest import REPO

    out = REPO / "argocd"
    files = {
        p.relative_to(REPO).as_posix(): p.read_text()
        for p in sorted(out.rglob("*.yaml"))
        if p.is_file()
    }
    if not files:
        pytest.skip("this repository has no rendered argocd/ yet")
    return files


def environments_of(files: dict[str, str]) -> list[str]:
    """The environments that have an ApplicationSet among rendered `files`."""
    return sorted(
        path.split("/")[1] for path in files if path.endswith("/applicationset/applicationset.yaml")
    )
