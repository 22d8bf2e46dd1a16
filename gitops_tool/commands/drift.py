"""`gitops-tool drift [ENV...]`: where the repository, Argo CD and the promotion chain
disagree.

run(options, runtime) makes three checks and always runs all three to the end:

- repo drift: argocd/ against what render would write (render's own plan, read only);
- live drift, when an Argo CD server is configured: one List request per environment
  (label selector on the environment, in every project, a field projection), compared with
  the Applications git declares (the root Application and one per service); with
  `details`, one managed-resources request per OutOfSync app;
- environment drift: pins that differ between consecutive stages, and since when, from the
  git history of the earlier stage's file.

What could not be checked (Argo CD failed; argocd/ could not be read settled because
another command holds the repository lock, or a killed write's journal cannot be trusted)
is kept as `Unknown`, never as "no drift", and the other checks still run. It never
prints. It writes only what reading argocd/ settled takes: the repository lock file, and,
when a killed command left a write unfinished, that write completed or undone (as any
command that reads argocd/ does).
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from gitops_tool.adapters import files, writer
from gitops_tool.adapters.argocd.config import ConnectionFlags, NoServerError
from gitops_tool.adapters.argocd.errors import ArgoCDAuthError, ArgoCDUnavailable
from gitops_tool.adapters.git import history as git_adapter
from gitops_tool.adapters.lock import DEFAULT_TIMEOUT, repository_lock
from gitops_tool.core import names
from gitops_tool.core.apps import root_target
from gitops_tool.core.argocd.appstatus import app_state
from gitops_tool.core.argocd.rollout import expected_apps
from gitops_tool.core.drift.findings import (
    KIND_OUT_OF_SYNC,
    LIVE,
    REPO,
    Finding,
    Unknown,
    exit_code_of,
)
from gitops_tool.core.drift.live import LIST_FIELDS, live_findings
from gitops_tool.core.drift.repo import repo_findings
from gitops_tool.core.drift.resources import details_of, resource_diffs
from gitops_tool.core.drift.stages import (
    DEFAULT_MAX_LAG,
    Arrival,
    Gap,
    arrivals,
    environment_findings,
    stage_gaps,
    stage_pairs,
)
from gitops_tool.core.model import Environment, Tree
from gitops_tool.core.render.plan import plan_for
from gitops_tool.core.render.rendering import rendering_for
from gitops_tool.core.selection import in_chain_order
from gitops_tool.errors import ArgoCDError, GitError, GitopsError

if TYPE_CHECKING:
    from gitops_tool.adapters.argocd.client import ArgoCDClient
    from gitops_tool.adapters.argocd.runtime import Runtime

NO_SERVER = "no Argo CD server configured (--server, ARGOCD_SERVER, or `argocd login`)"


@dataclass(frozen=True, slots=True)
class DriftOptions:
    root: Path
    environments: tuple[str, ...] = ()  # empty: every environment
    flags: ConnectionFlags = field(default_factory=ConnectionFlags)
    max_lag: timedelta = DEFAULT_MAX_LAG
    details: bool = False
    require_live: bool = False
    lock_timeout: float = DEFAULT_TIMEOUT  # for a command writing argocd/, only while one does


@dataclass(frozen=True, slots=True)
class DriftResult:
    environments: tuple[str, ...]  # checked, in chain order
    findings: tuple[Finding, ...]  # repo, then live by environment, then environment drift
    unknown: tuple[Unknown, ...]  # what could not be checked: repo, then live
    server: str  # the Argo CD host, or "" when live drift was skipped
    live_skipped: str  # why live drift was skipped, or ""
    require_live: bool
    max_lag: timedelta
    checked_at: datetime
    output_dir: str = "argocd"
    stage_pairs: tuple[tuple[str, str], ...] = ()  # (earlier, later) stages compared

    @property
    def drift(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.drift)

    @property
    def exit_code(self) -> int:
        """3 if anything could not be checked (or live drift was required but skipped),
        else 1 if a finding counts as drift, else 0."""
        return exit_code_of(self.findings, self.unknown,
                            bool(self.live_skipped) and self.require_live)


def repo_drift(root: Path, tree: Tree, chosen: list[str] | None, details: bool,
               warn: Callable[[str], None], lock_timeout: float = DEFAULT_TIMEOUT,
               ) -> tuple[tuple[Finding, ...], tuple[Unknown, ...]]:
    """argocd/ against what `render` would write for `chosen` (None: all), never against a
    half-written folder (writer.read_settled: a write under way is waited for, one a killed
    run left is completed or undone, and `warn` says so).

    When argocd/ cannot be settled (the lock is held beyond `lock_timeout`, or the journal
    a killed write left is refused), repo drift is unknown: (no findings, the Unknown). A
    file under argocd/ that cannot be read is bad input, raised as render raises it."""
    rendering = rendering_for(tree, chosen)
    out = tree.settings.output_dir
    reading: list[GitopsError] = []  # an error of the read itself, not of settling

    def read() -> dict[str, bytes | None]:
        try:
            return writer.read_output(root, rendering.owned)
        except GitopsError as exc:
            reading.append(exc)
            raise

    try:
        existing = writer.read_settled(
            root, out, read,
            lambda: repository_lock(root, "drift", lock_timeout, warn=warn), warn,
        )
    except GitopsError as exc:
        if reading:
            raise
        return (), (Unknown(REPO, "", f"{out}/ could not be read settled: {exc.message} "
                                      f"({exc.hint})"),)
    plan = plan_for(rendering.files, rendering.owned, existing)
    return repo_findings(plan, existing, out, details), ()


def _with_details(client: ArgoCDClient, env: Environment, found: tuple[Finding, ...],
                  unknown: list[Unknown]) -> tuple[Finding, ...]:
    out = []
    for finding in found:
        if finding.kind == KIND_OUT_OF_SYNC:
            try:
                items = client.managed_resources(finding.app, project=env.project,
                                                 app_namespace=env.argocd_namespace)
                finding = replace(finding, details=details_of(resource_diffs(items)))
            except ArgoCDError as exc:
                unknown.append(Unknown(LIVE, env.name, f"resources that differ: {exc.message}",
                                       app=finding.app))
        out.append(finding)
    return tuple(out)


def live_drift(tree: Tree, envs: list[Environment], client: ArgoCDClient, details: bool
               ) -> tuple[tuple[Finding, ...], tuple[Unknown, ...]]:
    """One List request per environment. When Argo CD cannot be reached or refuses the
    token, the environments after it are not asked and are unknown too."""
    findings: list[Finding] = []
    unknown: list[Unknown] = []
    stop = ""
    for env in envs:
        if stop:
            unknown.append(Unknown(LIVE, env.name, f"not asked: {stop}"))
            continue
        try:
            # no project filter: an app with the labels in another project is drift too
            items = client.list_apps(selector={names.LABEL_ENVIRONMENT: env.name},
                                     app_namespace=env.argocd_namespace, fields=LIST_FIELDS)
        except ArgoCDError as exc:
            unknown.append(Unknown(LIVE, env.name, exc.message))
            if isinstance(exc, ArgoCDUnavailable | ArgoCDAuthError):
                stop = f"Argo CD at {client.host} failed for {env.name}"
            continue
        states = [app_state(item) for item in items if isinstance(item, dict)]
        found = live_findings(env, root_target(tree.settings, env), expected_apps(tree, env),
                              states, tree.settings.output_dir)
        if details:
            found = _with_details(client, env, found, unknown)
        findings += found
    return tuple(findings), tuple(unknown)


def environment_drift(root: Path, tree: Tree, chosen: list[str], now: datetime,
                      max_lag: timedelta) -> tuple[Finding, ...]:
    """Stage gaps, dated from the git history of the earlier stage's file."""
    gaps = stage_gaps(tree, chosen)
    by_earlier: dict[str, list[Gap]] = {}
    for gap in gaps:
        by_earlier.setdefault(gap.earlier, []).append(gap)
    arrived: dict[str, dict] = {}
    for earlier, its_gaps in by_earlier.items():
        env = tree.environment(earlier)
        assert env is not None
        wanted = {g.key: g.earlier_value for g in its_gaps}
        history = git_adapter.file_history(root, env.source)
        if history is None:
            arrived[earlier] = {k: Arrival(None, why="not a git repository, or no commit yet")
                                for k in wanted}
        else:
            try:
                arrived[earlier] = arrivals(wanted, history)
            except GitError as exc:  # local: the age is unknown, which counts as drift
                arrived[earlier] = {k: Arrival(None, why=exc.message) for k in wanted}
            finally:
                history.close()
    return environment_findings(gaps, arrived, now, max_lag)


