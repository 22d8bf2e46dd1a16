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


@pytest.mark.parametrize("command", ("render", "promote", "rollback"))
def test_the_commands_that_write_wait_for_the_one_lock_alike(command: str) -> None:
    """One repository lock, one default wait: a promote behind a render waits as long as a
    render behind a promote."""
    result = CliRunner().invoke(cli.app, [command, "--help"], terminal_width=200)
    assert result.exit_code == 0, result.output
    help_text = " ".join(result.output.split())
    assert "--lock-timeout SECONDS How long to wait for another gitops-tool command that is " \
           "writing this repository" in help_text
    assert "[default: 60.0; x>=0]" in help_text
