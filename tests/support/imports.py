"""What a Python module imports, read from its source (ast), as absolute module names.

Relative imports (`from ..adapters import files`) are resolved against the module's own
package, and each name of a `from X import name` is reported as the submodule `X.name` it
may be. Calls of an importer (`importlib.import_module`, `__import__`) are reported as
`dynamic import: <call> (line N)`: they hide what is imported. Used by the layering tests
of the package and of the tests themselves.
"""

from __future__ import annotations

import ast
from pathlib import Path

DYNAMIC = "dynamic import: "  # prefix of what imports() reports for an importer's call
IMPORTERS = {
    "importlib.import_module",
    "importlib.__import__",
    "importlib.util.module_from_spec",
    "importlib.util.spec_from_file_location",
    "__import__",
    "builtins.__import__",
}


def package_of(path: Path, top: Path) -> str:
    """The dotted package a module file belongs to (for `pkg/__init__.py`, `pkg` itself);
    `top` is the top package's folder."""
    return ".".join(path.relative_to(top.parent).parent.parts)


def resolve(node: ast.ImportFrom, package: str, path: Path) -> str:
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


def imports(path: Path, top: Path) -> set[str]:
    """Every module `path` may import (absolute names), and `dynamic import: <call>` for each
    call of an importer."""
    package = package_of(path, top)
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
            base = resolve(node, package, path)
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
