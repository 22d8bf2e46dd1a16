"""`gitops-tool render`: parse the arguments, run the command, print its result, exit."""

import sys
from typing import Any, Literal

import typer

from gitops_tool.cli import complete
from gitops_tool.cli.app import app, err, guarded, lock_timeout_option, options_of, output_option
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
    lock_timeout: float = lock_timeout_option(),
    output: Literal["text", "json"] = output_option(Format.text),
) -> None:
    """Write the Argo CD manifests under argocd/ from charts/ and environments/.

    Per environment: one Application per chart (sync wave by plane), an AppProject, a root
    Application with its kustomization, and an ApplicationSet alternative; plus the one-time
    Argo CD settings in argocd/bootstrap/. render owns argocd/: files it wrote there that it
    no longer produces are removed (only inside the rendered environments' folders when
    ENVs are given); files it did not write are kept and reported.

    --commit commits what changed under argocd/ (a new chart, a values change: what is not a
    promotion), with a message naming the environments; --push pushes it as promote does.

    Exit 0 done (or, with --check, up to date), 1 --check found drift, 2 bad input,
    3 the repository lock is held by another command, the disk failed, or (--commit) the
    git remote failed, 130 interrupted.
    """
    options = options_of(ctx)
    if commit or push:
        _render_commit(ctx, environments or [], check, commit, push, lock_timeout, output)

    def call() -> Any:
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

    if Format(output) is Format.json:
        typer.echo(present.render_json(result))
        raise typer.Exit(result.exit_code)
    if result.diff:  # a stdout that cannot take it is handled once, in cli.main()
        sys.stdout.write(result.diff)
        sys.stdout.flush()
    typer.echo(present.summary(result), err=True)
    raise typer.Exit(result.exit_code)


def _render_commit(
    ctx: typer.Context, environments: list[str], check: bool, commit: bool, push: bool,
    lock_timeout: float, output: str,
) -> None:
    """`render --commit [--push]`: render, commit what changed under argocd/, push."""
    options = options_of(ctx)

    def call() -> Any:
        from gitops_tool.commands import commit as command
        from gitops_tool.commands.publish import GitDeps
        from gitops_tool.errors import InputError

        if check:
            raise InputError("--check writes nothing; it cannot go with --commit or --push",
                             hint="run `render --check` alone, or `render --commit`")
        if push and not commit:
            raise InputError("--push needs --commit",
                             hint="render --commit --push commits argocd/, then pushes")
        return command.run_commit(
            command.RenderCommitOptions(root=options.root(), environments=tuple(environments),
                                        push=push, lock_timeout=lock_timeout),
            GitDeps(notify=err),
        )

    result = guarded(ctx, call)
    from gitops_tool.output import render as present

    if Format(output) is Format.json:
        typer.echo(present.commit_json(result))
    else:
        err(present.summary(result.render))
        err(present.commit_summary(result))
    raise typer.Exit(result.exit_code)
