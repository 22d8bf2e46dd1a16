"""`gitops-tool status`: parse the arguments, run the command, print its result, exit."""

from typing import Any, Literal

import typer

from gitops_tool.cli import complete, connection
from gitops_tool.cli.app import app, guarded, options_of, output_option
from gitops_tool.output import Format


@app.command()
def status(
    ctx: typer.Context,
    environment: str = typer.Argument(..., metavar="ENV", help="The environment.",
                                      autocompletion=complete.environments),
    output: Literal["table", "json"] = output_option(Format.table),
    timeout: float = typer.Option(
        60.0, "--timeout", min=0, help="Seconds for everything asked of Argo CD."
    ),
    server: str | None = connection.SERVER,
    auth_token: str | None = connection.AUTH_TOKEN,
    insecure: bool = connection.INSECURE,
    plaintext: bool = connection.PLAINTEXT,
    server_crt: str | None = connection.SERVER_CRT,
    argocd_context: str | None = connection.CONTEXT,
) -> None:
    """Show the environment's Applications in Argo CD against the repository.

    One request lists them; each row shows plane, wave, sync, health, revision, image tag
    against the release pin, and the last operation. Exit 0 when all are Synced and Healthy
    at the expected revision with their pinned tags, 1 otherwise (also when one is
    Missing), 2 bad input or no token, 3 Argo CD failed or the --timeout passed.
    """
    options = options_of(ctx)
    flags = connection.flags(server, auth_token, insecure, plaintext, server_crt, argocd_context)

    def call() -> Any:
        from gitops_tool.commands import status as command

        return command.run(command.StatusOptions(options.root(), environment, flags, timeout),
                           connection.runtime(ctx))

    result = guarded(ctx, call)
    from gitops_tool.output import status as present

    typer.echo(present.status_json(result) if Format(output) is Format.json
               else present.status_table(result))
    raise typer.Exit(result.exit_code)
