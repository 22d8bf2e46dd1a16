"""`status`, `sync` and `doctor`: parse, call the command, present its result, exit.

The commands (and requests) are imported inside the verbs so that `--help` stays fast.
"""

from __future__ import annotations

import shutil
import sys
from enum import StrEnum
from typing import Any

import typer

from gitops_tool.cli import GlobalOptions, app, err, guarded
from gitops_tool.errors import (
    EXIT_EXTERNAL,
    EXIT_FOUND,
    EXIT_INPUT,
    EXIT_INTERRUPTED,
    EXIT_OK,
)

# Tests replace parts of the runtime here (e.g. {"clock": FakeClock()}); empty in real use.
RUNTIME_OVERRIDES: dict[str, Any] = {}

_CONNECTION = "Argo CD connection"
SERVER = typer.Option(None, "--server", help="Argo CD server (host[:port], or a URL).",
                      rich_help_panel=_CONNECTION)
AUTH_TOKEN = typer.Option(None, "--auth-token", help="Argo CD token (prefer ARGOCD_AUTH_TOKEN).",
                          rich_help_panel=_CONNECTION)
INSECURE = typer.Option(False, "--insecure", help="Skip TLS certificate verification.",
                        rich_help_panel=_CONNECTION)
PLAINTEXT = typer.Option(False, "--plaintext", help="Use plain HTTP instead of TLS.",
                         rich_help_panel=_CONNECTION)
SERVER_CRT = typer.Option(None, "--server-crt", help="CA certificate (PEM) of the server.",
                          rich_help_panel=_CONNECTION)
CONTEXT = typer.Option(None, "--argocd-context", help="Context of the argocd config to use.",
                       rich_help_panel=_CONNECTION)


class Format(StrEnum):
    table = "table"
    json = "json"


def _flags(server: str | None, auth_token: str | None, insecure: bool, plaintext: bool,
           server_crt: str | None, context: str | None) -> Any:
    from gitops_tool.adapters.argocd_config import ConnectionFlags

    return ConnectionFlags(server=server, auth_token=auth_token, insecure=insecure,
                           plaintext=plaintext, server_crt=server_crt, context=context)


def _runtime(**kwargs: Any) -> Any:
    from gitops_tool.adapters.argocd_runtime import Runtime

    return Runtime(**{"warn": err, **kwargs, **RUNTIME_OVERRIDES})


class _ProgressDisplay:
    """A live single line on a terminal; plain lines, one per change, otherwise."""

    def __init__(self) -> None:
        self.tty = sys.stderr.isatty()
        self.seen: dict[str, str] = {}
        self.width = shutil.get_terminal_size((100, 20)).columns - 1
        self.drawn = False

    def __call__(self, progress: Any) -> None:
        from gitops_tool.output import argocd as present

        if self.tty:
            line = present.progress_line(progress)[: self.width]
            sys.stderr.write(f"\r\x1b[2K{line}")
            sys.stderr.flush()
            self.drawn = True
            return
        for line in present.progress_changes(self.seen, progress):
            err(line)
        self.seen.update({name: reason for name, _, reason in progress.apps})

    def close(self) -> None:
        if self.drawn:
            sys.stderr.write("\n")
            sys.stderr.flush()


@app.command()
def status(
    ctx: typer.Context,
    environment: str = typer.Argument(..., metavar="ENV", help="The environment."),
    output: Format = typer.Option(Format.table, "--output", "-o", help="table or json."),
    server: str | None = SERVER,
    auth_token: str | None = AUTH_TOKEN,
    insecure: bool = INSECURE,
    plaintext: bool = PLAINTEXT,
    server_crt: str | None = SERVER_CRT,
    argocd_context: str | None = CONTEXT,
) -> None:
    """Show the environment's Applications in Argo CD against the repository.

    One request lists them; each row shows plane, wave, sync, health, revision, image tag
    against the release pin, and the last operation. Exit 0 when all are Synced and Healthy
    at the expected revision with their pinned tags, 1 otherwise (also when one is
    Missing), 2 bad input or no token, 3 Argo CD failed.
    """
    options: GlobalOptions = ctx.obj or GlobalOptions()
    flags = _flags(server, auth_token, insecure, plaintext, server_crt, argocd_context)

    def call() -> Any:
        from gitops_tool.commands import status as command

        return command.run(command.StatusOptions(options.root(), environment, flags),
                           _runtime())

    result = guarded(ctx, call)
    from gitops_tool.output import argocd as present

    typer.echo(present.status_json(result) if output is Format.json
               else present.status_table(result))
    raise typer.Exit(EXIT_OK if result.ok else EXIT_FOUND)


