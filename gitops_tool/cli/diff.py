"""`gitops-tool diff`: parse the arguments, compare, print, exit 0 (nothing to promote) or 1."""

from typing import Any, Literal

import typer

from gitops_tool.cli import complete, connection
from gitops_tool.cli.app import app, guarded, options_of, output_option
from gitops_tool.output import Format


@app.command()
def diff(
    ctx: typer.Context,
    source: str = typer.Argument(..., metavar="SOURCE", help="The environment promoted from.",
                                 autocompletion=complete.environments),
    target: str = typer.Argument(..., metavar="TARGET", help="The environment promoted into.",
                                 autocompletion=complete.environments),
    services: list[str] | None = typer.Option(
        None, "--service", metavar="S", help="Only this service (repeatable).",
        autocompletion=complete.charts),
    output: Literal["table", "json", "markdown"] = output_option(Format.table),
    server: str | None = connection.SERVER,
    auth_token: str | None = connection.AUTH_TOKEN,
    insecure: bool = connection.INSECURE,
    plaintext: bool = connection.PLAINTEXT,
    server_crt: str | None = connection.SERVER_CRT,
    argocd_context: str | None = connection.CONTEXT,
) -> None:
    """Show, per service, how TARGET's versions differ from SOURCE's, and what
    `gitops-tool promote SOURCE TARGET` would change. Changes nothing.

    Exit 0 nothing would change, 1 something would (like `git diff --exit-code`), 2 bad
    input, 3 the git remote or Argo CD failed.
    """
    options = options_of(ctx)
    flags = connection.flags(server, auth_token, insecure, plaintext, server_crt, argocd_context)

    def call() -> Any:
        from gitops_tool.commands import diff as command

        return command.run(
            command.DiffOptions(options.root(), source, target, tuple(services or ()), flags),
            connection.runtime(ctx),
        )

    result = guarded(ctx, call)
    from gitops_tool.output import diff as present

    if Format(output) is Format.json:
        typer.echo(present.diff_json(result))
    elif Format(output) is Format.markdown:
        typer.echo(present.diff_markdown(result), nl=False)
    else:
        typer.echo(present.diff_table(result))
    raise typer.Exit(result.exit_code)
