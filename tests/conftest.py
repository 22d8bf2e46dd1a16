"""Fixtures shared by every test folder."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED_REFERENCE = REPO.parent / "shared" / "reference"


@pytest.fixture(scope="session")
def repo_root() -> Path:
    """This repository (read only: copy before changing anything)."""
    return REPO


@pytest.fixture(scope="session")
def reference_dir() -> Path:
    """`../shared/reference`, or skip when this checkout has none beside it."""
    if not (SHARED_REFERENCE / "argocd").is_dir():
        pytest.skip(f"reference material not found at {SHARED_REFERENCE} (../shared is absent)")
    return SHARED_REFERENCE


def copy_tree(dest: Path, with_output: bool = True) -> Path:
    """Copy this repository's inputs (settings, environments, charts, argocd/) to `dest`."""
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy2(REPO / "gitops-tool.yaml", dest / "gitops-tool.yaml")
    shutil.copytree(REPO / "environments", dest / "environments")
    shutil.copytree(
        REPO / "charts",
        dest / "charts",
        ignore=shutil.ignore_patterns("charts", "Chart.lock", "*.tgz"),
    )
    if with_output and (REPO / "argocd").is_dir():
        shutil.copytree(REPO / "argocd", dest / "argocd")
    return dest


@pytest.fixture
def tree_copy(tmp_path: Path) -> Path:
    """A private copy of this repository's inputs and rendered output in tmp_path."""
    return copy_tree(tmp_path / "repo")
