"""`gitops-tool promote`: parse the arguments, run the promotion (progress and the
confirmation on stderr), print its result on stdout, exit."""

import sys
from typing import Any, Literal

import typer

from gitops_tool.cli import complete, connection
from gitops_tool.cli.app import (
    Abort,
    app,
    err,
    guarded,
    lock_timeout_option,
    options_of,
    output_option,
)
from gitops_tool.output import Format


def confirm_on_terminal(preview: Any) -> bool:
    """Show the commit's diff and its changes on stderr, then ask. End of input (Ctrl-D)
    is a no; Ctrl-C is an interruption (130, as anywhere else), not Click's "Aborted!"."""
    from gitops_tool.output import promote as present

    err(preview.diff.rstrip("\n"))
    err("")
    err(present.moves_table(preview.story))
    try:
        return typer.confirm(f"Commit {present.subject_of(preview.story)}?", default=False,
                             err=True)
    except Abort as exc:  # Click turns both into Abort; the one it caught is the context
        if isinstance(exc.__context__, KeyboardInterrupt):
            raise KeyboardInterrupt("nothing was committed") from None
        err("")
        return False



@app.command()
def promote(
    ctx: typer.Context,
    source: str = typer.Argument(..., metavar="SOURCE", help="The environment promoted from.",
                                 autocompletion=complete.environments),
    target: str = typer.Argument(..., metavar="TARGET", help="The next one on the chain.",
                                 autocompletion=complete.environments),
    services: list[str] | None = typer.Option(
        None, "--service", metavar="S", help="Only this service (repeatable).",
        autocompletion=complete.charts),
    dry_run: bool = typer.Option(False, "--dry-run",
                                 help="Show the plan and the diff; change nothing anywhere."),
    push: bool = typer.Option(False, "--push", help="Push the commit to the branch's upstream."),
    branch: str | None = typer.Option(
        None, "--branch", metavar="NAME",
        help="Commit on a new branch NAME and push it (for a pull request)."),
    yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask for a confirmation."),
    skip_gate: bool = typer.Option(False, "--skip-gate",
                                   help="Do not check SOURCE in Argo CD (needs --reason)."),
    reason: str | None = typer.Option(None, "--reason", metavar="TEXT",
                                      help="Why the gate is skipped (recorded in the commit)."),
    output: Literal["text", "json", "markdown"] = output_option(Format.text),
    lock_timeout: float = lock_timeout_option(),
    server: str | None = connection.SERVER,
    auth_token: str | None = connection.AUTH_TOKEN,
    insecure: bool = connection.INSECURE,
    plaintext: bool = connection.PLAINTEXT,
    server_crt: str | None = connection.SERVER_CRT,
    argocd_context: str | None = connection.CONTEXT,
) -> None:
    """Promote SOURCE's versions into TARGET, the next environment on the chain: one commit.

    TARGET's release pins (image tags, and per-service revisions) and its source.revision
    become SOURCE's; nothing else in environments/TARGET.yaml changes. When an Argo CD
    server is configured, every promoted service must first be Synced and Healthy in SOURCE
    at the promoted revision and tag (the gate). TARGET is rendered again, and one commit
    holds the environment file and TARGET's rendered files, with trailers history reads.

    Exit 0 promoted (or nothing to promote, or --dry-run), 1 the gate refused (or the
    confirmation was declined), 2 bad input or a dirty tree, 3 the git remote or Argo CD
    failed, or a conflict with the remote, 130 interrupted.
    """
    options = options_of(ctx)
    flags = connection.flags(server, auth_token, insecure, plaintext, server_crt, argocd_context)

    def call() -> Any:
        from gitops_tool.commands import promote as command
        from gitops_tool.commands.publish import GitDeps

        return command.run(
            command.PromoteOptions(
                root=options.root(), source=source, target=target,
                services=tuple(services or ()), dry_run=dry_run, push=push,
                branch=branch or "", yes=yes, interactive=sys.stdin.isatty(),
                skip_gate=skip_gate, reason=reason or "", lock_timeout=lock_timeout,
                flags=flags,
            ),
            command.PromoteDeps(
                runtime=connection.runtime(ctx), git=GitDeps(notify=err),
                confirm=confirm_on_terminal,
            ),
        )

    result = guarded(ctx, call)
    present_result(result, output)


def present_result(result: Any, output: str) -> None:
    """Print a promote or rollback result and exit with its code."""
    from gitops_tool.output import promote as present

    if Format(output) is Format.json:
        typer.echo(present.as_json(result))
    elif Format(output) is Format.markdown:
        typer.echo(present.markdown(result), nl=False)
        for line in present.outcome_lines(result):
            err(line)
    else:
        typer.echo(present.text(result))
    if result.gate.refused:
        err(f"hint: fix {result.story.source} first (gitops-tool status {result.story.source}),"
            " or pass --skip-gate --reason TEXT to promote anyway, on record")
    raise typer.Exit(result.exit_code)
