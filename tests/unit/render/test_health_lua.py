"""The Application health check in argocd-cm, run in a real Lua interpreter (lupa).

Argo CD runs it with gopher-lua (Lua 5.1) and the live Application as `obj`.
"""

from __future__ import annotations

from typing import Any

import pytest

from gitops_tool.core.render.bootstrap import APPLICATION_HEALTH_LUA

lupa = pytest.importorskip("lupa", reason="lupa (a Lua runtime for Python) is not installed")

SOURCE = {
    "repoURL": "https://git.example.com/r.git",
    "path": "charts/api",
    "targetRevision": "c" * 40,
    "helm": {"parameters": [{"name": "image.tag", "value": "1.2.0", "forceString": True}]},
}
DESTINATION = {"server": "https://kubernetes.default.svc", "namespace": "ns-dev"}


def _table(lua: Any, value: Any) -> Any:
    """`value` as Lua data: dicts and lists become tables (lists 1-based)."""
    if isinstance(value, dict):
        return lua.table(**{k: _table(lua, v) for k, v in value.items()})
    if isinstance(value, list):
        return lua.table(*[_table(lua, v) for v in value])
    return value


def health(obj: dict[str, Any]) -> tuple[str, str]:
    lua = lupa.LuaRuntime(unpack_returned_tuples=True)
    lua.globals().obj = _table(lua, obj)
    result = lua.execute(APPLICATION_HEALTH_LUA)
    return result["status"], result["message"]


def app(
    health_status: str | None = "Healthy",
    sync: str = "Synced",
    compared: dict | None = None,
    automated: bool = True,
    **extra: Any,
) -> dict[str, Any]:
    spec: dict[str, Any] = {"source": SOURCE, "destination": DESTINATION, "syncPolicy": {}}
    if automated:
        spec["syncPolicy"]["automated"] = {"prune": True, "selfHeal": True}
    status: dict[str, Any] = {
        "sync": {
            "status": sync,
            "comparedTo": compared or {"source": SOURCE, "destination": DESTINATION},
        }
    }
    if health_status:
        status["health"] = {"status": health_status, "message": "all good"}
    return {"spec": spec, "status": status, **extra}


def test_healthy_current_child_is_healthy() -> None:
    assert health(app()) == ("Healthy", "all good")


def test_no_status_yet_is_progressing() -> None:
    assert health({"spec": {"source": SOURCE}})[0] == "Progressing"


def test_stale_verdict_about_an_older_spec_is_progressing() -> None:
    old = {**SOURCE, "targetRevision": "b" * 40}
    status, message = health(app(compared={"source": old, "destination": DESTINATION}))
    assert (status, message) == ("Progressing", "status predates the current spec")
    moved = {**DESTINATION, "namespace": "elsewhere"}
    assert health(app(compared={"source": SOURCE, "destination": moved}))[0] == "Progressing"


def test_running_or_requested_operation_is_progressing() -> None:
    running = app(status=None)
    running["status"] = app()["status"] | {"operationState": {"phase": "Running"}}
    assert health(running)[0] == "Progressing"
    assert health(app(operation={"sync": {}}))[0] == "Progressing"


def test_auto_synced_child_out_of_sync_or_missing_is_progressing() -> None:
    assert health(app(sync="OutOfSync"))[0] == "Progressing"
    assert health(app(health_status="Missing"))[0] == "Progressing"


def test_manual_child_out_of_sync_or_missing_does_not_block_the_waves() -> None:
    # prod: nobody syncs it but `gitops-tool sync`; the root must not wait for it forever
    pending = ("Healthy", "manual sync pending")
    assert health(app(sync="OutOfSync", automated=False)) == pending
    assert health(app(health_status="Missing", automated=False)) == pending
    disabled = app(sync="OutOfSync")
    disabled["spec"]["syncPolicy"]["automated"]["enabled"] = False
    assert health(disabled) == pending
    # a synced manual child reports its own health; the stale-status guard still applies
    assert health(app(health_status="Degraded", automated=False))[0] == "Degraded"
    old = {**SOURCE, "targetRevision": "b" * 40}
    stale = app(sync="OutOfSync", automated=False, compared={"source": old})
    assert health(stale)[0] == "Progressing"


def _failed(phase: str, tried: str, current: str) -> dict[str, Any]:
    child = app(sync="OutOfSync")
    child["status"]["sync"]["revision"] = current
    child["status"]["operationState"] = {
        "phase": phase,
        "message": "one or more objects failed to apply",
        "operation": {"sync": {"revision": tried}},
    }
    return child


def test_auto_synced_child_whose_sync_failed_is_degraded() -> None:
    for phase in ("Failed", "Error"):
        status, message = health(_failed(phase, "c" * 40, "c" * 40))
        assert status == "Degraded"
        assert "one or more objects failed to apply" in message
    # a newer commit than the failed one: auto-sync will try it, so it is still pending
    assert health(_failed("Failed", "b" * 40, "c" * 40))[0] == "Progressing"


def test_degraded_is_passed_through() -> None:
    assert health(app(health_status="Degraded"))[0] == "Degraded"
