"""When is an Application done? The wait predicate of ARGOCD-NOTES §2.8, as a pure function.

An app is done for our sync when: no operation is requested or running; the last
operation is ours (its `gitops-tool/sync-id` info) and Succeeded; it deployed the
expected revision and `status.sync.revision` shows the same; the status was compared
against the current spec and reconciled after the operation finished; it is Synced; no
ComparisonError/InvalidSpecError condition; and Healthy for at least `settle`.
Degraded once the operation is reconciled (whatever the sync status), or a Failed/Error
operation, fails fast. The root Application is judged by `sync_verdict`: sync only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from gitops_tool.core.argocd.appstatus import (
    BLOCKING_CONDITIONS,
    DEGRADED,
    ERROR,
    FAILED,
    HEALTHY,
    SUCCEEDED,
    SYNCED,
    AppState,
    ResourceHealth,
    short_revision,
)
from gitops_tool.core.model import is_commit


class VerdictKind(StrEnum):
    """Where one app stands in our sync."""

    DONE = "done"
    WAITING = "waiting"
    FAILING = "failed"


SETTLE = timedelta(seconds=5)  # GitOps Promoter holds Healthy this long before trusting it
# The hold compares our clock with the server's lastTransitionTime. A transition further in
# our future than this means the clocks disagree (ours is behind): waiting for our clock to
# catch up could outlast any timeout, so the hold is skipped, as when the time is missing.
CLOCK_SKEW_LIMIT = timedelta(seconds=60)


@dataclass(frozen=True, slots=True)
class Expectation:
    """What our sync of one app should reach."""

    revision: str  # the targetRevision the repository gives the app: a branch or a commit
    sync_id: str  # the info value our sync request carried
    settle: timedelta = SETTLE


@dataclass(frozen=True, slots=True)
class Verdict:
    """done, waiting (with why), or failed (with why and the unhealthy resources)."""

    kind: VerdictKind
    reason: str
    resources: tuple[ResourceHealth, ...] = ()

    @property
    def done(self) -> bool:
        return self.kind == VerdictKind.DONE

    @property
    def failed(self) -> bool:
        return self.kind == VerdictKind.FAILING


def _waiting(reason: str) -> Verdict:
    return Verdict(VerdictKind.WAITING, reason)


def stale_status(state: AppState) -> str | None:
    """Why `state`'s sync and health status cannot be believed yet, or None: compared
    against an older spec, or not reconciled since the last operation finished. The sync
    command's wait and the promotion gate ask this one question."""
    if state.compared_revision is not None and state.compared_revision != state.target_revision:
        return "status was compared against an older spec"
    if (
        state.finished_at is None
        or state.reconciled_at is None
        or state.reconciled_at < state.finished_at
    ):
        return "status not reconciled since the last operation finished"
    return None


def shown_lags_deployed(state: AppState) -> str | None:
    """Why `status.sync.revision` is not (yet) what the last sync deployed, or None: no
    sync recorded, or the status still shows another revision."""
    deployed = state.synced_revision
    if not deployed or state.sync_revision != deployed:
        return (f"status shows revision {short_revision(state.sync_revision) or '(none)'}, "
                f"the last sync deployed {short_revision(deployed) or '(unknown)'}")
    return None


def settling(state: AppState, now: datetime, settle: timedelta = SETTLE) -> bool:
    """Healthy for less than `settle` at `now` (unknown when the time is missing, or when
    the clocks disagree by more than CLOCK_SKEW_LIMIT: then it is not held)."""
    held = None if state.health_since is None else now - state.health_since
    return held is not None and -CLOCK_SKEW_LIMIT <= held < settle


def foreign_operation(state: AppState, sync_id: str) -> bool:
    """Someone else's operation (an auto-sync, a person) is requested or running."""
    return state.operation_running and not state.carries(sync_id)


def _operation_verdict(state: AppState, expect: Expectation) -> Verdict | None:
    """Our operation finished, Succeeded, at the expected revision and reconciled since;
    None when all of that holds, else why we wait or fail."""
    if state.operation_requested:
        return _waiting(f"operation {state.phase or 'requested'}")
    if not state.carries(expect.sync_id):
        return _waiting("our sync has not started yet")
    if state.phase in (FAILED, ERROR):
        return Verdict(
            VerdictKind.FAILING, f"sync {state.phase}: {state.operation_message or 'no message'}",
            state.unhealthy,
        )
    if state.phase != SUCCEEDED:
        return _waiting(f"sync {state.phase or 'pending'}")
    if state.target_revision != expect.revision:
        return Verdict(
            VerdictKind.FAILING,
            f"the Application targets {state.target_revision or '(none)'}, but the "
            f"repository says {expect.revision}: its spec is not current",
        )
    deployed = state.synced_revision
    if is_commit(expect.revision) and deployed != expect.revision:
        return Verdict(
            VerdictKind.FAILING,
            f"the sync deployed {short_revision(deployed) or '(unknown)'}, "
            f"expected {short_revision(expect.revision)}",
        )
    if (lag := shown_lags_deployed(state)) is not None:
        return _waiting(lag)
    stale = stale_status(state)
    return None if stale is None else _waiting(stale)


def _synced(state: AppState) -> Verdict | None:
    if state.sync_status != SYNCED:
        return _waiting(f"sync status {state.sync_status or 'Unknown'}")
    for kind, message in state.conditions:
        if kind in BLOCKING_CONDITIONS:
            return _waiting(f"{kind}: {message}")
    return None


def sync_verdict(state: AppState, expect: Expectation) -> Verdict:
    """Whether our sync of `state` completed, health aside: how the root Application is
    judged, whose health (by the Application health check) is the worst of its children's."""
    pending = _operation_verdict(state, expect) or _synced(state)
    return pending or Verdict(VerdictKind.DONE, "Synced")


def verdict(state: AppState, expect: Expectation, now: datetime) -> Verdict:
    """Whether `state` is done for `expect`, judged at `now` (a timezone-aware time)."""
    pending = _operation_verdict(state, expect)
    if pending is not None:
        return pending
    if state.health == DEGRADED:  # before Synced: a Degraded app may also be OutOfSync
        reason = f"Degraded: {state.health_message}" if state.health_message else "Degraded"
        return Verdict(VerdictKind.FAILING, reason, state.unhealthy)
    pending = _synced(state)
    if pending is not None:
        return pending
    if state.health != HEALTHY:
        return _waiting(f"health {state.health or 'Unknown'}")
    if settling(state, now, expect.settle):
        return _waiting("Healthy, settling")
    return Verdict(VerdictKind.DONE, "Synced and Healthy")
