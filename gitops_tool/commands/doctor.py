"""`doctor [ENV]`: is everything `status` and `sync` need in place? Each check says how to fix it.

A failed check is a finding (exit 1), including an Argo CD that cannot be reached or a
token it refuses: doctor exists to diagnose those. A connection that cannot even be
configured (no server or no token anywhere, an argocd config file with a loose mode) is
bad input, as for status and sync: the local checks and that check (with its fix) are
still reported, no request is sent, and the result is `unconfigured` (exit 2). Bad input
in the repository (an unknown environment, a broken file) stops it with exit 2.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from gitops_tool.adapters.argocd.config import ConnectionFlags
from gitops_tool.adapters.argocd.errors import ArgoCDNotFound
from gitops_tool.adapters.argocd.runtime import Runtime
from gitops_tool.adapters.files import load_tree
from gitops_tool.adapters.helm import find_helm, helm_version
from gitops_tool.core import names
from gitops_tool.core.apps import root_target
from gitops_tool.core.argocd.rollout import expected_apps
from gitops_tool.core.argocd.version import MINIMUM_TEXT, version_problem
from gitops_tool.core.helm import major_version
from gitops_tool.core.model import Environment, Tree
from gitops_tool.core.names import ROOT_PROJECT
from gitops_tool.core.wording import plural
from gitops_tool.errors import (
    EXIT_EXTERNAL,
    EXIT_FOUND,
    EXIT_INPUT,
    EXIT_OK,
    GitopsError,
    InputError,
)

if TYPE_CHECKING:
    from gitops_tool.adapters.argocd.client import ArgoCDClient

HEALTH_OVERRIDE = "argoproj.io/Application"  # the resourceOverrides key in /api/v1/settings
HEALTH_CM_KEY = "resource.customizations.health.argoproj.io_Application"
MISSING_SHOWN = 10  # missing applications named in the check; more are counted


@dataclass(frozen=True, slots=True)
class Check:
    name: str
    ok: bool
    detail: str
    fix: str = ""


@dataclass(frozen=True, slots=True)
class DoctorOptions:
    root: Path
    environment: str | None = None
    flags: ConnectionFlags = field(default_factory=ConnectionFlags)
    timeout: float = 60.0  # seconds for every check asked of Argo CD


@dataclass(frozen=True, slots=True)
class DoctorResult:
    checks: tuple[Check, ...]
    unconfigured: bool = False  # no server or token found: nothing was asked of Argo CD
    broken: bool = False  # Argo CD answered what no Argo CD sends, or the time ran out

    @property
    def ok(self) -> bool:
        return not self.unconfigured and all(c.ok for c in self.checks)

    @property
    def exit_code(self) -> int:
        """2 when no connection could be configured, 3 when Argo CD's answers could not be
        used (a wrong shape, too large) or the --timeout passed, 1 when a check failed."""
        if self.unconfigured:
            return EXIT_INPUT
        if self.broken:
            return EXIT_EXTERNAL
        return EXIT_OK if self.ok else EXIT_FOUND


def local_checks(root: Path) -> tuple[list[Check], str]:
    """helm (as validate finds it for the repository at `root`) and git on this machine;
    also returns the helm version ("" when none)."""
    checks, version = [], ""
    try:
        helm = find_helm(root)
        version = helm_version(helm)
        checks.append(Check("helm", True, f"{helm} {version}"))
    except GitopsError as exc:
        checks.append(Check("helm", False, exc.message, exc.hint or ""))
    git = shutil.which("git")
    checks.append(
        Check("git", True, git) if git
        else Check("git", False, "git not found on PATH", "install git (2.30 or later)")
    )
    return checks, version


def server_checks(
    client: ArgoCDClient, helm: str, output: str = "argocd"
) -> tuple[list[Check], bool]:
    """Version, token, Helm parity and the Application health check; False if unreachable."""
    checks: list[Check] = []
    try:
        version = client.version()
    except GitopsError as exc:
        return [Check("Argo CD server", False, exc.message, exc.hint or "")], False
    server_version = str(version.get("Version", "?"))
    problem = version_problem(server_version)
    checks.append(Check(
        "Argo CD server", problem is None,
        f"{client.host}: {server_version}" + (f": {problem}" if problem else ""),
        "" if problem is None else f"upgrade Argo CD to {MINIMUM_TEXT} or later "
        "(what render writes does not apply to an older one)",
    ))
    try:
        user = client.userinfo()
        logged_in = bool(user.get("loggedIn"))
        checks.append(Check(
            "token", logged_in,
            f"accepted ({client.conn.token_source}), user {user.get('username') or '?'}"
            if logged_in else f"not logged in ({client.conn.token_source})",
            "" if logged_in else "get a fresh token: `argocd login` or ARGOCD_AUTH_TOKEN",
        ))
    except GitopsError as exc:
        checks.append(Check("token", False, exc.message, exc.hint or ""))
    argo_helm = str(version.get("HelmVersion", ""))
    if helm and argo_helm:
        same = major_version(helm) == major_version(argo_helm)
        checks.append(Check(
            "helm major version", same, f"local {helm}, Argo CD {argo_helm}",
            "" if same else "use the Helm major version Argo CD uses, so local renders match "
            "(ARGOCD-NOTES pitfall 31)",
        ))
    try:
        overrides = client.settings().get("resourceOverrides") or {}
        lua = (overrides.get(HEALTH_OVERRIDE) or {}).get("healthLua", "")
        checks.append(Check(
            "Application health check", bool(lua.strip()),
            f"{HEALTH_CM_KEY} is set" if lua.strip() else f"{HEALTH_CM_KEY} is not set: "
            "sync waves over Applications do not wait for health",
            "" if lua.strip() else "apply the bootstrap settings: "
            f"`kubectl apply --server-side -k {output}/bootstrap` ({output}/bootstrap/README.md)",
        ))
    except GitopsError as exc:
        checks.append(Check("Application health check", False, exc.message, exc.hint or ""))
    return checks, True


def _project_check(client: ArgoCDClient, project: str, fix: str) -> Check:
    try:
        client.project(project)
        return Check(f"AppProject {project}", True, "exists")
    except ArgoCDNotFound:
        return Check(f"AppProject {project}", False, "not found", fix)
    except GitopsError as exc:
        return Check(f"AppProject {project}", False, exc.message, exc.hint or "")


def environment_checks(client: ArgoCDClient, tree: Tree, env: Environment) -> list[Check]:
    output = tree.settings.output_dir
    bootstrap = f"bootstrap the environment: `kubectl apply -k {output}/{env.name}`"
    checks = [_project_check(client, env.project, bootstrap)]
    root = root_target(tree.settings, env)
    name = f"{env.name}: root Application {root.name}"
    try:
        client.get_app(root.name, project=root.project, app_namespace=root.namespace)
        checks.append(Check(name, True, "exists"))
    except ArgoCDNotFound:
        checks.append(Check(name, False, f"not found in project {root.project}", bootstrap))
    except GitopsError as exc:
        checks.append(Check(name, False, exc.message, exc.hint or ""))
    expected = expected_apps(tree, env)
    name = f"{env.name}: list applications"
    try:
        items = client.list_apps(selector={names.LABEL_ENVIRONMENT: env.name},
                                 project=env.project, app_namespace=env.argocd_namespace,
                                 fields=("metadata.name",))
    except GitopsError as exc:
        checks.append(Check(name, False, exc.message, exc.hint or ""))
        return checks
    listed = {str((item.get("metadata") or {}).get("name", "")) for item in items}
    missing = [app.name for app in expected if app.name not in listed]
    shown = ", ".join(missing[:MISSING_SHOWN])
    if len(missing) > MISSING_SHOWN:
        shown += f" and {len(missing) - MISSING_SHOWN} more"
    count = (f"the token lists {len(expected) - len(missing)} of "
             f"{plural(len(expected), 'application')}")
    checks.append(Check(
        name, not missing,
        count if not missing else f"{count}; not listed: {shown}",
        "" if not missing else f"sync the root Application {root.name} "
        f"(`gitops-tool sync {env.name}`) if Argo CD lacks them, or grant the token "
        f"`applications, get, {env.project}/*` (argocd-rbac-cm) if it cannot see them",
    ))
    return checks


def run(options: DoctorOptions, runtime: Runtime) -> DoctorResult:
    tree = load_tree(options.root, only=[options.environment] if options.environment else None,
                     values=False)
    checks, helm = local_checks(options.root)
    try:
        client = runtime.connect(options.flags, timeout=options.timeout, fail_fast=True)
    except InputError as exc:  # decided locally, before any request
        checks.append(Check("Argo CD connection", False, exc.message, exc.hint or ""))
        return DoctorResult(tuple(checks), unconfigured=True)
    with client:
        output = tree.settings.output_dir
        found, reachable = server_checks(client, helm, output)
        checks += found
        if reachable:
            checks.append(_project_check(
                client, ROOT_PROJECT,
                f"apply the bootstrap: `kubectl apply --server-side -k {output}/bootstrap`",
            ))
            for env in tree.environments:
                if client.broken:  # nothing more it answers can be trusted, or no time left
                    break
                checks += environment_checks(client, tree, env)
    return DoctorResult(tuple(checks), broken=client.broken is not None)
