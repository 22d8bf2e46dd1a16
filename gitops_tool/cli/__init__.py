"""The command line: one module per verb (Typer), each parsing its arguments, calling its
command, presenting the result and exiting. `app.py` holds the app, the global options and
the one place errors become exit codes."""

from __future__ import annotations

# Each verb module adds its command to `app` when imported.
from gitops_tool.cli import (  # noqa: F401
    diff,
    doctor,
    drift,
    history,
    promote,
    render,
    rollback,
    status,
    sync,
    validate,
)
from gitops_tool.cli.app import app


def main() -> None:
    """Console-script entry point."""
    app()
