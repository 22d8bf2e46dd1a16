"""Rollout planning: which Argo CD Applications an environment has, and in which waves.

Pure: from the Tree to a plan. The sync command walks the plan; status compares
Argo CD's answer with `expected_apps`.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass

from gitops_tool.core import selection
from gitops_tool.core.apps import AppTarget, app_target, root_target
from gitops_tool.core.model import Environment, Tree
from gitops_tool.core.waves import waves_of
from gitops_tool.errors import InputError


@dataclass(frozen=True, slots=True)
class Wave:
    """Applications synced together; the next wave starts only when all are done."""

    number: int
    plane: str
    apps: tuple[AppTarget, ...]


@dataclass(frozen=True, slots=True)
class RolloutPlan:
    """Everything `sync ENV` will do, in order: the root Application, then each wave."""

    environment: str
    root: AppTarget
    waves: tuple[Wave, ...]

    @property
    def apps(self) -> tuple[AppTarget, ...]:
        return tuple(app for wave in self.waves for app in wave.apps)


def environment_of(tree: Tree, name: str) -> Environment:
    by_name = {e.name: e for e in tree.environments}
    selection.chosen([name], list(by_name), "environment")  # an unknown name raises
    return by_name[name]


def _waves(tree: Tree, env: Environment) -> tuple[Wave, ...]:
    """Every plane's Applications in `env`, lowest wave first (planes without services left out)."""
    return tuple(
        Wave(
            number=pw.wave,
            plane=pw.plane,
            apps=tuple(app_target(tree.settings, env, s) for s in pw.services),
        )
        for pw in waves_of(tree)
        if pw.services
    )


def expected_apps(tree: Tree, env: Environment) -> tuple[AppTarget, ...]:
    """The child Applications of `env`, in rollout order (wave, then name)."""
    return tuple(app for wave in _waves(tree, env) for app in wave.apps)


def select_apps(apps: Sequence[AppTarget], only: Sequence[str]) -> tuple[AppTarget, ...]:
    """`apps` limited to `only` (service or Application names); unknown names are an error."""
    if not only:
        return tuple(apps)
    by_key = {a.service: a for a in apps} | {a.name: a for a in apps}
    unknown = [n for n in only if n not in by_key]
    if unknown:
        close = difflib.get_close_matches(unknown[0], [a.service for a in apps], n=1)
        guess = f"did you mean {close[0]!r}? " if close else ""
        raise InputError(
            f"--app: unknown application {', '.join(repr(n) for n in unknown)}",
            hint=f"{guess}choose from the services: {', '.join(a.service for a in apps)}",
        )
    wanted = {by_key[n].name for n in only}
    return tuple(a for a in apps if a.name in wanted)


def plan_rollout(tree: Tree, environment: str, only: Sequence[str] = ()) -> RolloutPlan:
    """The root Application first, then the (selected) children wave by wave."""
    env = environment_of(tree, environment)
    chosen = {a.name for a in select_apps(expected_apps(tree, env), only)}
    waves = (
        Wave(w.number, w.plane, tuple(a for a in w.apps if a.name in chosen))
        for w in _waves(tree, env)
    )
    return RolloutPlan(
        environment=env.name,
        root=root_target(tree.settings, env),
        waves=tuple(w for w in waves if w.apps),
    )
