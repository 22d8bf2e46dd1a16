"""Fixtures of the promote tests: a remote and a clone per test (tests/support/git/clones.py),
and the fake Argo CD with its sentinel token."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.argocd.fixtures import *  # noqa: F403  (the fake Argo CD, sentinel token)
from tests.support.git import repos as g
from tests.support.git.clones import Repo, make_repo


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
         tmp_path_factory: pytest.TempPathFactory) -> Iterator[Repo]:
    made = make_repo(tmp_path, monkeypatch, factory=tmp_path_factory)
    yield made
    # every git run carried the sentinel credential (git_environment): none of it was kept
    g.assert_no_git_credential(made.work, made.remote, *tmp_path.glob("*/.git/.."))
