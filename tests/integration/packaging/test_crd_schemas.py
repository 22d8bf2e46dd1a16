"""The Argo CD CRD schemas ship inside the package: current with the CRDs they come from,
and in a wheel built from this repository (what `pip install` and `pipx install` get)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from gitops_tool.commands.validate.argocd import CRD_FILES, SCHEMA_DIR, schema_file
from gitops_tool.core.argocd.version import TARGET
from tests.support.repo import REPO

SCRIPT = REPO / "scripts" / "generate_crd_schemas.py"


def test_every_kind_has_its_schema_in_the_package():
    assert REPO / "gitops_tool" / "schemas" / f"argocd-{TARGET}" == SCHEMA_DIR
    for kind in CRD_FILES:
        data = json.loads(schema_file(kind).read_text())
        assert (data["kind"], data["argocd"]) == (kind, TARGET)
        assert data["schema"]["type"] == "object"
    readme = " ".join((SCHEMA_DIR / "README.md").read_text().split())
    assert f"Argo CD {TARGET}" in readme and "Apache License, Version 2.0" in readme


def test_the_schemas_are_current_with_the_crds(reference_dir):
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--check", "--crds", str(reference_dir / "argocd")],
        capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr


def test_the_check_notices_a_stale_schema(reference_dir, tmp_path):
    out = tmp_path / "schemas"
    args = [sys.executable, str(SCRIPT), "--crds", str(reference_dir / "argocd"), "--out",
            str(out)]
    assert subprocess.run(args, capture_output=True, timeout=120).returncode == 0
    schema_file("AppProject", out).write_text("{}\n")
    done = subprocess.run([*args, "--check"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 1 and "appproject.json not current" in done.stderr


def test_a_build_of_the_package_carries_the_schemas(tmp_path):
    """What a non-editable `pip install .` (or `pipx install .`) installs: setuptools'
    build_py, as the wheel build runs it, with this repository's pyproject.toml, on a copy
    of the package (nothing is written into the repository). No network is needed."""
    pytest.importorskip("setuptools")
    source = tmp_path / "src"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(REPO / name, source / name)
    shutil.copytree(REPO / "gitops_tool", source / "gitops_tool",
                    ignore=shutil.ignore_patterns("__pycache__"))
    build = tmp_path / "lib"
    done = subprocess.run(
        [sys.executable, "-c", "from setuptools import setup; setup()", "--quiet",
         "build_py", "--build-lib", str(build)],
        cwd=source, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr
    folder = build / "gitops_tool" / "schemas" / f"argocd-{TARGET}"
    shipped = {p.name for p in folder.iterdir()}
    assert shipped == {schema_file(kind).name for kind in CRD_FILES} | {"README.md"}
    assert (build / "gitops_tool" / "cli" / "app.py").is_file()
    assert not (build / "tests").exists()
