"""The core stays pure: it imports no adapter, command, CLI, git, HTTP or subprocess."""

from __future__ import annotations

import ast
from pathlib import Path

import gitops_tool

CORE = Path(gitops_tool.__file__).parent / "core"
FORBIDDEN = (
    "gitops_tool.adapters",
    "gitops_tool.commands",
    "gitops_tool.cli",
    "gitops_tool.output",
    "git",
    "requests",
    "urllib3",
    "subprocess",
    "socket",
    "http",
    "os",
    "time",
    "shutil",
    "tempfile",
)


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def _forbidden(module: str) -> bool:
    return any(module == f or module.startswith(f + ".") for f in FORBIDDEN)


def test_core_modules_import_nothing_with_effects():
    modules = sorted(CORE.rglob("*.py"))
    assert modules, "gitops_tool/core has no modules"
    offenders = {
        f"{path.relative_to(CORE)}: {name}"
        for path in modules
        for name in _imports(path)
        if _forbidden(name)
    }
    assert not offenders, f"core must stay pure, found: {sorted(offenders)}"


def test_checker_catches_a_forbidden_import(tmp_path):
    sample = tmp_path / "bad.py"
    sample.write_text("import subprocess\nfrom gitops_tool.adapters import files\n")
    assert {n for n in _imports(sample) if _forbidden(n)} == {
        "subprocess",
        "gitops_tool.adapters",
    }
