"""`gitops-tool drift`: parse the arguments, run the command, present its report, exit."""

from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

import typer

from gitops_tool.cli import complete, connection
from gitops_tool.cli.app import (
    app,
    err,
    github_warning,
    guarded,
    options_of,
    output_option,
    report_for_github,
    report_plainly,
)
from gitops_tool.output import Format


def _max_lag(value: str) -> Any:
    from gitops_tool.core.drift.stages import parse_duration
    from gitops_tool.errors import InputError

    try:
        return parse_duration(value)
    except InputError as exc:
        # Click names the option itself: "Invalid value for '--max-lag': '7 days': ..."
        raise typer.BadParameter(f"{exc.message.removeprefix('--max-lag ')} ({exc.hint})") \
            from None


@app.command()
def drift(
    ctx: typer.Context,
    environments: list[str] | None = typer.Argument(
        None, metavar="[ENV]...", help="Environments to check (default: all).",
        autocompletion=complete.environments),
    output: Literal["table", "json", "markdown"] = output_option(Format.table),
    github: bool = typer.Option(
        False, "--github", help="GitHub Actions: write the Markdown report to "
        "$GITHUB_STEP_SUMMARY and print ::error/::warning annotations."),
    max_lag: str = typer.Option(
        "7d", "--max-lag", metavar="DURATION", help="How long a stage may stay behind the "
        "one before it before that counts as drift: 7d, 36h, 90m, 1d12h."),
    details: bool = typer.Option(
        False, "--details", help="Add a unified diff for each file that differs, and the "
        "live/desired diff of each OutOfSync app's modified resources (Secrets masked)."),
    require_live: bool = typer.Option(
        False, "--require-live", help="Exit 3 when no Argo CD server is configured, "
        "instead of skipping live drift (for scheduled jobs)."),
    server: str | None = connection.SERVER,
    auth_token: str | None = connection.AUTH_TOKEN,
    insecure: bool = connection.INSECURE,
    plaintext: bool = connection.PLAINTEXT,
    server_crt: str | None = connection.SERVER_CRT,
    argocd_context: str | None = connection.CONTEXT,
) -> None:
    """Report drift: argocd/ against render (repo), Argo CD against git (live), and each
    stage of the promotion chain against the one before it (environment).

    Every check runs to the end. Live drift needs an Argo CD server (as for status); without
    one it is skipped, and the report says so first. Exit 0 no drift, 1 drift found,
    2 bad input, 3 Argo CD could not be reached or answered (live drift unknown; the rest
    is still reported), or no server with --require-live.
    """
    options = options_of(ctx)
    reporter = report_for_github if github else report_plainly
    if github:  # the value may come from a CI variable: say it is wrong as an annotation too
        from gitops_tool.core.drift.stages import parse_duration

        lag = guarded(ctx, lambda: parse_duration(max_lag), report=reporter)
    else:
        lag = _max_lag(max_lag)
    flags = connection.flags(server, auth_token, insecure, plaintext, server_crt, argocd_context)
    # --github: what goes wrong, and each warning, is an escaped annotation in the log
    warn = github_warning if github else err
    runtime = connection.runtime(ctx, warn=warn)

    def call() -> Any:
        from gitops_tool.commands import drift as command

        return command.run(
            command.DriftOptions(root=options.root(), environments=tuple(environments or ()),
                                 flags=flags, max_lag=lag, details=details,
                                 require_live=require_live),
            runtime)

    result = guarded(ctx, call, report=reporter)
    from gitops_tool.output import drift as present
    from gitops_tool.output import github as actions

    fmt = Format(output)
    if fmt is Format.json:
        report = present.drift_json(result, github=github)
    elif fmt is Format.markdown:
        report = present.drift_markdown(result)
    else:
        report = present.drift_text(result)
    if github:
        _write_step_summary(runtime.env.get("GITHUB_STEP_SUMMARY"), result, warn)
        notes = present.annotations(result)
        if fmt is Format.json:  # stdout is one JSON object: annotations on stderr
            for line in notes:
                err(line)
            typer.echo(report)
        else:
            typer.echo("\n".join([*notes, actions.shielded(report)]))
    else:
        typer.echo(report)
    raise typer.Exit(result.exit_code)


def _write_step_summary(path: str | None, result: Any, warn: Callable[[str], None]) -> None:
    """Append the Markdown report to the step summary, cut to stay under GitHub's limit
    (what the file already holds counts)."""
    from gitops_tool.output import drift as present
    from gitops_tool.output.github import SUMMARY_BUDGET

    if not path:
        warn("warning: --github: GITHUB_STEP_SUMMARY is not set; no step summary written")
        return
    target = Path(path)
    try:
        used = target.stat().st_size if target.exists() else 0
        text = present.drift_markdown(result, limit=SUMMARY_BUDGET - used)
        if not text:
            warn(f"warning: --github: {path} already holds {used} bytes; no room for the "
                "drift report under GitHub's 1 MiB limit")
            return
        with open(target, "a", encoding="utf-8") as summary:
            summary.write(text + "\n")
    except OSError as exc:
        warn(f"warning: --github: cannot write the step summary {path}: {exc.strerror}")
