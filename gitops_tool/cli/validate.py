"""`gitops-tool validate`: parse the arguments, run the command, print its result, exit."""

import sys
from typing import Literal

import typer

from gitops_tool.cli import complete
from gitops_tool.cli.app import app, err, guarded, options_of, output_option
from gitops_tool.output import Format


@app.command()
def validate(
    ctx: typer.Context,
    charts: list[str] | None = typer.Argument(
        None, metavar="[CHART]...", help="Charts to check (default: all, plus argocd/).",
        autocompletion=complete.charts,
    ),
    env: list[str] | None = typer.Option(
        None, "--env", "-e", help="Environment to check (repeatable; default: all).",
        autocompletion=complete.environments,
    ),
    no_helm: bool = typer.Option(
        False, "--no-helm", help="Skip helm lint/template and the policy on rendered output."
    ),
    jobs: int | None = typer.Option(
        None, "--jobs", "-j", min=1, help="Parallel helm runs (default: the number of cores)."
    ),
    output: Literal["table", "json"] = output_option(Format.table),
) -> None:
    """Check chart structure, run helm lint and template, apply policy, check argocd/.

    Exit 0 clean, 1 findings, 2 bad input, 3 helm missing or crashing, 130 interrupted.
    """
    options = options_of(ctx)

    def call():
        from gitops_tool.commands import validate as command

        progress = (lambda line: typer.echo(line, err=True)) if sys.stderr.isatty() else None
        deps = command.ValidateDeps(warn=err)
        if progress:
            deps.progress = progress
        return command.run(
            command.ValidateOptions(
                root=options.root(),
                charts=tuple(charts or ()),
                environments=tuple(env or ()),
                helm=not no_helm,
                jobs=jobs,
            ),
            deps,
        )

    result = guarded(ctx, call)
    from gitops_tool.output import validate as present

    typer.echo(present.as_json(result) if Format(output) is Format.json
               else present.report(result))
    raise typer.Exit(result.exit_code)
