"""Reading Argo CD's Application JSON, and comparing it with the repository."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from gitops_tool.core.argocd.appstatus import AppState, app_state, status_rows
from gitops_tool.core.argocd.rollout import AppTarget

SHA = "c" * 40
APP = {
    "metadata": {
        "name": "prod-api",
        "labels": {"gitops-tool/plane": "control-plane", "gitops-tool/environment": "prod"},
        "annotations": {"argocd.argoproj.io/sync-wave": "20"},
    },
    "operation": {"info": [{"name": "gitops-tool/sync-id", "value": "run-2"}],
                  "initiatedBy": {"username": "alice"}},
    "spec": {
        "project": "ananta-prod",
        "source": {"targetRevision": SHA,
                   "helm": {"parameters": [{"name": "replicas", "value": "2"},
                                           {"name": "image.tag", "value": "2.9.0"}]}},
        "syncPolicy": {"automated": {"prune": True}},
    },
    "status": {
        "sync": {"status": "Synced", "revision": SHA,
                 "comparedTo": {"source": {"targetRevision": SHA}}},
        "health": {"status": "Degraded", "message": "bad",
                   "lastTransitionTime": "2026-01-01T10:00:00Z"},
        "reconciledAt": "2026-01-01T10:00:05Z",
        "operationState": {
            "phase": "Succeeded", "message": "ok", "startedAt": "2026-01-01T09:59:00Z",
            "finishedAt": "2026-01-01T10:00:00Z", "syncResult": {"revision": SHA},
            "operation": {"info": [{"name": "gitops-tool/sync-id", "value": "run-1"}],
                          "initiatedBy": {"automated": True}},
        },
        "conditions": [{"type": "SyncError", "message": "x"}],
        "resources": [
            {"kind": "Deployment", "namespace": "apps", "name": "api",
             "health": {"status": "Degraded", "message": "deadline exceeded"}},
            {"kind": "Service", "name": "api", "health": {"status": "Healthy"}},
            {"kind": "ConfigMap", "name": "cfg"},
        ],
    },
}


def test_app_state_reads_what_status_and_sync_decide_on():
    state = app_state(APP)
    assert (state.name, state.project, state.wave, state.image_tag) == (
        "prod-api", "ananta-prod", "20", "2.9.0")
    assert state.automated and state.target_revision == SHA
    assert (state.sync_status, state.sync_revision, state.compared_revision) == (
        "Synced", SHA, SHA)
    assert state.health_since == datetime(2026, 1, 1, 10, tzinfo=UTC)
    assert state.reconciled_at > state.finished_at
    assert state.operation_requested and state.initiated_by == "alice"
    assert state.carries("run-1") and state.carries("run-2") and not state.carries("x")
    assert state.conditions == (("SyncError", "x"),)
    assert [str(r) for r in state.unhealthy] == [
        "Deployment apps/api: Degraded (deadline exceeded)"]


def test_app_state_of_a_projected_list_item():
    state = app_state({"metadata": {"name": "dev-x"}, "status": {"sync": {"status": "Unknown"}}})
    assert state.name == "dev-x" and state.health == "" and state.compared_revision is None
    assert not state.operation_running and state.unhealthy == ()


def target(name: str, revision: str = "main", tag: str = "1.0") -> AppTarget:
    return AppTarget(name=name, service=name[4:], plane="app-plane", wave=30,
                     project="ananta-dev", namespace="argocd", revision=revision,
                     automated=True, image_tag=tag)


GOOD = AppState(name="dev-api", target_revision="main", sync_status="Synced",
                sync_revision=SHA, health="Healthy", image_tag="1.0", phase="Succeeded")


def test_all_synced_healthy_at_the_branch_with_pinned_tags_is_ok():
    (row,) = status_rows([target("dev-api")], [GOOD])
    assert row.ok and row.revision == SHA and row.last_operation == "Succeeded"


def test_missing_extra_and_mismatched_apps_are_problems():
    rows = status_rows(
        [target("dev-api"), target("dev-gone"), target("dev-tag", tag="2.0")],
        [GOOD, replace(GOOD, name="dev-tag"), replace(GOOD, name="dev-orphan")],
    )
    by_app = {r.app: r for r in rows}
    assert by_app["dev-api"].ok
    assert by_app["dev-gone"].sync == "Missing" and not by_app["dev-gone"].ok
    assert "differs from the pin 2.0" in by_app["dev-tag"].problems[0]
    assert "not in the repository" in by_app["dev-orphan"].problems[0]
    assert [r.app for r in rows] == ["dev-api", "dev-gone", "dev-tag", "dev-orphan"]


def test_a_pinned_commit_is_compared_exactly_a_branch_by_target():
    pinned = target("dev-api", revision=SHA)
    (row,) = status_rows([pinned], [replace(GOOD, target_revision=SHA)])
    assert row.ok
    (row,) = status_rows([pinned], [replace(GOOD, target_revision=SHA, sync_revision="d" * 40)])
    assert "synced to ddddddd, expected ccccccc" in row.problems
    (row,) = status_rows([target("dev-api")], [replace(GOOD, target_revision="old")])
    assert row.problems == ("targets old, the repository says main",)


def test_unhealthy_and_out_of_sync_are_problems():
    (row,) = status_rows([target("dev-api")],
                         [replace(GOOD, sync_status="OutOfSync", health="Degraded")])
    assert row.problems == ("sync is OutOfSync", "health is Degraded")


def test_a_timestamp_without_a_zone_is_read_as_utc():
    from datetime import UTC, datetime

    from gitops_tool.core.argocd.appstatus import parse_time

    assert parse_time("2026-01-02T03:04:05") == datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert parse_time("2026-01-02T03:04:05Z") == datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert parse_time("2026-01-02T04:04:05+01:00") == datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert parse_time("yesterday") is None and parse_time(7) is None
