"""`gitops-tool sync`: parse the arguments, run the rollout with live progress on stderr,
print its outcome, exit."""

import shutil
import sys
from typing import Any, Literal

import typer

from gitops_tool.cli import complete, connection
from gitops_tool.cli.app import app, err, guarded, options_of, output_option
from gitops_tool.output import Format


class _ProgressDisplay:
    """A live single line on a terminal; plain lines, one per change, otherwise."""

    def __init__(self) -> None:
        self.tty = sys.stderr.isatty()
        self.seen: dict[str, str] = {}
        self.width = shutil.get_terminal_size((100, 20)).columns - 1
        self.drawn = False

    def __call__(self, progress: Any) -> None:
        from gitops_tool.output import sync as present

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
def sync(
    ctx: typer.Context,
    environment: str = typer.Argument(..., metavar="ENV", help="The environment.",
                                      autocompletion=complete.environments),
    apps: list[str] | None = typer.Option(
        None, "--app", help="Only this service (repeatable); the root is synced first anyway.",
        autocompletion=complete.charts,
    ),
    prune: bool = typer.Option(False, "--prune", help="Delete resources removed from git."),
    dry_run: bool = typer.Option(
        False, "--dry-run",
        help="Show the plan with each app as Argo CD reports it (one request); sync nothing.",
    ),
    timeout: float = typer.Option(600.0, "--timeout", min=0, help="Seconds for the whole rollout."),
    interval: float = typer.Option(2.0, "--interval", min=0, help="Seconds between polls."),
    from_remote: bool = typer.Option(
        False, "--from-remote",
        help="Sync what the remote branch holds even where this clone differs (knowingly)."),
    output: Literal["text", "json"] = output_option(Format.text),
    server: str | None = connection.SERVER,
    auth_token: str | None = connection.AUTH_TOKEN,
    insecure: bool = connection.INSECURE,
    plaintext: bool = connection.PLAINTEXT,
    server_crt: str | None = connection.SERVER_CRT,
    argocd_context: str | None = connection.CONTEXT,
) -> None:
    """Sync the root Application, then the children wave by wave, waiting for each wave.

    Refused (exit 2) when ENV's inputs have uncommitted changes, or differ between HEAD and
    the remote branch the root Application tracks: Argo CD deploys what the remote has.

    Exit 0 done (or --dry-run), 1 an app turned Degraded or its sync failed (--dry-run: an
    app is missing in Argo CD), 2 bad input, no token, or the clone differs from the remote,
    3 Argo CD failed, a sync window blocks, or the timeout passed, 130 Ctrl-C.
    """
    options = options_of(ctx)
    flags = connection.flags(server, auth_token, insecure, plaintext, server_crt, argocd_context)
    display = _ProgressDisplay()

    def call() -> Any:
        from gitops_tool.commands import sync as command

        try:
            return command.run(
                command.SyncOptions(
                    root=options.root(), environment=environment, apps=tuple(apps or ()),
                    prune=prune, dry_run=dry_run, timeout=timeout, interval=interval,
                    flags=flags, from_remote=from_remote,
                ),
                connection.runtime(ctx, progress=display),
            )
        finally:
            display.close()

    result = guarded(ctx, call)
    from gitops_tool.output import sync as present

    if Format(output) is Format.json:
        typer.echo(present.sync_json(result))
    else:
        typer.echo(present.plan_text(result) if result.dry_run else present.sync_text(result))
    if hint := present.sync_hint(result):
        err(f"hint: {hint}")
    raise typer.Exit(result.exit_code)
