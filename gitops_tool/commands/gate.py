"""What SOURCE runs, and the gate: the Argo CD and git half of promote and diff.

- "The commit SOURCE runs" is SOURCE's pinned `source.revision` when it is a commit. When
  SOURCE tracks a branch, it is the commit Argo CD reports for SOURCE's apps when a server
  is configured (refused, naming them, when they disagree), else the remote-tracking branch
  (after a fetch, except in a dry run); the result says which.
- "The pins SOURCE runs": when SOURCE tracks a branch, its file as that commit has it (the
  commit's rendered Applications carry them), so that the revision and the pins promoted
  come from one commit; when SOURCE is pinned, its file as HEAD has it (the pin is there).
- The gate reads SOURCE's apps with one List request (the environment's label selector)
  and judges them in the core (`core.promote.gate`), against the pins SOURCE runs.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from gitops_tool.core import names
from gitops_tool.core.apps import app_target
from gitops_tool.core.argocd.appstatus import AppState, app_state, short_revision
from gitops_tool.core.model import Environment, Tree, is_commit
from gitops_tool.core.promote.gate import Gate, GateCheck, gate_for, running_commit
from gitops_tool.core.promote.versions import versions_in, with_pins
from gitops_tool.core.wording import agreeing
from gitops_tool.errors import EXIT_FOUND, GitopsError, InputError

if TYPE_CHECKING:
    from gitops_tool.adapters.argocd.client import ArgoCDClient
    from gitops_tool.adapters.git.clone import Clone

PINNED, ARGOCD, REMOTE, LOCAL = "pinned", "argocd", "remote", "local"


class SourceDisagrees(GitopsError):
    """SOURCE's apps run different commits of its branch: it is mid-rollout."""

    exit_code = EXIT_FOUND


@dataclass(frozen=True, slots=True)
class SourceRun:
    """The commit SOURCE runs and how it was found (pinned, argocd, remote, local)."""

    commit: str
    how: str
    detail: str  # for people: "pinned in environments/staging.yaml", "origin/main, fetched"


def source_states(client: ArgoCDClient, env: Environment) -> list[AppState]:
    """SOURCE's Applications, from one List request. Whole items: the gate needs
    `status.reconciledAt` and `status.conditions`, which the API gateway cannot project."""
    items = client.list_apps(
        selector={names.LABEL_ENVIRONMENT: env.name},
        project=env.project,
        app_namespace=env.argocd_namespace,
    )
    return [app_state(item) for item in items]


def tracking(tree: Tree, env: Environment, services: Sequence[str]) -> list:
    """The AppTargets of `services` in `env` that deploy the environment's revision (no pin
    revision of their own)."""
    return [
        app_target(tree.settings, env, svc)
        for svc in tree.services
        if svc.name in services and svc.name in env.releases
        and not env.releases[svc.name].revision
    ]


def remote_for(clone: Clone, env: Environment) -> str | None:
    """The remote of this clone that is `env`'s repoURL (else the current branch's upstream
    remote, else `origin`), or None when the clone has no remote."""
    urls = clone.remote_urls()
    wanted = same_repository_key(env.repo_url)
    for name, url in urls.items():
        if same_repository_key(url) == wanted:
            return name
    branch = clone.branch()
    upstream = clone.upstream(branch) if branch else None
    if upstream is not None:
        return upstream[0]
    return "origin" if "origin" in urls else (next(iter(urls), None))


def same_repository_key(url: str) -> str:
    """A URL reduced to host and path, so that https://, ssh:// and git@ spellings of one
    repository compare equal (credentials, `.git` and a trailing `/` ignored)."""
    url = url.strip().rstrip("/")
    url = re.sub(r"\.git$", "", url)
    scp = re.match(r"^[^@/:]+@([^:/]+):(.*)$", url)
    if scp:
        return f"{scp.group(1).lower()}/{scp.group(2).lstrip('/')}"
    match = re.match(r"^[a-z][a-z0-9+.-]*://(?:[^@/]*@)?([^/:]+)(?::\d+)?/(.*)$", url, re.I)
    if match:
        return f"{match.group(1).lower()}/{match.group(2)}"
    return url


