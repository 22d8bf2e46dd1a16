"""`gitops-tool history`: parse the arguments, read ENV's history from git, print it."""

from typing import Any, Literal

import typer

from gitops_tool.cli import complete
from gitops_tool.cli.app import app, guarded, options_of, output_option
from gitops_tool.output import Format


@app.command()
def history(
    ctx: typer.Context,
    environment: str = typer.Argument(..., metavar="ENV", help="The environment.",
                                      autocompletion=complete.environments),
    limit: int = typer.Option(20, "-n", "--max-count", metavar="N",
                              help="Show at most N entries (0: all)."),
    output: Literal["text", "json"] = output_option(Format.text),
) -> None:
    """List ENV's promotions and rollbacks (and pins moved by hand), newest first, read back
    from the commits that changed environments/ENV.yaml: who, when, what moved, from where,
    the gate. Exit 0, 2 bad input or not a git clone.
    """
    options = options_of(ctx)

    def call() -> Any:
        from gitops_tool.commands import history as command

        return command.run(command.HistoryOptions(options.root(), environment, limit))

    result = guarded(ctx, call)
    from gitops_tool.output import history as present

    typer.echo(present.history_json(result) if Format(output) is Format.json
               else present.history_text(result))
    raise typer.Exit(result.exit_code)
