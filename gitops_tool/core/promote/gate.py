"""The gate before a promotion: SOURCE must run, healthy, what is promoted from it.

Pure: compares Argo CD's Applications (AppState, from one List answer) with what the
repository says each promoted service runs in SOURCE. An app passes when Argo CD reports it
Synced and Healthy (for long enough to be settled), at the commit and image tag the
repository pins, with its spec current and its status reconciled after its last operation,
which Succeeded and is not running: the conditions of the sync command's wait predicate
(ARGOCD-NOTES §2.8; `stale_status` and `settling` are its own), read once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from gitops_tool.core.apps import AppTarget
from gitops_tool.core.argocd.appstatus import (
    BLOCKING_CONDITIONS,
    ERROR,
    FAILED,
    HEALTHY,
    SYNCED,
    AppState,
    short_revision,
)
from gitops_tool.core.argocd.wait import SETTLE, settling, shown_lags_deployed, stale_status
from gitops_tool.core.model import is_commit


class GateStatus(StrEnum):
    """The gate's verdict (the commit's `Gitops-Tool-Gate` trailer says it)."""

    PASSED = "passed"
    FAILING = "failed"
    SKIPPED = "skipped"  # --skip-gate, with its reason
    NOT_CHECKED = "not checked"  # no Argo CD server configured


@dataclass(frozen=True, slots=True)
class GateCheck:
    """One promoted service in SOURCE: its Application as the repository says it should be
    (the targetRevision may be a branch) and the commit it must run."""

    app: AppTarget
    commit: str


@dataclass(frozen=True, slots=True)
class GateRow:
    """One app as Argo CD reports it, and why it does not pass (nothing when it does)."""

    app: str
    service: str
    sync: str
    health: str
    revision: str  # status.sync.revision
    image_tag: str
    expected_revision: str
    expected_tag: str
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True, slots=True)
class Gate:
    """The gate's verdict: passed, failed (rows say why), skipped (with the reason given)
    or not checked (no Argo CD server)."""

    status: GateStatus
    reason: str = ""
    rows: tuple[GateRow, ...] = ()

    @property
    def refused(self) -> bool:
        return self.status == GateStatus.FAILING


def problems_of(check: GateCheck, state: AppState | None, now: datetime) -> tuple[str, ...]:
    """Why `state` does not show `check.app` running `check.commit`, healthy and settled, at
    `now`."""
    if state is None:
        return ("not found in Argo CD",)
    app = check.app
    found: list[str] = []
    if state.sync_status != SYNCED:
        found.append(f"sync is {state.sync_status or 'Unknown'}")
    if state.health != HEALTHY:
        health = f"health is {state.health or 'Unknown'}"
        found.append(f"{health}: {state.health_message}" if state.health_message else health)
    if state.operation_running:
        found.append(f"an operation is {state.phase or 'requested'}")
    elif state.phase in (FAILED, ERROR):
        found.append(f"its last sync {state.phase}: {state.operation_message or 'no message'}")
    if state.target_revision != app.revision:
        found.append(
            f"targets {state.target_revision or '(none)'}, the repository says {app.revision}"
        )
    if state.sync_revision != check.commit:
        found.append(
            f"runs {short_revision(state.sync_revision) or '(unknown)'}, "
            f"expected {short_revision(check.commit)}"
        )
    if state.image_tag != app.image_tag:
        found.append(f"image tag {state.image_tag or '(none)'}, expected {app.image_tag}")
    if (lag := shown_lags_deployed(state)) is not None:
        found.append(lag)
    if (stale := stale_status(state)) is not None:
        found.append(stale)
    elif state.health == HEALTHY and settling(state, now):
        found.append(f"Healthy for less than {SETTLE.seconds} s: not settled yet")
    found += [f"{kind}: {message}" for kind, message in state.conditions
              if kind in BLOCKING_CONDITIONS]
    return tuple(found)


def gate_for(checks: Sequence[GateCheck], states: Sequence[AppState], now: datetime) -> Gate:
    """The gate over `checks`, from Argo CD's `states` of SOURCE's apps, read at `now`."""
    by_name = {s.name: s for s in states}
    rows = []
    for check in checks:
        state = by_name.get(check.app.name)
        rows.append(
            GateRow(
                app=check.app.name,
                service=check.app.service,
                sync=(state.sync_status or "Unknown") if state else "Missing",
                health=(state.health or "Unknown") if state else "Missing",
                revision=state.sync_revision if state else "",
                image_tag=state.image_tag if state else "",
                expected_revision=check.commit,
                expected_tag=check.app.image_tag,
                problems=problems_of(check, state, now),
            )
        )
    status = GateStatus.PASSED if all(r.ok for r in rows) else GateStatus.FAILING
    return Gate(status, rows=tuple(rows))


@dataclass(frozen=True, slots=True)
class RunningCommit:
    """The commit Argo CD reports for a branch-tracking environment's apps: one commit, or
    the apps that disagree (name -> what each runs)."""

    commit: str
    disagreeing: Mapping[str, str]


def running_commit(apps: Sequence[AppTarget], states: Sequence[AppState]) -> RunningCommit:
    """What `apps` (those that track the environment's branch) run, as Argo CD reports it.
    `commit` is "" when they disagree, one is missing, or one reports no commit."""
    by_name = {s.name: s for s in states}
    seen = {a.name: (by_name[a.name].sync_revision if a.name in by_name else "") for a in apps}
    commits = set(seen.values())
    if len(commits) == 1 and is_commit(next(iter(commits))):
        return RunningCommit(next(iter(commits)), {})
    return RunningCommit("", dict(sorted(seen.items())))
