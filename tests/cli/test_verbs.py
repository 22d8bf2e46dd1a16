"""Every verb module in gitops_tool/cli is registered, and every command answers --help."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from gitops_tool import cli

COMMANDS = ("render", "validate", "status", "sync", "doctor")


def test_every_verb_module_beside_the_app_is_registered() -> None:
    beside = {p.stem for p in Path(cli.__file__).parent.glob("*.py") if not p.stem.startswith("_")}
    assert set(cli.VERBS) == beside


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_is_on_the_app_and_answers_help(command: str) -> None:
    result = CliRunner().invoke(cli.app, [command, "--help"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"Usage: gitops-tool {command} ")
