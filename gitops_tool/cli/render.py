"""`gitops-tool render`: parse the arguments, run the command, print its result, exit."""

from __future__ import annotations

import sys

import typer

from gitops_tool.cli.app import app, err, guarded, options_of


@app.command()
def render(
    ctx: typer.Context,
    environments: list[str] | None = typer.Argument(
        None, metavar="[ENV]...", help="Environments to render (default: all)."
    ),
    check: bool = typer.Option(
        False,
        "--check",
        help="Write nothing; print a unified diff of what would change and exit 1 if any.",
    ),
    lock_timeout: float = typer.Option(
        60.0,
        "--lock-timeout",
        min=0,
        metavar="SECONDS",
        help="How long to wait for another gitops-tool command that is writing this "
        "repository (the repository lock); then fail naming it (exit 3).",
    ),
) -> None:
    """Write the Argo CD manifests under argocd/ from charts/ and environments/.

    Per environment: one Application per chart (sync wave by plane), an AppProject, a root
    Application with its kustomization, and an ApplicationSet alternative; plus the one-time
    Argo CD settings in argocd/bootstrap/. render owns argocd/: files it wrote there that it
    no longer produces are removed (only inside the rendered environments' folders when
    ENVs are given); files it did not write are kept and reported.

    Exit 0 done (or, with --check, up to date), 1 --check found drift, 2 bad input,
    3 the repository lock is held by another command (or the disk failed), 130 interrupted.
    """
    options = options_of(ctx)

    def call():
        from gitops_tool.commands import render as command

        return command.run(
            command.RenderOptions(
                root=options.root(),
                environments=tuple(environments or ()),
                check=check,
                lock_timeout=lock_timeout,
            ),
            warn=err,
        )

    result = guarded(ctx, call)
    from gitops_tool.output import render as present

    if result.diff:  # a stdout that cannot take it is handled once, in cli.main()
        sys.stdout.write(result.diff)
        sys.stdout.flush()
    typer.echo(present.summary(result), err=True)
    raise typer.Exit(result.exit_code)
