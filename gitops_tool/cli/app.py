"""The Typer app, its global options, and `guarded`: the one place where GitopsError and
Ctrl-C become a message and an exit code.

The verb modules beside this one add their commands to `app`; each imports its command
implementation (`gitops_tool.commands.<verb>`) inside the verb, so that `--help` and the
other verbs do not pay for it.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TypeVar

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


@dataclass(frozen=True, slots=True)
class GlobalOptions:
    """Options given before the verb, and what the commands get from their environment.

    `runtime` is the Argo CD commands' Runtime (clock, environment variables, retry policy);
    None means the real one. Tests pass theirs as the Typer context object
    (`CliRunner().invoke(app, args, obj=GlobalOptions(runtime=...))`).
    """

    repo: Path | None = None
    debug: bool = False
    runtime: Any = None

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
    given = ctx.obj if isinstance(ctx.obj, GlobalOptions) else GlobalOptions()
    ctx.obj = replace(given, repo=repo, debug=debug)
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


def options_of(ctx: typer.Context) -> GlobalOptions:
    """The global options of this run."""
    return ctx.obj if isinstance(ctx.obj, GlobalOptions) else GlobalOptions()


def guarded(ctx: typer.Context, call: Callable[[], T]) -> T:
    """Run `call`; turn GitopsError and Ctrl-C into a message and an exit code."""
    options = options_of(ctx)
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
    except KeyboardInterrupt as exc:  # the command may say what state it left: "interrupted; ..."
        err(f"interrupted; {exc}" if str(exc) else "interrupted")
        raise typer.Exit(EXIT_INTERRUPTED) from None
