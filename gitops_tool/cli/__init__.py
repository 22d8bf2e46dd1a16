"""The command line: one module per verb (Typer), each parsing its arguments, calling its
command, presenting the result and exiting. `app.py` holds the app, the global options and
the one place errors become exit codes.

Unlike the rest of the package, these modules do not use `from __future__ import annotations`:
Typer reads every command's annotations on each run, and annotations evaluated once at import
cost less than Typer evaluating them from strings (about 5 ms of a 110 ms render)."""

import signal
import sys
import traceback

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
from gitops_tool.errors import EXIT_INTERNAL, masked


def main() -> None:
    """Console-script entry point. A stdout that cannot be written is handled here, once
    for every command (cli/streams.py): one line on stderr, exit 2 or 3, no traceback."""
    code = _run()
    # The command is over and what it printed is flushed. A Ctrl-C from here on lands in the
    # interpreter's exit (atexit callbacks: logging's shutdown, the thread pools' joins) and
    # ends the process as the signal does, with no traceback from that teardown.
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    sys.exit(code)


def _run() -> int | str | None:
    """Run the app; its exit code."""
    from gitops_tool.cli import streams

    streams.guard()
    code: int | str | None = 0
    try:
        app()
    except SystemExit as done:
        code = done.code
    except streams.StdoutFailed as failed:
        return streams.report(failed)
    except Exception:  # a bug: its own exit code, so that CI never reads it as a finding
        sys.stderr.write(masked(traceback.format_exc()))
        sys.stderr.write("error: internal error in gitops-tool (the traceback above)\n"
                         "hint: this is a bug: please report it with the traceback; "
                         f"the exit code is {EXIT_INTERNAL}\n")
        return EXIT_INTERNAL
    try:
        streams.finish()
    except streams.StdoutFailed as failed:
        return streams.report(failed)
    return code
