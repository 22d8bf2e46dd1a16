"""The Typer app: parse arguments, call a command, present its result, exit.

Each verb lives in its own module beside this one and registers itself on
`app`; the command implementations (`gitops_tool.commands.*`) are imported
inside the verbs so that `--help` stays fast. Only this package catches
GitopsError, and only `guarded` maps errors to exit codes.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import typer

from gitops_tool import __version__
from gitops_tool.errors import EXIT_INTERRUPTED, GitopsError

T = TypeVar("T")

app = typer.Typer(
    name="gitops-tool",
    help="Render and validate the Ananta Platform's Argo CD GitOps repository; sync it in "
    "Argo CD, show its status and check the setup (doctor).",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


class GlobalOptions:
    """Options given before the verb (a plain class: a dataclass costs a millisecond of start-up
    on every command)."""

    def __init__(self, repo: Path | None = None, debug: bool = False) -> None:
        self.repo = repo
        self.debug = debug

    def root(self) -> Path:
        from gitops_tool.adapters.files import find_root

        return self.repo.resolve() if self.repo else find_root(Path.cwd())


def _version(value: bool) -> None:
    if value:
        typer.echo(f"gitops-tool {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    ctx: typer.Context,
    repo: Path | None = typer.Option(
        None,
        "--repo",
        help="The GitOps repository (default: the nearest folder with gitops-tool.yaml).",
        file_okay=False,
    ),
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks for errors."),
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Show the version and exit."
    ),
) -> None:
    ctx.obj = GlobalOptions(repo=repo, debug=debug)
    _log_to_stderr(debug)


def _log_to_stderr(debug: bool) -> None:
    """`--debug`: gitops-tool's own log lines (e.g. each Argo CD request) go to stderr.

    Without --debug, logging is left unimported unless something else loaded it (then the
    level is reset, so that one --debug run in a process does not leak into the next)."""
    if not debug and "logging" not in sys.modules:
        return
    import logging

    class StderrHandler(logging.Handler):
        """Writes to whatever sys.stderr is at the time (test runners swap it)."""

        def emit(self, record: logging.LogRecord) -> None:
            try:
                sys.stderr.write(self.format(record) + "\n")
            except Exception:  # a logging failure must not break the command
                self.handleError(record)

    logger = logging.getLogger("gitops_tool")
    if not any(type(h).__name__ == "StderrHandler" for h in logger.handlers):
        handler = StderrHandler()
        handler.setFormatter(logging.Formatter("debug: %(name)s: %(message)s"))
        logger.addHandler(handler)
    logger.setLevel(logging.DEBUG if debug else logging.WARNING)


def err(message: str) -> None:
    """One line on stderr."""
    typer.echo(message, err=True)


def guarded(ctx: typer.Context, call: Callable[[], T]) -> T:
    """Run `call`; turn GitopsError and Ctrl-C into a message and an exit code."""
    options: GlobalOptions = ctx.obj or GlobalOptions()
    try:
        return call()
    except GitopsError as exc:
        if options.debug:
            import traceback

            traceback.print_exc(file=sys.stderr)
        err(f"error: {exc.message}")
        if exc.hint:
            err(f"hint: {exc.hint}")
        raise typer.Exit(exc.exit_code) from None
    except KeyboardInterrupt:
        err("interrupted")
        raise typer.Exit(EXIT_INTERRUPTED) from None


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except SystemExit as done:
        if isinstance(done.code, int | None):
            exit_without_teardown(done.code or 0)
        raise


def exit_without_teardown(code: int) -> None:
    """End the process now when nothing is left to do at exit; else return.

    A normal exit tears the interpreter down: every module and object is freed one by one,
    which costs a render about as much as its own work on this repository (10-15 ms). The
    console script has nothing to clean up by then, so it skips that: stdout and stderr are
    flushed and the process ends with `code`. Anything that still needs the normal exit --
    an atexit callback, a thread still running, logging handlers, a stream that cannot be
    flushed -- makes this return, and the caller exits normally.
    """
    import atexit

    pending = getattr(atexit, "_ncallbacks", lambda: 1)()
    threading = sys.modules.get("threading")
    if pending or (threading is not None and threading.active_count() > 1):
        return
    if "logging" in sys.modules:
        return
    try:
        for stream in (sys.stdout, sys.stderr):
            if stream is not None:  # None: the descriptor was closed before Python started
                stream.flush()
    except (OSError, ValueError):
        return
    import os

    os._exit(code)


# The verb modules beside this one; importing each adds its commands to `app`. Listed rather
# than discovered (pkgutil costs a millisecond on every start); a test checks the list.
VERBS = ("render", "validate", "argocd")


def _register_verbs() -> None:
    import importlib

    for name in VERBS:
        importlib.import_module(f"{__name__}.{name}")


_register_verbs()
