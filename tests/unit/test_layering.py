"""The core stays pure: it imports no adapter, command, CLI, git, HTTP or subprocess.

Every import in gitops_tool/core is read from the source (ast), resolved to an absolute
module name -- relative imports (`from ..adapters import files`) against the module's own
package, and each name of a `from X import name` as the submodule `X.name` it may be -- and
checked against FORBIDDEN. Dynamic imports (`importlib.import_module`, `__import__`) would
hide what is imported, so the core may not use them at all.
"""

from __future__ import annotations

import ast
from pathlib import Path

import gitops_tool

PACKAGE = Path(gitops_tool.__file__).parent
CORE = PACKAGE / "core"
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
DYNAMIC = "dynamic import: "  # prefix of what _imports reports for an importlib call
IMPORTERS = {
    "importlib.import_module",
    "importlib.__import__",
    "importlib.util.module_from_spec",
    "importlib.util.spec_from_file_location",
    "__import__",
    "builtins.__import__",
}


def _package_of(path: Path, top: Path) -> str:
    """The dotted package a module file belongs to (for `pkg/__init__.py`, `pkg` itself);
    `top` is the top package's folder."""
    return ".".join(path.relative_to(top.parent).parent.parts)


def _resolve(node: ast.ImportFrom, package: str, path: Path) -> str:
    """The absolute module of `from <node.module> import ...`, relative ones resolved."""
    if node.level == 0:
        return node.module or ""
    parts = package.split(".")
    if node.level - 1 >= len(parts):
        raise AssertionError(f"{path}:{node.lineno}: relative import beyond the top package")
    base = ".".join(parts[: len(parts) - (node.level - 1)])
    return f"{base}.{node.module}" if node.module else base


def _dotted(node: ast.expr, aliases: dict[str, str]) -> str:
    """`a.b.c` of a called name, with the first part resolved through the imports."""
    if isinstance(node, ast.Name):
        return aliases.get(node.id, node.id)
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value, aliases)}.{node.attr}"
    return ""


def _imports(path: Path, top: Path = PACKAGE) -> set[str]:
    """Every module `path` may import (absolute names), and `dynamic import: <call>` for each
    call of an importer."""
    package = _package_of(path, top)
    tree = ast.parse(path.read_text(), filename=str(path))
    found: set[str] = set()
    aliases: dict[str, str] = {}  # a name bound by an import -> the dotted name it stands for
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                found.add(alias.name)
                if alias.asname:
                    aliases[alias.asname] = alias.name
                else:
                    first = alias.name.split(".")[0]
                    aliases[first] = first
        elif isinstance(node, ast.ImportFrom):
            base = _resolve(node, package, path)
            found.add(base)
            for alias in node.names:
                if alias.name != "*":
                    found.add(f"{base}.{alias.name}")  # maybe a submodule
                    aliases[alias.asname or alias.name] = f"{base}.{alias.name}"
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            called = _dotted(node.func, aliases)
            if called in IMPORTERS:
                found.add(f"{DYNAMIC}{called} (line {node.lineno})")
    return found


def _forbidden(module: str) -> bool:
    return module.startswith(DYNAMIC) or any(
        module == f or module.startswith(f + ".") for f in FORBIDDEN
    )


def _offenders(core: Path, top: Path) -> set[str]:
    return {
        f"{path.relative_to(core)}: {name}"
        for path in sorted(core.rglob("*.py"))
        for name in _imports(path, top)
        if _forbidden(name)
    }


def test_core_modules_import_nothing_with_effects():
    assert sorted(CORE.rglob("*.py")), "gitops_tool/core has no modules"
    offenders = _offenders(CORE, PACKAGE)
    assert not offenders, f"core must stay pure, found: {sorted(offenders)}"


def test_checker_catches_a_forbidden_import(tmp_path):
    sample = tmp_path / "gitops_tool" / "core" / "bad.py"
    sample.parent.mkdir(parents=True)
    sample.write_text(
        "import subprocess\nfrom gitops_tool.adapters import files\nfrom gitops_tool import cli\n"
    )
    assert {n for n in _imports(sample, tmp_path / "gitops_tool") if _forbidden(n)} == {
        "subprocess",
        "gitops_tool.adapters",
        "gitops_tool.adapters.files",
        "gitops_tool.cli",
    }


def _fake_package(root: Path, modules: dict[str, str]) -> Path:
    """A package `gitops_tool` under `root` (not the real one) with these modules."""
    top = root / "gitops_tool"
    for rel, text in {"__init__.py": "", "core/__init__.py": "", **modules}.items():
        (top / rel).parent.mkdir(parents=True, exist_ok=True)
        (top / rel).write_text(text)
    return top


def test_checker_resolves_relative_imports_in_a_fake_core(tmp_path):
    top = _fake_package(
        tmp_path,
        {
            "adapters/__init__.py": "",
            "adapters/files.py": "",
            "core/model.py": "",
            "core/good.py": "from . import model\nfrom .model import Thing\nfrom .. import errs\n",
            "core/bad.py": "from ..adapters import files\n",
            "core/worse.py": "from ..adapters.files import read_text\nfrom .. import commands\n",
            "core/sub/__init__.py": "from ...cli import app\n",
        },
    )
    assert _offenders(top / "core", top) == {
        "bad.py: gitops_tool.adapters",
        "bad.py: gitops_tool.adapters.files",
        "worse.py: gitops_tool.adapters.files",
        "worse.py: gitops_tool.adapters.files.read_text",
        "worse.py: gitops_tool.commands",
        "sub/__init__.py: gitops_tool.cli",
        "sub/__init__.py: gitops_tool.cli.app",
    }
    assert "gitops_tool.core.model" in _imports(top / "core" / "good.py", top)


def test_checker_flags_dynamic_imports_in_a_fake_core(tmp_path):
    top = _fake_package(
        tmp_path,
        {
            "core/a.py": "import importlib\nm = importlib.import_module('gitops_tool.cli')\n",
            "core/b.py": "from importlib import import_module as load\nm = load('json')\n",
            "core/c.py": "m = __import__('subprocess')\n",
            "core/d.py": "import json\nj = json.loads('{}')\n",
        },
    )
    assert _offenders(top / "core", top) == {
        "a.py: dynamic import: importlib.import_module (line 2)",
        "b.py: dynamic import: importlib.import_module (line 2)",
        "c.py: dynamic import: __import__ (line 1)",
    }
