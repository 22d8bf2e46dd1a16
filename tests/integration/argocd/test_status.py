"""`status ENV` against the fake: one request, expected vs live."""

from __future__ import annotations

import json

import pytest

from gitops_tool.commands import status
from gitops_tool.output.status import status_json, status_table
from tests.support.argocd.apps import populate
from tests.support.argocd.fake import FakeArgo
from tests.support.trees import PINNED

pytestmark = pytest.mark.timeout(30)
LIST = "GET /api/v1/applications"


def run(tree_root, runtime, env="dev") -> status.StatusResult:
    return status.run(status.StatusOptions(tree_root, env), runtime)


def test_all_synced_and_healthy_is_ok_with_one_request(fake, tree, tree_root, runtime):
    populate(fake, tree, "dev")
    populate(fake, tree, "staging")
    result = run(tree_root, runtime)
    assert result.ok and [r.app for r in result.rows] == [
        "dev-cert-manager", "dev-ingress", "dev-api", "dev-worker", "dev-portal"]
    (request,) = fake.records
    assert request.query["selector"] == ["gitops-tool/environment=dev"]
    assert request.query["projects"] == ["ananta-dev"]
    assert request.query["fields"][0].startswith("items.metadata.name,")
    row = result.rows[2]
    assert (row.plane, row.wave, row.sync, row.health, row.image_tag, row.pin) == (
        "control-plane", 20, "Synced", "Healthy", "1.0.0", "1.0.0")
    assert row.last_operation.startswith("Succeeded 2025-12-31T23:00:00Z")
    assert "dev: 5 of 5 applications Synced and Healthy at main" in status_table(result)


def test_missing_unhealthy_drifted_and_leftover_apps_are_reported(fake, tree, tree_root,
                                                                 runtime):
    populate(fake, tree, "dev", skip=("portal",))
    fake.apps["dev-api"].health = "Degraded"
    fake.apps["dev-worker"].image_tag = "0.9.0"
    fake.apps["dev-ingress"].sync_status = "OutOfSync"
    fake.add_app("dev-old", "ananta-dev", labels={"gitops-tool/environment": "dev",
                                                  "gitops-tool/plane": "app-plane"})
    result = run(tree_root, runtime)
    problems = {r.app: r.problems for r in result.rows if not r.ok}
    assert not result.ok and set(problems) == {"dev-api", "dev-worker", "dev-ingress",
                                               "dev-portal", "dev-old"}
    assert problems["dev-portal"] == ("not found in Argo CD (sync the root Application)",)
    assert "image tag 0.9.0 differs from the pin 1.4.0" in problems["dev-worker"]
    data = json.loads(status_json(result))
    assert data["ok"] is False
    assert {a["app"]: a["sync"] for a in data["apps"]}["dev-portal"] == "Missing"


def test_a_pinned_revision_is_compared_exactly(fake, tree, tree_root, runtime):
    populate(fake, tree, "prod")
    assert run(tree_root, runtime, "prod").ok
    fake.apps["prod-api"].sync_revision = "e" * 40
    (row,) = [r for r in run(tree_root, runtime, "prod").rows if r.app == "prod-api"]
    assert row.problems == (f"synced to eeeeeee, expected {PINNED[:7]}",)


@pytest.mark.parametrize("count", [10, 300])
def test_the_request_count_does_not_grow_with_the_apps(count, runtime, tree, tree_root,
                                                       start_fake):
    server: FakeArgo = start_fake()
    runtime.env = dict(runtime.env, ARGOCD_SERVER=server.url)
    for i in range(count):
        server.add_app(f"dev-extra-{i:04}", "ananta-dev",
                       labels={"gitops-tool/environment": "dev"})
    result = run(tree_root, runtime)
    assert len(server.records) == 1 and len(result.rows) == count + 5