@app.command()
def sync(
    ctx: typer.Context,
    environment: str = typer.Argument(..., metavar="ENV", help="The environment."),
    apps: list[str] | None = typer.Option(
        None, "--app", help="Only this service (repeatable); the root is synced first anyway."
    ),
    prune: bool = typer.Option(False, "--prune", help="Delete resources removed from git."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Print the plan; sync nothing."),
    timeout: float = typer.Option(600.0, "--timeout", min=0, help="Seconds for the whole rollout."),
    interval: float = typer.Option(2.0, "--interval", min=0, help="Seconds between polls."),
    server: str | None = SERVER,
    auth_token: str | None = AUTH_TOKEN,
    insecure: bool = INSECURE,
    plaintext: bool = PLAINTEXT,
    server_crt: str | None = SERVER_CRT,
    argocd_context: str | None = CONTEXT,
) -> None:
    """Sync the root Application, then the children wave by wave, waiting for each wave.

    Exit 0 done (or --dry-run), 1 an app turned Degraded or its sync failed, 2 bad input or
    no token, 3 Argo CD failed, a sync window blocks, or the timeout passed, 130 Ctrl-C.
    """
    options: GlobalOptions = ctx.obj or GlobalOptions()
    flags = _flags(server, auth_token, insecure, plaintext, server_crt, argocd_context)
    display = _ProgressDisplay()

    def call() -> Any:
        from gitops_tool.commands import sync as command

        try:
            return command.run(
                command.SyncOptions(
                    root=options.root(), environment=environment, apps=tuple(apps or ()),
                    prune=prune, dry_run=dry_run, timeout=timeout, interval=interval,
                    flags=flags,
                ),
                _runtime(progress=display),
            )
        finally:
            display.close()

    result = guarded(ctx, call)
    from gitops_tool.commands.sync import FAILED, INTERRUPTED, PLANNED, TIMEOUT
    from gitops_tool.output import argocd as present

    if result.outcome == PLANNED:
        typer.echo(present.plan_text(result.plan))
        raise typer.Exit(EXIT_OK)
    typer.echo(present.sync_text(result))
    if hint := present.sync_hint(result):
        err(f"hint: {hint}")
    codes = {FAILED: EXIT_FOUND, TIMEOUT: EXIT_EXTERNAL, INTERRUPTED: EXIT_INTERRUPTED}
    raise typer.Exit(codes.get(result.outcome, EXIT_OK))


@app.command()
def doctor(
    ctx: typer.Context,
    environment: str | None = typer.Argument(
        None, metavar="[ENV]", help="Check this environment (default: all)."
    ),
    server: str | None = SERVER,
    auth_token: str | None = AUTH_TOKEN,
    insecure: bool = INSECURE,
    plaintext: bool = PLAINTEXT,
    server_crt: str | None = SERVER_CRT,
    argocd_context: str | None = CONTEXT,
) -> None:
    """Check helm, git, Argo CD, its Application health check, projects and root apps.

    Each check prints ok or FAIL with how to fix it. Exit 0 all passed, 1 any failed
    (an unreachable Argo CD or a refused token is a failed check), 2 bad input or no
    server or token (the local checks are still printed; nothing is sent).
    """
    options: GlobalOptions = ctx.obj or GlobalOptions()
    flags = _flags(server, auth_token, insecure, plaintext, server_crt, argocd_context)

    def call() -> Any:
        from gitops_tool.commands import doctor as command

        return command.run(command.DoctorOptions(options.root(), environment, flags),
                           _runtime())

    result = guarded(ctx, call)
    from gitops_tool.output import argocd as present

    typer.echo(present.doctor_text(result))
    if result.unconfigured:
        raise typer.Exit(EXIT_INPUT)
    raise typer.Exit(EXIT_OK if result.ok else EXIT_FOUND)
