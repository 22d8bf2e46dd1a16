"""The drift and promote workflows and the pre-commit hooks install gitops-tool with a plain
`pip install .`, not the editable install of `make`: its wheel must carry every file of the
package (a template or a Lua script left out would only fail there)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile

import pytest

from tests.integration.ci.workflows import REPO

pytestmark = pytest.mark.slow
IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")


def test_the_wheel_carries_every_file_of_the_package(tmp_path):
    # Built from a copy: setuptools leaves build/ beside the sources.
    source = tmp_path / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(REPO / name, source / name)
    shutil.copytree(REPO / "gitops_tool", source / "gitops_tool", ignore=IGNORED)
    wheels = tmp_path / "wheels"
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "-w",
            str(wheels),
            str(source),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    (wheel,) = wheels.glob("gitops_tool-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        packed = {name for name in archive.namelist() if name.startswith("gitops_tool/")}
    on_disk = {
        path.relative_to(REPO).as_posix()
        for path in (REPO / "gitops_tool").rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }
    assert on_disk - packed == set()
