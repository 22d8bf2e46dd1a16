"""The tree: settings, environments and service charts together, with the checks no single
file can make (names across files, release pins, values files).

Pure: takes what the files adapter read and parsed.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence

from gitops_tool.core import names
from gitops_tool.core.model import Environment, Service, Settings, Tree
from gitops_tool.core.selection import in_chain_order
from gitops_tool.errors import InputError


def _pin_place(env: Environment, service: str | None = None) -> str:
    """`file:line` of a release pin (or of `releases:`) in `env`'s file; `file` alone when
    the line is unknown."""
    pin = env.releases.get(service) if service is not None else None
    line = pin.line if pin is not None else env.releases_line
    return f"{env.source}:{line}" if line else env.source


def check_pins(
    env: Environment,
    services: Sequence[str],
    settings: Settings,
    only: Sequence[str] | None = None,
) -> None:
    """Every pin of `env` names one of `services`, and every service (of `only`, when
    given) has a pin."""
    known = set(services)
    for service in env.releases:
        if service not in known:
            close = difflib.get_close_matches(service, sorted(known), n=1)
            guess = f"did you mean {close[0]!r}? " if close else ""
            raise InputError(
                f"{_pin_place(env, service)}: releases.{service}: no chart "
                f"{settings.charts_dir}/{service} exists; remove the pin or fix the name",
                hint=f"{guess}the services are the folders under {settings.charts_dir}/, "
                f"except the library chart {settings.library}",
            )
    unpinned = [s for s in (services if only is None else only) if s not in env.releases]
    if unpinned:
        listed = ", ".join(f"releases.{s}" for s in unpinned)
        raise InputError(
            f"{_pin_place(env)}: {listed}: missing: every service needs a release "
            "pin in every environment",
            hint=f"add `{unpinned[0]}: {{image: <tag>}}` under `releases:` in {env.source}"
            + (f", and the same for {', '.join(unpinned[1:])}" if len(unpinned) > 1 else ""),
        )


def tree_from(
    settings: Settings,
    environments: Iterable[Environment],
    services: Iterable[Service],
    chart_files: Mapping[str, Iterable[str]],
) -> Tree:
    """Assemble the tree and check what no single file can: names, pins, values files.

    `chart_files` maps each service to the file names in its chart folder.
    """
    by_name = {e.name: e for e in environments}
    for env_name in settings.promotion:
        if env_name not in by_name:
            raise InputError(
                f"{names.SETTINGS_FILE}: promotion: environment {env_name!r} has no file "
                f"{names.environment_file(env_name)}",
                hint="add the file or remove the environment from the chain",
            )
    envs = tuple(by_name[n] for n in in_chain_order(list(by_name), settings.promotion))
    waves = {p.name: p.wave for p in settings.planes}
    svcs = tuple(sorted(services, key=lambda s: (waves[s.plane], s.name)))
    missing: list[str] = []  # values files, all of them: one run names every one
    for env in envs:
        check_pins(env, [s.name for s in svcs], settings)
        for svc in svcs:
            app = names.application_name(env.name, svc.name)
            if app == names.root_application_name(env.name):
                raise InputError(
                    f"{svc.path}: Application name {app!r} is taken by the environment's root "
                    "Application",
                    hint="rename the chart",
                )
            if problem := names.name_problem(app, names.RELEASE_NAME_MAX):
                raise InputError(
                    f"{svc.path}: Application name {app!r} {problem}",
                    hint="shorten the chart or environment name",
                )
            if f"values-{env.name}.yaml" not in set(chart_files.get(svc.name, ())):
                missing.append(f"{svc.path}/values-{env.name}.yaml")
    if len(missing) == 1:
        raise InputError(
            f"{missing[0]}: missing: every chart needs a values file for every environment",
            hint=f"create {missing[0]} (it may be empty: {{}})",
        )
    if missing:
        raise InputError(
            f"{len(missing)} values files are missing: every chart needs a values file for "
            "every environment:\n" + "\n".join(f"  {path}" for path in missing),
            hint="create each of them (each may be empty: {})",
        )
    return Tree(settings=settings, services=svcs, environments=envs)
