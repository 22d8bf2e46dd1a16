"""Every request the client sends and every answer the fake gives follow swagger.json."""

from __future__ import annotations

import pytest
import requests

from gitops_tool.commands import doctor, status, sync
from tests.support.argocd.apps import populate
from tests.support.argocd.contract import Contract
from tests.support.argocd.fake import Fault
from tests.support.argocd.fixtures import SENTINEL

pytestmark = pytest.mark.timeout(60)


@pytest.fixture(scope="module")
def contract(reference_dir) -> Contract:
    return Contract(reference_dir / "argocd" / "swagger.json")


def test_the_client_speaks_the_swagger_contract(contract, fake, tree, tree_root, runtime):
    for env in ("dev", "prod"):
        populate(fake, tree, env)
    fake.start_operation("dev-api", polls=1)
    fake.fault("GET /api/v1/applications/{name}", Fault(503))
    fake.fault("POST /api/v1/applications/dev-portal/sync", Fault(503, apply=True))
    fake.apps["dev-worker"].outcome = "degraded"
    status.run(status.StatusOptions(tree_root, "dev"), runtime)
    assert sync.run(sync.SyncOptions(tree_root, "prod", apps=("api",)), runtime).outcome == "done"
    assert sync.run(sync.SyncOptions(tree_root, "dev"), runtime).outcome == "failed"
    doctor.run(doctor.DoctorOptions(tree_root, "dev"), runtime)
    routes = {f"{r.method} {r.route}" for r in fake.records}
    assert routes >= {
        "GET /api/version", "GET /api/v1/settings", "GET /api/v1/session/userinfo",
        "GET /api/v1/applications", "GET /api/v1/applications/{name}",
        "POST /api/v1/applications/{name}/sync", "GET /api/v1/applications/{name}/syncwindows",
        "GET /api/v1/projects/{name}",
    }
    assert contract.record_problems(fake.records) == []
    for r in fake.records:  # matrix row 7: every app call names its project
        if r.route and r.route.startswith("/api/v1/applications/"):
            assert r.query.get("project") or (r.body or {}).get("project"), r.path


def test_every_fake_answer_has_the_swagger_shape(contract, fake, tree):
    populate(fake, tree, "dev")
    fake.start_operation("dev-api", polls=5)
    headers = {"Authorization": f"Bearer {SENTINEL}"}
    for method, path in [
        ("GET", "/api/v1/applications?selector=gitops-tool/environment%3Ddev"),
        ("GET", "/api/v1/applications/dev-api?refresh=hard"),
        ("GET", "/api/v1/applications/dev-api?project=ananta-dev"),
        ("GET", "/api/v1/applications/dev-api/syncwindows?project=ananta-dev"),
        ("DELETE", "/api/v1/applications/dev-api/operation?project=ananta-dev"),
        ("DELETE", "/api/v1/applications/dev-portal/operation?project=ananta-dev"),
        ("GET", "/api/v1/applications/nope?project=ananta-dev"),
        ("GET", "/api/v1/projects/ananta-dev"),
        ("GET", "/api/v1/projects/nope"),
    ]:
        requests.request(method, fake.url + path, headers=headers, timeout=5)
    requests.get(fake.url + "/api/version", timeout=5)  # no token: 401
    assert [r.status for r in fake.records] == [200, 200, 200, 200, 200, 400, 404, 200, 404,
                                                401]
    assert contract.record_problems(fake.records) == []


def test_the_checker_catches_what_swagger_forbids(contract):
    sync_path = "/api/v1/applications/dev-api/sync"
    assert contract.request_problems("POST", sync_path, {}, {
        "name": "dev-api", "syncOption": {"items": ["A=true"]}}) == [
        f"POST {sync_path} body: undeclared key syncOption"]
    assert "is not of type 'boolean'" in contract.request_problems(
        "POST", sync_path, {}, {"prune": "yes"})[0]
    assert contract.request_problems("POST", sync_path, {}, {
        "infos": [{"name": "a", "valeu": "b"}]}) == [
        f"POST {sync_path} body: undeclared key infos[0].valeu"]
    assert contract.request_problems("GET", "/api/v1/applications/x", {"prject": ["a"]},
                                     None) == [
        "GET /api/v1/applications/x: undeclared query parameter 'prject'"]
    assert contract.request_problems("GET", "/api/v1/applications/x/sync", {}, None) == [
        "GET /api/v1/applications/x/sync: no such operation in swagger.json"]
    assert contract.request_problems("GET", "/api/v1/applications",
                                     {"selector": ["a", "b"]}, None) == [
        "GET /api/v1/applications: 'selector' is not repeatable"]
    answer = {"metadata": {"name": "x"}, "status": {"helth": {"status": "Healthy"}}}
    assert contract.response_problems("GET", "/api/v1/applications/x", 200, answer) == [
        "GET /api/v1/applications/x -> 200: undeclared key status.helth"]
    assert contract.response_problems("GET", "/api/version", 503, {"code": "x"})
