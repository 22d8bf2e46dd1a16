"""The drift report templates are package data: a non-editable install ships them."""

from __future__ import annotations

import tomllib
from pathlib import Path

import gitops_tool

PACKAGE = Path(gitops_tool.__file__).parent
PYPROJECT = PACKAGE.parent / "pyproject.toml"


def test_every_template_is_declared_package_data():
    patterns = tomllib.loads(PYPROJECT.read_text())["tool"]["setuptools"]["package-data"][
        "gitops_tool"]
    templates = sorted(p.relative_to(PACKAGE) for p in (PACKAGE / "templates").rglob("*.j2"))
    assert templates, "no templates found"
    for template in templates:
        assert any(template.match(pattern) for pattern in patterns), \
            f"{template} is not package data: add it to [tool.setuptools.package-data]"


def test_every_template_loads_through_the_package_loader():
    from gitops_tool.templates import _environment

    names = [p.relative_to(PACKAGE / "templates").as_posix()
             for p in (PACKAGE / "templates").rglob("*.j2")]
    assert {"drift/report.txt.j2", "drift/report.md.j2", "promote/commit.txt.j2"} <= set(names)
    for name in names:
        assert _environment().get_template(name) is not None
