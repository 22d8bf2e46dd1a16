"""The tests' own layering: what is shared lives in tests/support, nothing else is shared.

A module under tests/ may import `tests.support.*` and the modules of its own folder (and
tests/support only tests/support); a benchmark under bench/ only `tests.support.*`. No module
imports a conftest.py: those only register fixtures; nor a test module (`test_*.py`), even of
its own folder: a helper two test modules share goes to a helper module beside them. Imports
are read from the source (tests/support/imports.py), relative ones resolved.
"""

from __future__ import annotations

from pathlib import Path

from tests.support.imports import DYNAMIC, imports, package_of
from tests.support.repo import REPO

SUPPORT = "tests.support"


def _within(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def problem(module: str, home: str | None) -> str | None:
    """Why a module of package `home` (None: a benchmark) may not import `module`, or None.

    Packages above the allowed ones (`tests`, `tests.integration`) are only namespaces:
    importing one of their modules is what is judged.
    """
    if module.startswith(DYNAMIC) or not _within(module, "tests"):  # scripts/ load by path
        return None
    parts = module.split(".")
    if "conftest" in parts:
        return "a conftest.py (it registers fixtures; shared code goes to tests/support)"
    if any(part.startswith("test_") for part in parts):
        return "a test module (shared code goes to a helper module beside it, or tests/support)"
    if _within(module, SUPPORT) or (home is not None and _within(module, home)):
        return None
    allowed = [SUPPORT] if home is None else [SUPPORT, home]
    if any(_within(a, module) for a in allowed):  # a package above: a namespace
        return None
    return "another folder's module (shared code goes to tests/support)"


def offenders(root: Path) -> list[str]:
    """`path: module: why` for each forbidden import under root/tests and root/bench."""
    modules = [(p, root / "tests") for p in (root / "tests").rglob("*.py")]
    modules += [(p, root / "bench") for p in (root / "bench").glob("*.py")]
    found = []
    for path, top in modules:
        home = package_of(path, top) if top.name == "tests" else None
        found += [
            (path.relative_to(root).as_posix(), module, why)
            for module in imports(path, top)
            if (why := problem(module, home))
        ]
    return [f"{path}: {module}: {why}" for path, module, why in sorted(found)]


def test_tests_and_benchmarks_share_only_tests_support():
    assert len(list((REPO / "tests").rglob("test_*.py"))) > 50
    assert offenders(REPO) == []


def _tree(root: Path, modules: dict[str, str]) -> Path:
    for rel, text in modules.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    return root


def test_the_checker_flags_other_folders_conftests_and_bench_reaching_into_tests(tmp_path):
    root = _tree(
        tmp_path,
        {
            "tests/__init__.py": "",
            "tests/conftest.py": "from tests.support.repo import REPO\n",
            "tests/support/__init__.py": "",
            "tests/support/trees.py": "from tests.support import repo\n",
            "tests/support/bad.py": "from tests.unit.render.parsed import documents\n",
            "tests/unit/render/__init__.py": "",
            "tests/unit/render/conftest.py": "from .parsed import documents\n",
            "tests/unit/render/parsed.py": "import yaml\n",
            "tests/unit/render/test_ok.py": (
                "from tests.support.trees import write_tree\n"
                "from tests.unit.render.parsed import documents\n"
                "from . import parsed\n"
                "from tests import support\n"
            ),
            "tests/unit/render/test_conftest.py": (
                "from tests.conftest import REPO\n"
                "from .conftest import small_tree\n"
            ),
            "tests/unit/render/test_reuse.py": (
                "from tests.unit.render.test_ok import check\n"
                "from . import test_ok\n"
            ),
            "tests/cli/test_cross.py": (
                "from tests.integration.validate.cases import CASES\n"
                "from tests.unit.render import parsed\n"
            ),
            "bench/ok.py": "from tests.support.trees import write_tree\nimport gitops_tool\n",
            "bench/bad.py": "from tests.integration.argocd.trees import populate\n",
        },
    )
    other = "another folder's module (shared code goes to tests/support)"
    conftest = "a conftest.py (it registers fixtures; shared code goes to tests/support)"
    test = "a test module (shared code goes to a helper module beside it, or tests/support)"
    assert offenders(root) == [
        f"bench/bad.py: tests.integration.argocd.trees: {other}",
        f"bench/bad.py: tests.integration.argocd.trees.populate: {other}",
        f"tests/cli/test_cross.py: tests.integration.validate.cases: {other}",
        f"tests/cli/test_cross.py: tests.integration.validate.cases.CASES: {other}",
        f"tests/cli/test_cross.py: tests.unit.render: {other}",
        f"tests/cli/test_cross.py: tests.unit.render.parsed: {other}",
        f"tests/support/bad.py: tests.unit.render.parsed: {other}",
        f"tests/support/bad.py: tests.unit.render.parsed.documents: {other}",
        f"tests/unit/render/test_conftest.py: tests.conftest: {conftest}",
        f"tests/unit/render/test_conftest.py: tests.conftest.REPO: {conftest}",
        f"tests/unit/render/test_conftest.py: tests.unit.render.conftest: {conftest}",
        f"tests/unit/render/test_conftest.py: tests.unit.render.conftest.small_tree: {conftest}",
        f"tests/unit/render/test_reuse.py: tests.unit.render.test_ok: {test}",
        f"tests/unit/render/test_reuse.py: tests.unit.render.test_ok.check: {test}",
    ]
