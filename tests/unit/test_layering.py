"""The core stays pure: it imports no adapter, command, CLI, git, HTTP or subprocess.

Every import in gitops_tool/core is read from the source (ast), resolved to an absolute
module name (tests/support/imports.py) and checked against FORBIDDEN. Dynamic imports
(`importlib.import_module`, `__import__`) would hide what is imported, so the core may not
use them at all.
"""

from __future__ import annotations

from pathlib import Path

import gitops_tool
from tests.support.imports import DYNAMIC, imports

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
def _forbidden(module: str) -> bool:
    return module.startswith(DYNAMIC) or any(
        module == f or module.startswith(f + ".") for f in FORBIDDEN
    )


def _offenders(core: Path, top: Path) -> set[str]:
    return {
        f"{path.relative_to(core)}: {name}"
        for path in sorted(core.rglob("*.py"))
        for name in imports(path, top)
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
    assert {n for n in imports(sample, tmp_path / "gitops_tool") if _forbidden(n)} == {
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
    assert "gitops_tool.core.model" in imports(top / "core" / "good.py", top)


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