def run(options: DriftOptions, runtime: Runtime) -> DriftResult:
    """Every check, to the end. Raises GitopsError only for bad input (exit 2)."""
    root = options.root
    wanted = list(dict.fromkeys(options.environments))
    if wanted:
        files.check_environment_names(root, wanted)
    # every environment (bootstrap and the chain need them), and every values file checked
    # as render checks it: drift never says "matches" of a tree render refuses
    tree = files.load_tree(root)
    chosen = in_chain_order(wanted or [e.name for e in tree.environments],
                            tree.settings.promotion)
    envs = [e for name in chosen if (e := tree.environment(name)) is not None]
    # The connection is resolved first: a broken configuration is bad input (exit 2), found
    # before anything else; none at all means live drift is skipped. The client is closed
    # on every way out.
    with ExitStack() as stack:
        try:
            client: ArgoCDClient | None = stack.enter_context(runtime.connect(options.flags))
        except NoServerError:
            client = None
        repo, unknown = repo_drift(root, tree, wanted or None, options.details, runtime.warn,
                                   options.lock_timeout)
        findings = list(repo)
        if client is not None:
            live, live_unknown = live_drift(tree, envs, client, options.details)
            findings += live
            unknown += live_unknown
    findings += environment_drift(root, tree, chosen, runtime.clock.now(), options.max_lag)
    return DriftResult(
        environments=tuple(chosen),
        findings=tuple(findings),
        unknown=unknown,
        server=client.host if client is not None else "",
        live_skipped="" if client is not None else NO_SERVER,
        require_live=options.require_live,
        max_lag=options.max_lag,
        checked_at=runtime.clock.now(),
        output_dir=tree.settings.output_dir,
        stage_pairs=stage_pairs(tree, chosen),
    )
