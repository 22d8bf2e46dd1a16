"""GT-NET-001 and GT-ESO-001 on rendered documents: which pods a NetworkPolicy isolates, and
which Secret keys an ExternalSecret must write."""

from __future__ import annotations

from typing import Any

import pytest

from gitops_tool.core.validate.platform import external_secret_findings, network_findings

LABELS = {"app": "api", "tier": "backend"}


def deployment(containers: list[dict[str, Any]], volumes: list[dict[str, Any]] | None = None
               ) -> dict[str, Any]:
    pod: dict[str, Any] = {"containers": containers}
    if volumes:
        pod["volumes"] = volumes
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "api"},
            "spec": {"template": {"metadata": {"labels": LABELS}, "spec": pod}}}


def policy(selector: dict[str, Any] | None, types: list[str] | None = None) -> dict[str, Any]:
    spec: dict[str, Any] = {"podSelector": selector if selector is not None else {}}
    if types is not None:
        spec["policyTypes"] = types
    return {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
            "metadata": {"name": "p"}, "spec": spec}


APP = deployment([{"name": "app", "image": "x:1"}])


@pytest.mark.parametrize(
    ("policies", "isolated"),
    [
        ([policy({"matchLabels": {"app": "api"}})], True),
        ([policy({})], True),  # an empty podSelector selects every pod of the namespace
        ([policy({"matchLabels": {"app": "api"}}, ["Ingress", "Egress"])], True),
        ([policy({"matchExpressions": [{"key": "tier", "operator": "In",
                                         "values": ["backend"]}]})], True),
        ([policy({"matchLabels": {"app": "web"}})], False),  # other pods
        ([policy({"matchLabels": {"app": "api"}}, ["Egress"])], False),  # ingress left open
        ([], False),
    ],
)
def test_a_workload_needs_a_policy_governing_its_ingress(policies, isolated):
    found = network_findings([APP, *policies], "api", "prod", required=True)
    assert [f.rule for f in found] == ([] if isolated else ["GT-NET-001"])
    assert all(f.object == "Deployment/api" and f.environment == "prod" for f in found)


def test_the_first_stage_may_leave_pods_open():
    assert network_findings([APP], "api", "dev", required=False) == []


def external_secret(keys: list[str], target: str | None = "api-secrets",
                    data_from: bool = False) -> dict[str, Any]:
    spec: dict[str, Any] = {"secretStoreRef": {"kind": "ClusterSecretStore", "name": "s"},
                            "data": [{"secretKey": k, "remoteRef": {"key": f"prod/api/{k}"}}
                                     for k in keys]}
    if target is not None:
        spec["target"] = {"name": target}
    if data_from:
        spec["dataFrom"] = [{"extract": {"key": "prod/api"}}]
    return {"apiVersion": "external-secrets.io/v1", "kind": "ExternalSecret",
            "metadata": {"name": "api-secrets"}, "spec": spec}


def reads(key: str, secret: str = "api-secrets", optional: bool = False) -> dict[str, Any]:
    ref: dict[str, Any] = {"name": secret, "key": key}
    if optional:
        ref["optional"] = True
    return {"name": key.upper().replace("-", "_"), "valueFrom": {"secretKeyRef": ref}}


def test_a_key_read_but_not_written_is_a_finding_naming_container_key_and_secret():
    app = deployment([{"name": "app", "env": [reads("db-password"), reads("jwt-secret")]}])
    found = external_secret_findings([app, external_secret(["db-password"])], "api", "prod")
    assert [(f.rule, f.container) for f in found] == [("GT-ESO-001", "app")]
    assert "'jwt-secret'" in found[0].message and "ExternalSecret/api-secrets" in found[0].message


@pytest.mark.parametrize(
    "docs",
    [
        # every key read is written
        [deployment([{"name": "app", "env": [reads("a"), reads("b")]}]),
         external_secret(["a", "b", "c"])],
        # an optional reference may be missing
        [deployment([{"name": "app", "env": [reads("a"), reads("z", optional=True)]}]),
         external_secret(["a"])],
        # another Secret (existingSecret created elsewhere): not this rule's business
        [deployment([{"name": "app", "env": [reads("a", secret="other")]}]),
         external_secret([])],
        # dataFrom: the keys cannot be known here
        [deployment([{"name": "app", "env": [reads("a")]}]), external_secret([], data_from=True)],
        # no ExternalSecret at all (dev keeps its placeholder Secret)
        [deployment([{"name": "app", "env": [reads("a")]}])],
    ],
)
def test_what_is_not_a_finding(docs):
    assert external_secret_findings(docs, "api", "prod") == []


def test_the_target_defaults_to_the_external_secrets_name_and_volumes_count():
    volume = {"name": "certs", "secret": {"secretName": "api-secrets",
                                          "items": [{"key": "tls-key", "path": "tls.key"}]}}
    app = deployment([{"name": "app", "volumeMounts": [{"name": "certs", "mountPath": "/c"}]},
                      {"name": "side"}], [volume])
    found = external_secret_findings([app, external_secret([], target=None)], "api", "prod")
    assert [(f.container, f.rule) for f in found] == [("app", "GT-ESO-001")]
    assert "'tls-key'" in found[0].message
