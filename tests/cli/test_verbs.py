"""Every command is on the app and answers --help."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from gitops_tool import cli

COMMANDS = ("render", "validate", "status", "sync", "doctor", "drift", "promote", "diff",
            "history", "rollback")


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_is_on_the_app_and_answers_help(command: str) -> None:
    result = CliRunner().invoke(cli.app, [command, "--help"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"Usage: gitops-tool {command} ")
