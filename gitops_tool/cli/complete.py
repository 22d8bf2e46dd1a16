"""Shell completion of the names a command takes: environments (in promotion-chain order)
and charts (services), read from the repository the command line names (`--repo`, before
or after the verb) or the one around the current folder.

Cheap by design: gitops-tool.yaml and two folder listings, no chart or environment file
is parsed. Any problem completes nothing rather than printing an error into the shell.
"""

from pathlib import Path

import typer

from gitops_tool.errors import GitopsError


def _root(ctx: typer.Context) -> Path:
    """The repository the command line names, else the one around the current folder."""
    from gitops_tool.adapters.files import find_root
    from gitops_tool.cli.app import GlobalOptions

    context = ctx
    while context is not None:
        obj = context.obj
        if isinstance(obj, GlobalOptions) and obj.repo is not None:
            return obj.repo
        if context.params.get("repo"):
            return Path(context.params["repo"])
        context = context.parent
    return find_root(Path.cwd())


def _names(ctx: typer.Context, incomplete: str, kind: str) -> list[str]:
    from gitops_tool.adapters import files

    try:
        root = _root(ctx)
        settings = files.load_settings(root)
        names = (files.environment_names(root, settings.promotion) if kind == "environment"
                 else [p.name for p in files.chart_folders(root, settings)])
    except (GitopsError, OSError):
        return []
    taken: set[str] = set()
    for key in ("environments", "charts", "env", "apps", "services", "source", "target"):
        given = ctx.params.get(key) or ()
        taken.update([given] if isinstance(given, str) else given)
    return [n for n in names if n.startswith(incomplete) and n not in taken]


def environments(ctx: typer.Context, incomplete: str) -> list[str]:
    """Environment names starting with `incomplete`, in promotion-chain order."""
    return _names(ctx, incomplete, "environment")


def charts(ctx: typer.Context, incomplete: str) -> list[str]:
    """Chart (service) names starting with `incomplete`."""
    return _names(ctx, incomplete, "chart")
