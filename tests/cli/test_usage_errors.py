"""Click's own errors end as every error does: the usage line, Click's message, and one
`hint:` line on stderr (exit 2); under -o json the error object on stdout too. An abort at
a prompt (Ctrl-C, Ctrl-D) is an interruption: exit 130, with the JSON object under -o json."""

from __future__ import annotations

import json
from typing import Literal

import pytest
import typer
from typer.testing import CliRunner

from gitops_tool.cli import app
from gitops_tool.cli.app import _Group, output_option
from gitops_tool.errors import EXIT_INTERRUPTED
from gitops_tool.output import Format


@pytest.mark.parametrize(("args", "message", "hint"), [
    (["render", "--bogus"], "error: No such option: --bogus",
     "hint: `gitops-tool render --help` lists its arguments and options"),
    (["sync"], "error: Missing argument 'ENV'.",
     "hint: `gitops-tool sync --help` lists its arguments and options"),
    (["frobnicate"], "error: No such command 'frobnicate'.",
     "hint: the commands are diff, doctor, drift, history, promote, render, rollback, status, "
     "sync, validate; `gitops-tool --help` says what each does"),
    (["sync", "dev", "--timeout", "soon"], "error: Invalid value for '--timeout': 'soon' is "
     "not a valid float range.", "hint: `gitops-tool sync --help` lists its arguments and options"),
])
def test_a_usage_error_ends_with_one_hint(args, message, hint):
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert lines[0].startswith("Usage: gitops-tool")
    assert lines[1:] == [message, hint]
    assert result.stdout == ""


def test_an_option_is_suggested_by_its_name_not_its_dashes():
    """`--bogus` shares only the dashes and two letters with render's `--push`."""
    assert "Possible options" not in CliRunner().invoke(app, ["render", "--bogus"]).stderr
    result = CliRunner().invoke(app, ["render", "--comit"])
    assert "error: No such option: --comit (Possible options: --commit)" in result.stderr


def test_a_usage_error_under_json_is_the_error_object_with_the_same_hint():
    result = CliRunner().invoke(app, ["render", "--bogus", "-o", "json"])
    assert result.exit_code == 2
    assert json.loads(result.stdout) == {
        "error": "No such option: --bogus", "exit_code": 2,
        "hint": "`gitops-tool render --help` lists its arguments and options"}
    assert result.stderr.splitlines()[-1].startswith("hint: ")


def _prompting_app() -> typer.Typer:
    """An app of the same group class whose one command asks a question through Click."""
    asking = typer.Typer(cls=_Group)

    @asking.command()
    def ask(output: Literal["table", "json"] = output_option(Format.table)) -> None:
        typer.prompt("name")

    @asking.command()
    def other() -> None:  # two commands, so that `ask` is a verb
        pass

    return asking


@pytest.mark.parametrize("args", [["ask"], ["ask", "-o", "json"]])
def test_an_abort_at_a_prompt_is_an_interruption(args):
    result = CliRunner().invoke(_prompting_app(), args, input="")  # Ctrl-D: end of input
    assert result.exit_code == EXIT_INTERRUPTED
    assert "Aborted!" not in result.stderr
    assert result.stderr.splitlines()[-2:] == [
        "interrupted", "hint: run the command again to finish what it started"]
    if "json" in args:
        assert json.loads(result.stdout[result.stdout.index("{"):]) == {
            "error": "interrupted", "exit_code": EXIT_INTERRUPTED,
            "hint": "run the command again to finish what it started"}
