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


def test_the_templates_load_through_the_package_loader():
    from gitops_tool.output.drift import _templates

    for name in ("drift/report.txt.j2", "drift/report.md.j2", "drift/_lines.j2"):
        assert _templates().get_template(name) is not None
