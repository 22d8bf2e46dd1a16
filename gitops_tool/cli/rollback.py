"""`gitops-tool rollback`: parse the arguments, restore ENV's versions in one commit, print
the result, exit."""

import sys
from typing import Any, Literal

import typer

from gitops_tool.cli import complete, connection
from gitops_tool.cli.app import app, err, guarded, lock_timeout_option, options_of, output_option
from gitops_tool.cli.promote import confirm_on_terminal
from gitops_tool.output import Format


@app.command()
def rollback(
    ctx: typer.Context,
    environment: str = typer.Argument(..., metavar="ENV", help="The environment.",
                                      autocompletion=complete.environments),
    to: str = typer.Option(..., "--to", metavar="ID|COMMIT",
                           help="A promotion id (see `history`) or a commit."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Show the plan; change nothing."),
    push: bool = typer.Option(False, "--push", help="Push the commit to the branch's upstream."),
    branch: str | None = typer.Option(
        None, "--branch", metavar="NAME",
        help="Commit on a new branch NAME and push it (for a pull request)."),
    yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask for a confirmation."),
    output: Literal["text", "json"] = output_option(Format.text),
    lock_timeout: float = lock_timeout_option(),
) -> None:
    """Restore ENV's release pins and source.revision as they were after a promotion (its id)
    or at a commit: one commit, rendered and pushed like a promotion, with a
    Gitops-Tool-Rollback-Of trailer. Not restricted to the promotion chain; no gate.

    Exit 0 done (or nothing to restore, or --dry-run), 1 the confirmation was declined,
    2 bad input or a dirty tree, 3 the git remote failed or conflicted, 130 interrupted.
    """
    options = options_of(ctx)

    def call() -> Any:
        from gitops_tool.commands import rollback as command
        from gitops_tool.commands.promote import PromoteDeps
        from gitops_tool.commands.publish import GitDeps

        return command.run(
            command.RollbackOptions(
                root=options.root(), environment=environment, to=to, push=push,
                branch=branch or "", yes=yes, interactive=sys.stdin.isatty(), dry_run=dry_run,
                lock_timeout=lock_timeout,
            ),
            PromoteDeps(runtime=connection.runtime(ctx), git=GitDeps(notify=err),
                        confirm=confirm_on_terminal),
        )

    result = guarded(ctx, call)
    from gitops_tool.output import rollback as present

    typer.echo(present.as_json(result) if Format(output) is Format.json
               else present.text(result))
    raise typer.Exit(result.exit_code)
