"""Fixtures shared by every test folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.repo import REPO, SHARED_REFERENCE, copy_tree


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


@pytest.fixture
def tree_copy(tmp_path: Path) -> Path:
    """A private copy of this repository's inputs and rendered output in tmp_path."""
    return copy_tree(tmp_path / "repo")
