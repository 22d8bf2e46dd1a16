"""Secrets from a store (issue 14): in staging and prod each chart's Secret comes from an
ExternalSecret whose data is exactly the summary's keys and the keys the containers read, from
ClusterSecretStore ananta-<env> at <env>/<chart>/<key>, hourly; dev keeps the placeholder path.
docs/secrets.md's table is the one scripts/secrets_doc.py builds from these renders."""

from __future__ import annotations

import runpy

import pytest

from tests.support.repo import REPO
from tests.support.repo.helm import Render, Rendered, parse

from .objects import TemplateWith, containers
from .spec import CASE_IDS, CASES, CHARTS, EXTERNAL_SECRETS

pytestmark = pytest.mark.helm

SCRIPT = REPO / "scripts" / "secrets_doc.py"


def read_keys(r: Render) -> set[tuple[str, str]]:
    """(Secret, key) of every secretKeyRef in the render."""
    return {
        (v["valueFrom"]["secretKeyRef"]["name"], v["valueFrom"]["secretKeyRef"]["key"])
        for w in r.workloads
        for c in containers(w)
        for v in c.get("env", [])
    }


@pytest.mark.parametrize(("chart", "env"), CASES, ids=CASE_IDS)
def test_external_secret_holds_exactly_the_keys_read(
    rendered: Rendered, chart: str, env: str
) -> None:
    r, spec = rendered(chart, env), CHARTS[chart]
    externals = r.of_kind("ExternalSecret")
    if not EXTERNAL_SECRETS[env] or not spec.secret_keys:
        assert externals == []
        return
    assert r.of_kind("Secret") == [], "the operator owns the Secret: no placeholder"
    [external] = externals
    assert external["apiVersion"] == "external-secrets.io/v1"
    body = external["spec"]
    assert body["target"]["name"] == spec.secret
    assert body["target"]["creationPolicy"] == "Owner"
    assert body["secretStoreRef"] == {"kind": "ClusterSecretStore", "name": f"ananta-{env}"}
    assert body["refreshInterval"] == "1h"
    keys = [d["secretKey"] for d in body["data"]]
    assert len(keys) == len(set(keys))
    assert set(keys) == spec.secret_keys, "the summary's Secrets Required table"
    assert {(spec.secret, k) for k in keys} == read_keys(r), "what the containers read"
    for item in body["data"]:
        assert item["remoteRef"] == {"key": f"{env}/{chart}/{item['secretKey']}"}


@pytest.mark.parametrize("chart", [c for c, s in CHARTS.items() if s.secret_keys])
def test_prod_reads_the_same_keys_as_staging_under_its_own_prefix(
    rendered: Rendered, chart: str
) -> None:
    def remote(env: str) -> set[str]:
        [external] = rendered(chart, env).of_kind("ExternalSecret")
        return {d["remoteRef"]["key"].split("/", 1)[1] for d in external["spec"]["data"]}

    assert remote("staging") == remote("prod")


def test_store_prefix_and_property_are_values(template_with: TemplateWith) -> None:
    extra = (
        "externalSecrets:\n"
        "  storeName: vault-{{ .Values.environment }}\n"
        "  remoteKeyPrefix: ananta/{{ .Chart.Name }}\n"
        "  remoteProperty: value\n"
        "  refreshInterval: 15m\n"
    )
    r = parse(template_with("audit-logger", "prod", extra))
    [external] = r.of_kind("ExternalSecret")
    assert external["spec"]["secretStoreRef"]["name"] == "vault-prod"
    assert external["spec"]["refreshInterval"] == "15m"
    assert {d["remoteRef"]["key"] for d in external["spec"]["data"]} == {
        f"ananta/audit-logger/{k}" for k in CHARTS["audit-logger"].secret_keys
    }
    assert {d["remoteRef"]["property"] for d in external["spec"]["data"]} == {"value"}


def test_docs_secrets_table_is_current(rendered: Rendered) -> None:
    script = runpy.run_path(str(SCRIPT))
    renders = {chart: rendered(chart, script["ENVIRONMENT"]).docs for chart in sorted(CHARTS)}
    doc = script["DOC"].read_text(encoding="utf-8")
    assert script["with_table"](doc, script["table"](renders)) == doc, (
        "docs/secrets.md is stale: run python3 scripts/secrets_doc.py"
    )
    for chart, spec in CHARTS.items():  # nothing missing: every chart and key is listed
        for key in spec.secret_keys:
            assert f"| `{chart}` | `{spec.secret}` | `{key}` |" in doc, (chart, key)
