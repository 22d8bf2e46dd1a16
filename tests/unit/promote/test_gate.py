"""The gate's verdict per app: every condition of the wait predicate, read once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from gitops_tool.core.apps import AppTarget
from gitops_tool.core.argocd.appstatus import AppState
from gitops_tool.core.promote.gate import GateCheck, gate_for, problems_of, running_commit

COMMIT = "c" * 40
NOW = datetime(2026, 1, 1, tzinfo=UTC)
APP = AppTarget(name="staging-api", service="api", plane="p", wave=1, project="proj",
                namespace="argocd", revision=COMMIT, automated=True, image_tag="2.0")


def _state(**changes) -> AppState:
    base = dict(name="staging-api", target_revision=COMMIT, image_tag="2.0",
                sync_status="Synced", sync_revision=COMMIT, synced_revision=COMMIT,
                health="Healthy", phase="Succeeded",
                finished_at=NOW - timedelta(minutes=5), reconciled_at=NOW)
    return AppState(**{**base, **changes})


def test_a_synced_healthy_reconciled_app_at_the_commit_and_tag_passes():
    assert problems_of(GateCheck(APP, COMMIT), _state(), NOW) == ()
    assert gate_for([GateCheck(APP, COMMIT)], [_state()], NOW).status == "passed"


def test_each_condition_names_itself():
    cases = {
        "sync is OutOfSync": _state(sync_status="OutOfSync"),
        "health is Degraded: boom": _state(health="Degraded", health_message="boom"),
        "an operation is Running": _state(phase="Running"),
        "its last sync Failed": _state(phase="Failed"),
        "runs eeeeeee, expected ccccccc": _state(sync_revision="e" * 40),
        "image tag 1.9, expected 2.0": _state(image_tag="1.9"),
        "targets main": _state(target_revision="main"),
        "not reconciled since the last operation": _state(reconciled_at=NOW - timedelta(hours=1)),
        "not reconciled since the last operation finished": _state(finished_at=None),
        "the last sync deployed eeeeeee": _state(synced_revision="e" * 40),
        "not settled yet": _state(health_since=NOW - timedelta(seconds=2)),
        "compared against an older spec": _state(compared_revision="d" * 40),
        "ComparisonError: x": _state(conditions=(("ComparisonError", "x"),)),
    }
    for says, state in cases.items():
        found = problems_of(GateCheck(APP, COMMIT), state, NOW)
        assert any(says in p for p in found), (says, found)
    gate = gate_for([GateCheck(APP, COMMIT)], [], NOW)
    assert gate.refused and gate.rows[0].problems == ("not found in Argo CD",)


def test_what_branch_tracking_apps_run():
    other = AppTarget(name="staging-web", service="web", plane="p", wave=1, project="proj",
                      namespace="argocd", revision="main", automated=True)
    states = [_state(), _state(name="staging-web")]
    assert running_commit([APP, other], states).commit == COMMIT
    split = running_commit([APP, other], [_state(), _state(name="staging-web",
                                                           sync_revision="f" * 40)])
    assert split.commit == "" and split.disagreeing == {"staging-api": COMMIT,
                                                        "staging-web": "f" * 40}
