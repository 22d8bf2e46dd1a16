"""The Typer app, its global options, and `guarded`: the one place where GitopsError and
Ctrl-C become a message and an exit code.

The verb modules beside this one add their commands to `app`; each imports its command
implementation (`gitops_tool.commands.<verb>`) inside the verb, so that `--help` and the
other verbs do not pay for it.

Two things every command gets without asking (`_Group`): the global options `--repo` and
`--debug` also work after the verb (`gitops-tool render --repo .`), and under `-o json` a
failure is still a JSON document on stdout -- `{"error", "hint", "exit_code"}` -- whether
it is a GitopsError (`guarded`, which reads the command's `output` parameter), Ctrl-C, or
a usage error Click finds before the command runs.
"""

import sys
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from difflib import get_close_matches
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import typer
from typer.core import TyperGroup, TyperOption

try:  # Typer 0.2x carries its own copy of Click, whose errors derive from TyperException
    from typer import Abort
    from typer import TyperException as ClickException
except ImportError:  # pragma: no cover - older Typer, on Click itself
    from click.exceptions import Abort, ClickException

from gitops_tool import __version__
from gitops_tool.adapters.lock import DEFAULT_TIMEOUT
from gitops_tool.errors import EXIT_INTERRUPTED, GitopsError, InputError, masked
from gitops_tool.output import Format, error_json

T = TypeVar("T")

REPO_HELP = "The GitOps repository (default: the nearest folder with gitops-tool.yaml)."
DEBUG_HELP = "Show tracebacks for errors, and each Argo CD request."
INTERRUPTED_HINT = "run the command again to finish what it started"
# After an interruption the command reported on ("interrupted; argocd/ was fully written"):
# the message says whether anything is left.
INTERRUPTED_SAID_HINT = "the message says what it left; run the command again if anything is"


