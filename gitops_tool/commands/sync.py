"""`sync ENV`: the root Application first, then the children wave by wave.

Every app of a wave is refreshed (`?refresh=normal`), POSTed, then polled until each is
done for the expected revision (core.wait), and only then does the next wave start. A
sync never carries syncOptions (they would replace the app's own) nor a revision
(auto-synced apps refuse one, and the repository's targetRevision is what should deploy).
Our requests carry an info tag `gitops-tool/sync-id`, so that a POST whose answer was
lost is recognised before it is repeated, and so that our own operation is told apart
from someone else's.
`--dry-run` asks Argo CD too, with one List request (as `status`), and returns the plan with
what Argo CD reports for each app; it sends no POST and no refresh.
No printing: progress goes to `runtime.progress`, the result to the CLI.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

from gitops_tool.adapters import writer
from gitops_tool.adapters.argocd.config import ConnectionFlags
from gitops_tool.adapters.argocd.errors import (
    ArgoCDNotFound,
    ArgoCDUnavailable,
    DeadlinePassed,
    OperationInProgress,
    SyncWindowClosed,
)
from gitops_tool.adapters.argocd.runtime import Runtime
from gitops_tool.adapters.files import load_tree
from gitops_tool.adapters.lock import DEFAULT_TIMEOUT, repository_lock
from gitops_tool.commands.worktree import deployed_root
from gitops_tool.core import names
from gitops_tool.core.apps import AppTarget
from gitops_tool.core.argocd.appstatus import (
    SYNC_ID_INFO,
    AppState,
    ResourceHealth,
    StatusRow,
    app_state,
    status_row,
)
from gitops_tool.core.argocd.rollout import RolloutPlan, environment_of, plan_rollout
from gitops_tool.core.argocd.wait import (
    Expectation,
    Verdict,
    VerdictKind,
    foreign_operation,
    sync_verdict,
    verdict,
)
from gitops_tool.errors import EXIT_EXTERNAL, EXIT_FOUND, EXIT_INTERRUPTED, EXIT_OK

if TYPE_CHECKING:
    from gitops_tool.adapters.argocd.client import ArgoCDClient
    from gitops_tool.core.model import Tree

# What a dry run reads of each app (as `status`; the API gateway projects these).
DRY_RUN_FIELDS = (
    "metadata.name", "spec.project", "spec.source", "status.sync.status",
    "status.sync.revision", "status.health", "status.operationState.phase",
    "status.operationState.startedAt", "status.operationState.finishedAt",
)


class SyncOutcome(StrEnum):
    """How a sync ended, and the exit code each means."""

    PLANNED = "planned"  # --dry-run, and every app of the plan exists in Argo CD
    INCOMPLETE = "incomplete"  # --dry-run: an app of the plan is missing in Argo CD
    DONE = "done"
    FAILED = "failed"  # an app turned Degraded or its sync failed
    TIMEOUT = "timeout"
    INTERRUPTED = "interrupted"

    @property
    def exit_code(self) -> int:
        return {
            SyncOutcome.INCOMPLETE: EXIT_FOUND,
            SyncOutcome.FAILED: EXIT_FOUND,
            SyncOutcome.TIMEOUT: EXIT_EXTERNAL,
            SyncOutcome.INTERRUPTED: EXIT_INTERRUPTED,
        }.get(self, EXIT_OK)


@dataclass(frozen=True, slots=True)
class SyncOptions:
    root: Path
    environment: str
    apps: tuple[str, ...] = ()
    prune: bool = False
    dry_run: bool = False
    timeout: float = 600.0  # seconds, for the whole rollout
    interval: float = 2.0  # seconds between polls
    flags: ConnectionFlags = field(default_factory=ConnectionFlags)
    from_remote: bool = False  # sync what the remote branch holds, not the working tree


@dataclass
class Tracked:
    """One app during the rollout: what we did and what we last saw."""

    target: AppTarget
    started: bool = False  # our sync operation exists
    foreign: str = ""  # someone else's operation we wait for (its initiator), then sync
    verdict: Verdict | None = None
    state: AppState | None = None

    @property
    def done(self) -> bool:
        return self.verdict is not None and self.verdict.done

    @property
    def summary(self) -> str:
        if self.foreign:
            return f"waiting for the operation started by {self.foreign}"
        if self.verdict is None:
            return "synced, not yet polled" if self.started else "not started"
        return self.verdict.reason


@dataclass(frozen=True, slots=True)
class Progress:
    """Sent after each round of polls."""

    stage: str  # "root" or "wave 20 (control-plane)"
    apps: tuple[tuple[str, str, str], ...]  # (name, done|waiting|failed, reason)


@dataclass(frozen=True, slots=True)
class Failure:
    app: str
    reason: str
    operation_message: str
    resources: tuple[ResourceHealth, ...]


@dataclass(frozen=True, slots=True)
class SyncResult:
    plan: RolloutPlan
    outcome: SyncOutcome
    apps: tuple[tuple[str, int, str], ...] = ()  # (name, wave, DONE or the last known state)
    failure: Failure | None = None
    running: tuple[str, ...] = ()  # apps whose sync we started and whose operation still runs
    sync_id: str = ""
    server: str = ""
    # --dry-run: the root, then each app of the plan, as Argo CD reports it (Missing: absent)
    observed: tuple[StatusRow, ...] = ()

    @property
    def dry_run(self) -> bool:
        return self.outcome in (SyncOutcome.PLANNED, SyncOutcome.INCOMPLETE)

    @property
    def exit_code(self) -> int:
        return self.outcome.exit_code


class Rollout:
    """The wave loop over one client."""

    def __init__(self, client: ArgoCDClient, plan: RolloutPlan, options: SyncOptions,
                 runtime: Runtime) -> None:
        self.client, self.plan, self.options, self.runtime = client, plan, options, runtime
        self.clock = runtime.clock
        self.sync_id = runtime.new_id()
        self.deadline = self.clock.now() + timedelta(seconds=options.timeout)
        self.tracked = {a.name: Tracked(a) for a in (plan.root, *plan.apps)}

    # -- the rollout ------------------------------------------------------------------

    def run(self) -> SyncResult:
        # each request's timeouts and retries end at the deadline, not only each round
        self.client.bound_by(lambda: (self.deadline - self.clock.now()).total_seconds())
        try:
            self._check_windows()
            stages = [("root", (self.plan.root,))] + [
                (f"wave {w.number} ({w.plane})", w.apps) for w in self.plan.waves
            ]
            for stage, apps in stages:
                outcome = self._roll(stage, apps)
                if outcome is not None:
                    return outcome
            return self._result(SyncOutcome.DONE)
        except DeadlinePassed:
            return self._result(SyncOutcome.TIMEOUT)
        except KeyboardInterrupt:
            return self._result(SyncOutcome.INTERRUPTED)

    def _check_windows(self) -> None:
        """Before any sync: a sync window that blocks any app of the plan stops the rollout.

        Every app, auto-synced or not: each POST this tool sends is a manual sync."""
        for app in (self.plan.root, *self.plan.apps):
            try:
                windows = self.client.sync_windows(app.name, project=app.project,
                                                   app_namespace=app.namespace)
            except ArgoCDNotFound as exc:
                raise self._missing(app) from exc
            if windows.get("canSync") is False:
                raise SyncWindowClosed(
                    f"a sync window blocks {self.plan.environment} app {app.name} now; "
                    "nothing was synced",
                    hint="re-run inside the window, or ask for a window with manualSync",
                )

    def _roll(self, stage: str, apps: Sequence[AppTarget]) -> SyncResult | None:
        for app in apps:
            self._refresh(app)
        for app in apps:
            self._start(app)
        while True:
            for app in apps:
                tracked = self.tracked[app.name]
                if tracked.done:
                    continue
                state = self._poll(app)
                if state is None:
                    continue
                if tracked.foreign:
                    if not foreign_operation(state, self.sync_id):
                        tracked.foreign = ""
                        self._start(app)
                    continue
                tracked.verdict = self._judge(app, state)
                if tracked.verdict.failed:
                    self._report(stage, apps)
                    return self._failed(tracked)
            self._report(stage, apps)
            if all(self.tracked[a.name].done for a in apps):
                return None
            if self.clock.now() >= self.deadline:
                return self._result(SyncOutcome.TIMEOUT)
            self.clock.sleep(self.options.interval)

    def _judge(self, app: AppTarget, state: AppState) -> Verdict:
        """The root by its sync alone (its health is the worst of its children's, by the
        Application health check); each child by sync and health."""
        if app.name == self.plan.root.name:
            return sync_verdict(state, self._expect(app))
        return verdict(state, self._expect(app), self.clock.now())

    def _expect(self, app: AppTarget) -> Expectation:
        return Expectation(revision=app.revision, sync_id=self.sync_id)

    # -- one app ----------------------------------------------------------------------

    def _poll(self, app: AppTarget) -> AppState | None:
        """GET the app (retried by the client); a failed poll is tried again next round."""
        tracked = self.tracked[app.name]
        try:
            state = app_state(self._get(app))
        except DeadlinePassed:
            raise
        except ArgoCDUnavailable as exc:
            self.runtime.warn(f"warning: {exc.message}; polling again")
            return None
        tracked.state = state
        return state

    def _refresh(self, app: AppTarget) -> None:
        """Row 11 of the matrix: make Argo CD re-read git and compare the app again before
        it is synced and waited for, so that the first polls do not show a status computed
        before the root applied the app's current spec. The GET blocks until the controller
        has refreshed. The wait predicate does not rely on it (it checks our operation, the
        revision and reconciledAt itself), so a refresh that fails is a warning."""
        try:
            self.client.get_app(app.name, project=app.project, app_namespace=app.namespace,
                                refresh="normal")
        except DeadlinePassed:
            raise
        except ArgoCDNotFound as exc:
            raise self._missing(app) from exc
        except ArgoCDUnavailable as exc:
            self.runtime.warn(f"warning: {exc.message}; syncing without the refresh")

    def _get(self, app: AppTarget) -> dict:
        return self.client.get_app(app.name, project=app.project, app_namespace=app.namespace)

    def _post(self, app: AppTarget) -> None:
        self.client.sync_app(
            app.name, project=app.project, app_namespace=app.namespace,
            prune=self.options.prune, infos={SYNC_ID_INFO: self.sync_id},
        )

    def _start(self, app: AppTarget) -> None:
        """POST a sync; on a lost answer, POST again only if no operation of ours exists."""
        tracked = self.tracked[app.name]
        try:
            self._post_again_if_lost(app)
            tracked.started = True
        except OperationInProgress:
            state = app_state(self._get(app))
            tracked.state = state
            if state.carries(self.sync_id):
                tracked.started = True
            else:
                tracked.foreign = state.initiated_by or "someone else"
        except SyncWindowClosed as exc:
            raise SyncWindowClosed(
                f"a sync window blocks {self.plan.environment} app {app.name}: {exc.message}",
                hint=exc.hint,
            ) from None
        except ArgoCDNotFound as exc:
            raise self._missing(app) from exc

    def _missing(self, app: AppTarget) -> Exception:
        return ArgoCDNotFound(
            f"{self.plan.environment} app {app.name} does not exist in Argo CD "
            f"(project {app.project})",
            hint="render and push argocd/, then check that the root Application "
            f"{self.plan.root.name} created it",
        )

    def _post_again_if_lost(self, app: AppTarget) -> None:
        """Row 3 of the matrix: after a 503 or a dropped connection, look before re-POSTing."""
        try:
            self._post(app)
        except DeadlinePassed:
            raise
        except ArgoCDUnavailable as exc:
            self.runtime.warn(f"warning: {exc.message}; checking whether the sync started")
            if not self._ours(app):
                self._post(app)

    def _ours(self, app: AppTarget) -> bool:
        state = app_state(self._get(app))
        self.tracked[app.name].state = state
        return state.carries(self.sync_id)

    # -- results ----------------------------------------------------------------------

    def _report(self, stage: str, apps: Sequence[AppTarget]) -> None:
        if self.runtime.progress is None:
            return
        rows = []
        for app in apps:
            t = self.tracked[app.name]
            kind = t.verdict.kind if t.verdict else VerdictKind.WAITING
            rows.append((app.name, kind, t.summary))
        self.runtime.progress(Progress(stage, tuple(rows)))

    def _failed(self, tracked: Tracked) -> SyncResult:
        assert tracked.verdict is not None and tracked.verdict.kind is VerdictKind.FAILING
        state = tracked.state
        failure = Failure(
            app=tracked.target.name,
            reason=tracked.verdict.reason,
            operation_message=state.operation_message if state else "",
            resources=tracked.verdict.resources,
        )
        return self._result(SyncOutcome.FAILED, failure)

    def _result(self, outcome: SyncOutcome, failure: Failure | None = None) -> SyncResult:
        apps = tuple(
            (t.target.name, t.target.wave, VerdictKind.DONE if t.done else t.summary)
            for t in self.tracked.values()
        )
        running = tuple(
            t.target.name for t in self.tracked.values()
            if t.started and not t.done and (t.state is None or t.state.operation_running)
        )
        return SyncResult(self.plan, outcome, apps, failure, running, self.sync_id,
                          self.client.host)


def dry_run(client: ArgoCDClient, tree: Tree, plan: RolloutPlan) -> SyncResult:
    """The plan with each app as Argo CD reports it: one List request, nothing sent."""
    env = environment_of(tree, plan.environment)
    items = client.list_apps(
        selector={names.LABEL_ENVIRONMENT: env.name},
        project=(plan.root.project, env.project),
        app_namespace=env.argocd_namespace,
        fields=DRY_RUN_FIELDS,
    )
    states = {s.name: s for s in (app_state(item) for item in items)}
    observed = tuple(status_row(app, states.get(app.name)) for app in (plan.root, *plan.apps))
    missing = any(app.name not in states for app in (plan.root, *plan.apps))
    outcome = SyncOutcome.INCOMPLETE if missing else SyncOutcome.PLANNED
    return SyncResult(plan, outcome, server=client.host, observed=observed)


def run(options: SyncOptions, runtime: Runtime) -> SyncResult:
    """Plan (always); then, with --dry-run, show it against Argo CD; else sync."""
    # Bad input first, alone; then what Argo CD deploys: the remote branch. Refuse when the
    # working tree says otherwise (or read the plan from the remote branch, with
    # --from-remote). A dry run is refused alike: it shows what the real run would do.
    tree = load_tree(options.root, only=[options.environment])
    if not options.from_remote:  # a write a killed render left is finished before the check
        writer.finish_unfinished(
            options.root, tree.settings.output_dir,
            lambda: repository_lock(options.root, f"sync {options.environment}",
                                    DEFAULT_TIMEOUT, warn=runtime.warn),
            runtime.warn)
    with deployed_root(options.root, options.environment, options.from_remote,
                       runtime.warn) as root:
        if root != options.root:
            tree = load_tree(root, only=[options.environment])
    plan = plan_rollout(tree, options.environment, options.apps)
    if options.dry_run:  # --timeout bounds its one request too
        with runtime.connect(options.flags, timeout=options.timeout) as client:
            return dry_run(client, tree, plan)
    with runtime.connect(options.flags) as client:
        return Rollout(client, plan, options, runtime).run()
