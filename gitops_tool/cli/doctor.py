"""`gitops-tool doctor`: parse the arguments, run the checks, print them, exit."""

from typing import Any, Literal

import typer

from gitops_tool.cli import complete, connection
from gitops_tool.cli.app import app, guarded, options_of, output_option
from gitops_tool.output import Format


@app.command()
def doctor(
    ctx: typer.Context,
    environment: str | None = typer.Argument(
        None, metavar="[ENV]", help="Check this environment (default: all).",
        autocompletion=complete.environments,
    ),
    output: Literal["text", "json"] = output_option(Format.text),
    timeout: float = typer.Option(
        60.0, "--timeout", min=0, help="Seconds for every check asked of Argo CD."
    ),
    server: str | None = connection.SERVER,
    auth_token: str | None = connection.AUTH_TOKEN,
    insecure: bool = connection.INSECURE,
    plaintext: bool = connection.PLAINTEXT,
    server_crt: str | None = connection.SERVER_CRT,
    argocd_context: str | None = connection.CONTEXT,
) -> None:
    """Check helm, git, Argo CD (3.3 or later), its Application health check, projects,
    root apps and that the token sees every application.

    Each check prints ok or FAIL with how to fix it. Exit 0 all passed, 1 any failed
    (an unreachable Argo CD or a refused token is a failed check), 2 bad input or no
    server or token (the local checks are still printed; nothing is sent), 3 Argo CD
    answered what no Argo CD sends, or the --timeout passed.
    """
    options = options_of(ctx)
    flags = connection.flags(server, auth_token, insecure, plaintext, server_crt, argocd_context)

    def call() -> Any:
        from gitops_tool.commands import doctor as command

        return command.run(command.DoctorOptions(options.root(), environment, flags, timeout),
                           connection.runtime(ctx))

    result = guarded(ctx, call)
    from gitops_tool.output import doctor as present

    typer.echo(present.doctor_json(result) if Format(output) is Format.json
               else present.doctor_text(result))
    raise typer.Exit(result.exit_code)
