"""Every error has its `hint:` line: a GitopsError raised in gitops_tool names one, and
every GitopsError class has a default for the rest; the CLI prints it."""

from __future__ import annotations

import ast
import importlib
import pkgutil
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

import gitops_tool
from gitops_tool.cli.app import guarded
from gitops_tool.errors import GitopsError, InputError

PACKAGE = Path(gitops_tool.__file__).parent
# Raised there without a hint of their own (the class default applies): files other lines
# of work own; give each raise its own hint when they are next touched.
DEFAULT_HINT_OK = {"adapters/argocd/client.py", "adapters/argocd/config.py",
                   "adapters/writer.py", "core/yamldoc.py"}


def _all_error_classes() -> set[type[GitopsError]]:
    for module in pkgutil.walk_packages([str(PACKAGE)], "gitops_tool."):
        if not module.name.endswith("__main__"):  # that one runs the CLI
            importlib.import_module(module.name)
    found, todo = set(), [GitopsError]
    while todo:
        cls = todo.pop()
        found.add(cls)
        todo += cls.__subclasses__()
    return found


def test_every_error_class_has_a_default_hint():
    for cls in _all_error_classes():
        assert isinstance(cls.default_hint, str) and cls.default_hint.strip(), cls


def test_every_error_raised_in_the_package_names_its_hint():
    names = {cls.__name__ for cls in _all_error_classes()}
    missing = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).as_posix()
        if rel in DEFAULT_HINT_OK:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
            if name not in names:
                continue
            if len(node.args) >= 2 or any(k.arg in ("hint", None) for k in node.keywords):
                continue
            missing.append(f"{rel}:{node.lineno}: {name}(...) without a hint")
    assert not missing, "\n".join(missing)


@pytest.mark.parametrize("error", [InputError("a bad thing"), GitopsError("another")])
def test_the_cli_prints_a_hint_for_every_error(error):
    app = typer.Typer()

    @app.command()
    def fail(ctx: typer.Context) -> None:
        def call() -> None:
            raise error
        guarded(ctx, call)

    result = CliRunner().invoke(app, [])
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [f"error: {error.message}", f"hint: {error.hint}"]
