"""Fixtures for the drift tests: a GitOps repository with real git history, rendered and
committed, and the fake Argo CD loaded with its Applications. A conftest.py imports them
with the Argo CD fixtures:

    from tests.support.argocd.fixtures import *  # noqa: F403
    from tests.support.drift import *  # noqa: F403
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from gitops_tool.adapters.argocd.runtime import Runtime
from gitops_tool.adapters.files import load_tree
from gitops_tool.commands import render
from tests.support.argocd.apps import populate
from tests.support.argocd.fixtures import ANSWERING
from tests.support.git.history import GitHistory
from tests.support.trees import argocd_spec, write_tree

T0 = datetime(2025, 12, 1, 9, 0, tzinfo=UTC)

__all__ = ["T0", "history", "live", "render_all", "root", "unconfigured"]


def render_all(root: Path) -> None:
    render.run(render.RenderOptions(root=root))


@pytest.fixture
def history(tmp_path) -> GitHistory:
    """dev, staging (branch main) and prod (a pinned commit), five services, rendered and
    committed at T0."""
    root = write_tree(tmp_path / "gitops", argocd_spec())
    render_all(root)
    repo = GitHistory(root)
    repo.commit("initial", T0)
    return repo


@pytest.fixture
def root(history) -> Path:
    return history.root


@pytest.fixture
def live(fake, root):
    """The fake Argo CD holding every environment's Applications as rendered."""
    tree = load_tree(root)
    for env in ("dev", "staging", "prod"):
        populate(fake, tree, env)
    return fake


def unconfigured(tmp_path: Path, clock) -> Runtime:
    """A Runtime with no Argo CD server anywhere (an empty argocd config folder)."""
    (tmp_path / "no-config").mkdir(exist_ok=True)
    return Runtime(env={"ARGOCD_CONFIG_DIR": str(tmp_path / "no-config")}, home=tmp_path,
                   clock=clock, policy=ANSWERING)