class _Group(TyperGroup):
    """The app's command group: global options after the verb too, and JSON usage errors."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        for command in self.commands.values():
            _add_global_options(command)

    def add_command(self, cmd: Any, name: str | None = None) -> None:
        _add_global_options(cmd)
        super().add_command(cmd, name)

    def main(self, args: Sequence[str] | None = None, prog_name: str | None = None,
             complete_var: str | None = None, standalone_mode: bool = True,
             **extra: Any) -> Any:
        argv = list(sys.argv[1:] if args is None else args)
        if not standalone_mode or not argv:  # no arguments at all: Click shows the help
            return super().main(argv, prog_name, complete_var, standalone_mode, **extra)
        # Click's own errors (a missing argument, a bad option, an unknown verb) and an
        # abort at one of its prompts end as every error does: the message and one `hint:`
        # line on stderr, and under -o json the error object on stdout too, so that a CI
        # step can always parse stdout.
        as_json = requested_format(argv) is Format.json
        try:
            code = super().main(argv, prog_name, complete_var, False, **extra)
        except ClickException as exc:
            _usage_failed(exc, self, as_json)
        except Abort:  # Ctrl-C or Ctrl-D at a prompt: an interruption, as anywhere else
            err("interrupted")
            err(f"hint: {INTERRUPTED_HINT}")
            if as_json:
                typer.echo(error_json("interrupted", INTERRUPTED_HINT, EXIT_INTERRUPTED))
            sys.exit(EXIT_INTERRUPTED)
        sys.exit(code if isinstance(code, int) else 0)


def _usage_failed(exc: Any, group: TyperGroup, as_json: bool) -> NoReturn:
    """Show a Click error as Click does (the usage line, then its message), with a hint in
    place of its "Try --help" line; exit with its code (2 for usage)."""
    ctx = getattr(exc, "ctx", None)
    _suggest_by_name(exc)
    message, hint = exc.format_message(), _usage_hint(exc, group)
    if ctx is not None:
        err(ctx.get_usage())
    err(f"error: {message}")
    err(f"hint: {hint}")
    if as_json:
        typer.echo(error_json(message, hint, exc.exit_code))
    sys.exit(exc.exit_code)


def _usage_hint(exc: Any, group: TyperGroup) -> str:
    """What to do about a Click error: where the command's arguments are listed, or, for
    an unknown verb, the verbs."""
    ctx = getattr(exc, "ctx", None)
    where = ctx.command_path if ctx is not None else "gitops-tool"
    if ctx is not None and ctx.command is group:
        verbs = ", ".join(sorted(group.list_commands(ctx)))
        return f"the commands are {verbs}; `{where} --help` says what each does"
    return f"`{where} --help` lists its arguments and options"


def _suggest_by_name(exc: Any) -> None:
    """Click suggests options whose spelling is close to an unknown one, leading dashes
    included: `--bogus` would get `--push`, for the dashes they share. Suggest by the name
    after the dashes instead."""
    ctx, wrong = getattr(exc, "ctx", None), getattr(exc, "option_name", None)
    if ctx is None or not wrong or not getattr(exc, "possibilities", None):
        return
    known = {o.lstrip("-"): o for p in ctx.command.get_params(ctx)
             if not getattr(p, "hidden", False) for o in [*p.opts, *p.secondary_opts]}
    exc.possibilities = [known[n] for n in get_close_matches(wrong.lstrip("-"), known)]


def requested_format(argv: Sequence[str]) -> Format | None:
    """The `-o/--output` value in `argv` (the last one given), when it names a Format."""
    found = None
    for i, arg in enumerate(argv):
        if arg == "--":
            break
        value = None
        if arg in ("-o", "--output") and i + 1 < len(argv):
            value = argv[i + 1]
        elif arg.startswith("--output="):
            value = arg.split("=", 1)[1]
        elif arg.startswith("-o") and len(arg) > 2 and not arg.startswith("--"):
            value = arg[2:]
        if value is not None:
            found = value
    return Format(found) if found in set(Format) else None


app = typer.Typer(
    name="gitops-tool",
    help="Render and validate the Ananta Platform's Argo CD GitOps repository; promote "
    "versions along the chain in git; sync it in Argo CD, show its status, report drift and "
    "check the setup (doctor).",
    cls=_Group,
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


@dataclass(frozen=True, slots=True)
class GlobalOptions:
    """Options given before (or after) the verb, and what the commands get from their
    environment.

    `runtime` is the Argo CD commands' Runtime (clock, environment variables, retry policy);
    None means the real one. Tests pass theirs as the Typer context object
    (`CliRunner().invoke(app, args, obj=GlobalOptions(runtime=...))`).
    """

    repo: Path | None = None
    debug: bool = False
    runtime: Any = None

    def root(self) -> Path:
        """The repository: --repo (checked), else the nearest folder with gitops-tool.yaml."""
        from gitops_tool.adapters.files import find_root
        from gitops_tool.core.names import SETTINGS_FILE

        if self.repo is None:
            return find_root(Path.cwd())
        if not self.repo.is_dir():
            what = "a file, not a folder" if self.repo.exists() else "no such folder"
            raise InputError(
                f"--repo {self.repo}: {what}",
                hint="pass the folder of the GitOps repository (the one holding "
                f"{SETTINGS_FILE}), or leave --repo out inside it",
            )
        if not (self.repo / SETTINGS_FILE).is_file():
            raise InputError(
                f"--repo {self.repo}: no {SETTINGS_FILE} in that folder",
                hint=f"pass the repository's top folder, the one holding {SETTINGS_FILE}",
            )
        return self.repo.resolve()


def _set_repo(ctx: typer.Context, _param: Any, value: str | None) -> None:
    if value is not None:
        ctx.obj = replace(options_of(ctx), repo=Path(value))


def _set_debug(ctx: typer.Context, _param: Any, value: bool) -> None:
    if value:
        ctx.obj = replace(options_of(ctx), debug=True)
        _log_to_stderr(True)


def _add_global_options(command: Any) -> None:
    """`--repo` and `--debug` on `command` too, as the argocd CLI takes its global flags
    after the verb. Given after the verb, they override the ones before it."""
    if any(p.name in ("repo", "debug") for p in command.params):
        return
    command.params += [
        TyperOption(param_decls=["--repo"], metavar="PATH", expose_value=False,
                    callback=_set_repo, help=REPO_HELP),
        TyperOption(param_decls=["--debug"], is_flag=True, default=False, expose_value=False,
                    callback=_set_debug, help=DEBUG_HELP),
    ]


def output_option(default: Format) -> Any:
    """The `-o/--output` option. Annotate the parameter with the formats the command can
    produce, as a Literal of Format values (`output: Literal["table", "json"] =
    output_option(Format.table)`): Click then refuses any other, and `Format(output)` is
    the member."""
    return typer.Option(
        default.value, "--output", "-o",
        help="What to print; json prints one document on stdout, errors included.",
    )


def lock_timeout_option() -> Any:
    """The `--lock-timeout` option of the commands that write the repository."""
    return typer.Option(
        DEFAULT_TIMEOUT, "--lock-timeout", min=0, metavar="SECONDS",
        help="How long to wait for another gitops-tool command that is writing this "
        "repository (the repository lock); then fail naming it (exit 3).",
    )


def _version(value: bool) -> None:
    if value:
        typer.echo(f"gitops-tool {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    ctx: typer.Context,
    # Checked by GlobalOptions.root, as when given after the verb: the same message both ways.
    repo: Path | None = typer.Option(None, "--repo", metavar="PATH", help=REPO_HELP),
    debug: bool = typer.Option(False, "--debug", help=DEBUG_HELP),
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Show the version and exit."
    ),
) -> None:
    given = ctx.obj if isinstance(ctx.obj, GlobalOptions) else GlobalOptions()
    ctx.obj = replace(given, repo=repo, debug=debug)
    _log_to_stderr(debug)


def _log_to_stderr(debug: bool) -> None:
    """`--debug`: gitops-tool's own log lines (e.g. each Argo CD request) go to stderr.

    Without --debug, logging is left unimported unless something else loaded it (then the
    level is reset, so that one --debug run in a process does not leak into the next).
    logging is the one standard module imported here, not at the top: every run without
    --debug would pay for it, and none uses it."""
    if not debug and "logging" not in sys.modules:
        return
    import logging

    class StderrHandler(logging.Handler):
        """Writes to whatever sys.stderr is at the time (test runners swap it)."""

        def emit(self, record: logging.LogRecord) -> None:
            try:
                sys.stderr.write(self.format(record) + "\n")
            except Exception:  # a logging failure must not break the command
                self.handleError(record)

    logger = logging.getLogger("gitops_tool")
    if not any(type(h).__name__ == "StderrHandler" for h in logger.handlers):
        handler = StderrHandler()
        handler.setFormatter(logging.Formatter("debug: %(name)s: %(message)s"))
        logger.addHandler(handler)
    logger.setLevel(logging.DEBUG if debug else logging.WARNING)


def err(message: str) -> None:
    """One line on stderr."""
    typer.echo(message, err=True)


def options_of(ctx: typer.Context) -> GlobalOptions:
    """The global options of this run."""
    return ctx.obj if isinstance(ctx.obj, GlobalOptions) else GlobalOptions()


def output_of(ctx: typer.Context) -> Format | None:
    """The output format the command was asked for (its `output` parameter), if any."""
    value = ctx.params.get("output")
    return Format(value) if value in set(Format) else None


# How `guarded` reports a failure: (message, hint, exit code, output format, and what the
# first line starts with: "error: ", or "" for an interruption).
Reporter = Callable[[str, str, int, Format | None, str], None]


def report_plainly(message: str, hint: str, code: int, output: Format | None,
                   prefix: str) -> None:
    """The message and its hint on stderr; under -o json, the error object on stdout too."""
    err(f"{prefix}{message}")
    err(f"hint: {hint}")
    if output is Format.json:
        typer.echo(error_json(message, hint, code))


def report_for_github(message: str, hint: str, code: int, output: Format | None,
                      prefix: str) -> None:
    """For a GitHub Actions log: the message and its hint as one `::error::` annotation on
    stderr, escaped, so that what it quotes (a file's value, a server's answer) cannot start
    a workflow command; under -o json, the error object on stdout with no `##[` in it."""
    from gitops_tool.output.github import command, json_for_actions

    err(command("error", f"{message}\nhint: {hint}", {"title": "gitops-tool"}))
    if output is Format.json:
        typer.echo(json_for_actions(error_json(message, hint, code)))


def github_warning(message: str) -> None:
    """A warning (a retry, a lock waited for, a write recovered) as one escaped
    `::warning::` annotation on stderr: the `warn` of a command run with --github."""
    from gitops_tool.output.github import command

    err(command("warning", message.removeprefix("warning: "), {"title": "gitops-tool"}))


def guarded(ctx: typer.Context, call: Callable[[], T], output: Format | None = None,
            report: Reporter = report_plainly) -> T:
    """Run `call`; turn GitopsError and Ctrl-C into a message and an exit code.

    `report` says it: by default (`report_plainly`) the message and its hint on stderr and,
    when the command prints JSON (`output`, else its `output` parameter), the error object
    `{"error", "hint", "exit_code"}` on stdout: the same shape for every command and every
    failure. `report_for_github` says the same as a workflow-command annotation."""
    options = options_of(ctx)
    output = output or output_of(ctx)
    try:
        return call()
    except GitopsError as exc:
        if options.debug:
            sys.stderr.write(masked(traceback.format_exc()))
        report(exc.message, exc.hint, exc.exit_code, output, "error: ")
        raise typer.Exit(exc.exit_code) from None
    except KeyboardInterrupt as exc:  # the command may say what state it left: "interrupted; ..."
        if str(exc):
            report(f"interrupted; {exc}", INTERRUPTED_SAID_HINT, EXIT_INTERRUPTED, output, "")
        else:
            report("interrupted", INTERRUPTED_HINT, EXIT_INTERRUPTED, output, "")
        raise typer.Exit(EXIT_INTERRUPTED) from None
