"""Fixtures of the promote tests: a remote and a clone per test (tests/support/promote_repos.py),
and the fake Argo CD with its sentinel token."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.argocd_fixtures import *  # noqa: F403  (the fake Argo CD, sentinel token)
from tests.support.promote_repos import Repo, make_repo


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
         tmp_path_factory: pytest.TempPathFactory) -> Repo:
    return make_repo(tmp_path, monkeypatch, factory=tmp_path_factory)
