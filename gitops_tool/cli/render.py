"""`gitops-tool render`: parse the arguments, run the command, print its result, exit."""

from __future__ import annotations

import os
import sys
from typing import Literal

import typer

from gitops_tool.cli import complete
from gitops_tool.cli.app import app, guarded, options_of, output_option
from gitops_tool.output import Format


@app.command()
def render(
    ctx: typer.Context,
    environments: list[str] | None = typer.Argument(
        None, metavar="[ENV]...", help="Environments to render (default: all).",
        autocompletion=complete.environments,
    ),
    check: bool = typer.Option(
        False,
        "--check",
        help="Write nothing; print a unified diff of what would change and exit 1 if any.",
    ),
    commit: bool = typer.Option(
        False, "--commit",
        help="Commit what render changed under argocd/ (nothing else); the other files must "
        "be committed already.",
    ),
    push: bool = typer.Option(
        False, "--push", help="With --commit: push the commit to the branch's upstream."),
    output: Literal["text", "json"] = output_option(Format.text),
) -> None:
    """Write the Argo CD manifests under argocd/ from charts/ and environments/.

    Per environment: one Application per chart (sync wave by plane), an AppProject, a root
    Application with its kustomization, and an ApplicationSet alternative; plus the one-time
    Argo CD settings in argocd/bootstrap/. render owns argocd/: files it does not produce
    there are removed (only inside the rendered environments' folders when ENVs are given).

    --commit commits what changed under argocd/ (a new chart, a values change: what is not a
    promotion), with a message naming the environments; --push pushes it as promote does.

    Exit 0 done (or, with --check, up to date), 1 --check found drift, 2 bad input,
    3 (--commit) the git remote failed or the repository lock is held, 130 interrupted.
    """
    options = options_of(ctx)
    if commit or push:
        _render_commit(ctx, environments or [], check, commit, push)

    def call():
        from gitops_tool.commands import render as command

        return command.run(
            command.RenderOptions(
                root=options.root(), environments=tuple(environments or ()), check=check
            )
        )

    result = guarded(ctx, call)
    from gitops_tool.output import render as present

    if Format(output) is Format.json:
        typer.echo(present.render_json(result))
        raise typer.Exit(result.exit_code)
    if result.diff:
        try:
            sys.stdout.write(result.diff)
            sys.stdout.flush()
        except BrokenPipeError:  # `render --check | head`: the reader has seen enough
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
    typer.echo(present.summary(result), err=True)
    raise typer.Exit(result.exit_code)


def _render_commit(
    ctx: typer.Context, environments: list[str], check: bool, commit: bool, push: bool
) -> None:
    """`render --commit [--push]`: render, commit what changed under argocd/, push."""
    from gitops_tool.cli.app import err

    if check:
        err("error: --check writes nothing; it cannot go with --commit or --push")
        raise typer.Exit(2)
    if push and not commit:
        err("error: --push needs --commit")
        raise typer.Exit(2)
    options = options_of(ctx)

    def call():
        from gitops_tool.commands import render as command
        from gitops_tool.commands.publish import GitDeps

        return command.run_commit(
            command.RenderCommitOptions(root=options.root(), environments=tuple(environments),
                                        push=push),
            GitDeps(notify=err),
        )

    result = guarded(ctx, call)
    from gitops_tool.output import render as present

    err(present.summary(result.render))
    err(present.commit_summary(result))
    raise typer.Exit(result.exit_code)
