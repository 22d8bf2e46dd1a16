"""This repository, as the tests see it: its root, the reference material beside it, and
private copies of its inputs for tests that change them."""

from __future__ import annotations

import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
SHARED_REFERENCE = REPO.parent / "shared" / "reference"  # Argo CD's CRDs and swagger.json


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
