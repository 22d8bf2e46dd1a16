"""The wait predicate (ARGOCD-NOTES §2.8): when is an app done for our sync?"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gitops_tool.core.argocd.appstatus import SYNC_ID_INFO, AppState, ResourceHealth
from gitops_tool.core.argocd.wait import (
    CLOCK_SKEW_LIMIT,
    Expectation,
    foreign_operation,
    sync_verdict,
    verdict,
)

T0 = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
SHA = "a" * 40
OLD = "b" * 40
OURS = {SYNC_ID_INFO: "run-1"}
EXPECT = Expectation(revision="main", sync_id="run-1")

DONE_STATE = AppState(
    name="dev-api",
    target_revision="main",
    compared_revision="main",
    sync_status="Synced",
    sync_revision=SHA,
    synced_revision=SHA,
    health="Healthy",
    health_since=T0,
    phase="Succeeded",
    started_at=T0 - timedelta(seconds=30),
    finished_at=T0,
    reconciled_at=T0 + timedelta(seconds=1),
    operation_infos=OURS,
)
LATER = T0 + timedelta(seconds=10)


def test_a_finished_reconciled_healthy_sync_of_ours_is_done():
    assert verdict(DONE_STATE, EXPECT, LATER).done


def test_a_requested_or_running_operation_is_not_done():
    running = replace(DONE_STATE, operation_requested=True, requested_infos=OURS,
                      phase="Running")
    assert verdict(running, EXPECT, LATER).kind == "waiting"


def test_an_earlier_operation_is_not_ours():
    stale = replace(DONE_STATE, operation_infos={SYNC_ID_INFO: "earlier-run"})
    result = verdict(stale, EXPECT, LATER)
    assert result.kind == "waiting" and "not started" in result.reason


def test_status_not_reconciled_after_the_operation_is_not_done():
    stale = replace(DONE_STATE, reconciled_at=T0 - timedelta(seconds=1))
    assert "reconciled" in verdict(stale, EXPECT, LATER).reason
    assert verdict(replace(DONE_STATE, reconciled_at=None), EXPECT, LATER).kind == "waiting"


def test_status_at_another_revision_than_the_sync_deployed_is_not_done():
    stale = replace(DONE_STATE, sync_revision=OLD)
    assert "status shows revision" in verdict(stale, EXPECT, LATER).reason


def test_a_pinned_commit_must_be_what_the_sync_deployed():
    pinned = Expectation(revision=SHA, sync_id="run-1")
    state = replace(DONE_STATE, target_revision=SHA, compared_revision=SHA)
    assert verdict(state, pinned, LATER).done
    wrong = replace(state, synced_revision=OLD, sync_revision=OLD)
    assert verdict(wrong, pinned, LATER).failed


def test_a_spec_that_targets_another_revision_fails():
    result = verdict(replace(DONE_STATE, target_revision="release"), EXPECT, LATER)
    assert result.failed and "spec is not current" in result.reason


def test_status_compared_against_an_older_spec_is_not_done():
    result = verdict(replace(DONE_STATE, compared_revision="old-branch"), EXPECT, LATER)
    assert result.kind == "waiting" and "older spec" in result.reason


def test_healthy_must_hold_for_the_settle_time():
    assert verdict(DONE_STATE, EXPECT, T0 + timedelta(seconds=2)).kind == "waiting"
    assert verdict(DONE_STATE, EXPECT, T0 + timedelta(seconds=5)).done


def test_a_clock_behind_the_server_waits_a_little_but_never_for_ever():
    # Our clock a few seconds behind the server's: the transition looks slightly in the future,
    # and the hold still applies until our clock has passed it by the settle time.
    assert verdict(DONE_STATE, EXPECT, T0 - timedelta(seconds=3)).kind == "waiting"
    # Far behind (past the skew limit): waiting for our clock to catch up could outlast any
    # timeout, so the hold is skipped as when lastTransitionTime is missing.
    assert verdict(DONE_STATE, EXPECT, T0 - CLOCK_SKEW_LIMIT - timedelta(seconds=1)).done


def test_failed_and_error_operations_fail_fast():
    for phase in ("Failed", "Error"):
        state = replace(DONE_STATE, phase=phase, operation_message="apply failed")
        result = verdict(state, EXPECT, LATER)
        assert result.failed and "apply failed" in result.reason


def test_degraded_after_the_sync_fails_with_its_resources():
    bad = ResourceHealth("Deployment", "apps", "api", "Degraded", "progress deadline")
    state = replace(DONE_STATE, health="Degraded", health_message="deadline",
                    unhealthy=(bad,))
    result = verdict(state, EXPECT, LATER)
    assert result.failed and result.resources == (bad,)


@pytest.mark.parametrize("change", [{"sync_status": "OutOfSync"},
                                    {"conditions": (("ComparisonError", "rpc error"),)}],
                         ids=["out-of-sync", "comparison-error"])
def test_degraded_after_our_reconciled_sync_fails_fast_whatever_the_sync_status(change):
    state = replace(DONE_STATE, health="Degraded", **change)
    assert verdict(state, EXPECT, LATER).failed


def test_the_root_is_judged_by_its_sync_alone():
    for health in ("Degraded", "Suspended", "Progressing"):
        assert sync_verdict(replace(DONE_STATE, health=health), EXPECT).done
    assert sync_verdict(replace(DONE_STATE, sync_status="OutOfSync"), EXPECT).kind == "waiting"
    stale = replace(DONE_STATE, reconciled_at=T0 - timedelta(seconds=1))
    assert sync_verdict(stale, EXPECT).kind == "waiting"
    assert sync_verdict(replace(DONE_STATE, operation_infos={}), EXPECT).kind == "waiting"
    assert sync_verdict(replace(DONE_STATE, phase="Failed"), EXPECT).failed


def test_degraded_before_our_operation_finished_is_only_waiting():
    state = replace(DONE_STATE, health="Degraded", reconciled_at=T0 - timedelta(seconds=5))
    assert verdict(state, EXPECT, LATER).kind == "waiting"


def test_suspended_progressing_and_out_of_sync_are_not_done():
    for change in ({"health": "Suspended"}, {"health": "Progressing"},
                   {"sync_status": "OutOfSync"}, {"health": "Missing"}):
        assert verdict(replace(DONE_STATE, **change), EXPECT, LATER).kind == "waiting"


def test_comparison_errors_block():
    state = replace(DONE_STATE, conditions=(("ComparisonError", "rpc error"),))
    assert "ComparisonError" in verdict(state, EXPECT, LATER).reason
    warning = replace(DONE_STATE, conditions=(("OrphanedResourceWarning", "x"),))
    assert verdict(warning, EXPECT, LATER).done


def test_foreign_operation():
    theirs = replace(DONE_STATE, operation_requested=True, phase="Running",
                     operation_infos={})
    assert foreign_operation(theirs, "run-1")
    assert not foreign_operation(replace(theirs, requested_infos=OURS), "run-1")
    assert not foreign_operation(DONE_STATE, "run-1")


times = st.one_of(st.none(), st.integers(-20, 20).map(lambda s: T0 + timedelta(seconds=s)))
states = st.builds(
    AppState,
    name=st.just("dev-api"),
    target_revision=st.sampled_from(["main", SHA]),
    compared_revision=st.sampled_from([None, "main", SHA, "old"]),
    sync_status=st.sampled_from(["Synced", "OutOfSync", "Unknown", ""]),
    sync_revision=st.sampled_from([SHA, OLD, ""]),
    synced_revision=st.sampled_from([SHA, OLD, ""]),
    health=st.sampled_from(["Healthy", "Progressing", "Degraded", "Suspended", "Missing"]),
    health_since=times,
    reconciled_at=times,
    finished_at=times,
    operation_requested=st.booleans(),
    phase=st.sampled_from(["Succeeded", "Running", "Failed", "Error", "Terminating", ""]),
    operation_infos=st.sampled_from([OURS, {SYNC_ID_INFO: "earlier"}, {}]),
    conditions=st.sampled_from([(), (("ComparisonError", "x"),)]),
)


@given(states, st.sampled_from(["main", SHA]))
def test_done_only_when_every_condition_holds(state, revision):
    expect = Expectation(revision=revision, sync_id="run-1")
    result = verdict(state, expect, LATER)
    if result.done:
        assert not state.operation_requested
        assert state.operation_infos == OURS and state.phase == "Succeeded"
        assert state.sync_status == "Synced" and state.health == "Healthy"
        assert state.sync_revision == state.synced_revision != ""
        assert state.target_revision == revision
        if revision == SHA:
            assert state.synced_revision == SHA
        assert state.finished_at and state.reconciled_at
        assert state.reconciled_at >= state.finished_at
        assert not state.conditions
    ours = not state.operation_requested and state.operation_infos == OURS
    revisions_ok = (
        state.target_revision == revision
        and (revision != SHA or state.synced_revision == SHA)
    )
    reconciled = (
        state.phase == "Succeeded" and revisions_ok
        and state.sync_revision == state.synced_revision != ""
        and state.compared_revision in (None, state.target_revision)
        and state.finished_at is not None and state.reconciled_at is not None
        and state.reconciled_at >= state.finished_at
    )
    if ours and (state.phase in ("Failed", "Error") or (reconciled and
                                                        state.health == "Degraded")):
        assert result.failed
    if result.failed:
        assert ours and (
            state.phase in ("Failed", "Error")
            or (state.phase == "Succeeded" and not revisions_ok)
            or (reconciled and state.health == "Degraded")
        )