def resolve_source(
    clone: Clone | None,
    tree: Tree,
    env: Environment,
    services: Sequence[str],
    states: Sequence[AppState] | None,
    *,
    host: str = "",
    fetch: Callable[[str, str], str | None] | None = None,
) -> SourceRun:
    """The commit `env` runs for `services` (see the module's docstring). `fetch(remote,
    branch)` fetches a branch and returns its commit; None: use what was last fetched."""
    if is_commit(env.revision):
        return SourceRun(env.revision, PINNED, f"pinned in {env.source}")
    apps = tracking(tree, env, services)
    if states is not None and apps:
        found = running_commit(apps, states)
        if not found.commit:
            by_commit: dict[str, list[str]] = {}
            for app, rev in found.disagreeing.items():
                by_commit.setdefault(short_revision(rev) or "(nothing)", []).append(app)
            shown = "; ".join(
                f"{', '.join(apps)} {agreeing(len(apps), 'runs', 'run')} {rev}"
                for rev, apps in sorted(by_commit.items(), key=lambda item: len(item[1]))
            )
            raise SourceDisagrees(
                f"{env.name} tracks {env.revision} and its apps do not run one commit of it "
                f"({shown})",
                hint=f"wait until {env.name} has synced one commit everywhere "
                f"(gitops-tool status {env.name}), then run again",
            )
        return SourceRun(found.commit, ARGOCD, f"reported by Argo CD ({host})")
    branch = env.revision
    if clone is None:
        raise InputError(
            f"{env.name} tracks branch {branch!r}: finding the commit it runs needs a git "
            "clone or an Argo CD server",
            hint="run gitops-tool in a clone of the GitOps repository, or configure Argo CD",
        )
    remote = remote_for(clone, env)
    if remote is not None:
        tip = fetch(remote, branch) if fetch else clone.rev(f"refs/remotes/{remote}/{branch}")
        if tip is not None:
            how = "fetched now" if fetch else "as last fetched: a dry run does not fetch"
            return SourceRun(tip, REMOTE, f"{remote}/{branch}, {how}")
    local = clone.rev(f"refs/heads/{branch}")
    if local is None:
        raise InputError(
            f"{env.name} tracks branch {branch!r}, which neither a remote nor this clone has",
            hint="fetch it, or configure an Argo CD server so that gitops-tool asks Argo CD",
        )
    return SourceRun(local, LOCAL, f"local branch {branch} (no remote has it)")


def as_run(
    clone: Clone | None,
    env: Environment,
    run: SourceRun,
    asked: Sequence[str] = (),
    *,
    fetch: Callable[[str, str], str | None] | None = None,
) -> Environment:
    """`env` with the release pins it runs (see the module's docstring). `asked`: the
    services named (--service), each of which it must pin there. `fetch` gets the commit
    when the clone does not have it yet (Argo CD reported it); None: no fetch."""
    if run.how == PINNED or clone is None:
        return env
    rel = names.environment_file(env.name)
    where = f"{rel} at {run.commit[:12]}"
    if clone.rev(run.commit) is None and fetch is not None:
        remote = remote_for(clone, env)
        if remote is not None:
            fetch(remote, env.revision)
    if clone.rev(run.commit) is None:
        raise InputError(
            f"{env.name} runs {run.commit[:12]} ({run.detail}), which this clone does not "
            f"have: the pins {env.name} runs are in {where}",
            hint="fetch it (git fetch), then run again",
        )
    data = clone.file_at(run.commit, rel)
    versions = None if data is None else versions_in(data, where)
    if versions is None:
        raise InputError(
            f"{where}, the commit {env.name} runs: no environment file with release pins",
            hint=f"wait until {env.name} runs a commit that has its file, then run again",
        )
    ran = with_pins(env, versions)
    missing = [s for s in asked if s not in ran.releases]
    if missing:
        raise InputError(
            f"{env.name} does not run {', '.join(missing)} yet: {where}, the commit it runs, "
            "pins no such service",
            hint=f"wait until {env.name} runs a commit that pins it, then run again",
        )
    return ran


def gate_checks(
    tree: Tree, env: Environment, services: Sequence[str], run: SourceRun
) -> list[GateCheck]:
    """What the gate expects of each promoted service's app in SOURCE."""
    checks = []
    for svc in tree.services:
        if svc.name in services and svc.name in env.releases:  # else SOURCE does not run it
            own = env.releases[svc.name].revision
            checks.append(GateCheck(app_target(tree.settings, env, svc), own or run.commit))
    return checks


def gate_of(
    tree: Tree,
    env: Environment,
    services: Sequence[str],
    run: SourceRun,
    states: Sequence[AppState],
    now: datetime,
) -> Gate:
    return gate_for(gate_checks(tree, env, services, run), states, now)
