"""Fixtures shared by every test folder."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
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


@pytest.fixture(autouse=True)
def dev_null_stays_a_device() -> Iterator[None]:
    """No test may replace /dev/null with a file (git writes its "global" config by renaming
    a new file over GIT_CONFIG_GLOBAL: pointing that at /dev/null once did), or every later
    test that reads it sees garbage. Checked after each test, so the culprit is named."""
    yield
    assert stat.S_ISCHR(os.stat(os.devnull).st_mode), (
        f"{os.devnull} is no longer a device: this test replaced it "
        "(restore it with: rm /dev/null; mknod -m 666 /dev/null c 1 3)")
