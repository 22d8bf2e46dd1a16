"""Every rendered document validates, strictly (unknown fields are errors): Kubernetes kinds
against the Kubernetes 1.37 JSON schemas of kubernetes-validate, ServiceMonitor and
PrometheusRule (prometheus-operator 0.93) and ExternalSecret (external-secrets.io/v1) against
their CRDs in ../shared/reference/crds, closed where they list their properties."""

from __future__ import annotations

import copy
import functools
import re
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import pytest
import yaml
from kubernetes_validate import utils as kv_utils
from referencing import Registry, Resource

from gitops_tool.core.validate.argocd import closed_schema
from tests.support.repo.helm import Rendered

from .spec import CASE_IDS, CASES

pytestmark = pytest.mark.helm

KUBERNETES = "1.37"
SCHEMAS = f"kubernetes-json-schema/v{KUBERNETES}.0-local-strict"  # inside kubernetes-validate
CRDS = {
    ("monitoring.coreos.com/v1", "ServiceMonitor"): "monitoring.coreos.com_servicemonitors.yaml",
    ("monitoring.coreos.com/v1", "PrometheusRule"): "monitoring.coreos.com_prometheusrules.yaml",
    ("external-secrets.io/v1", "ExternalSecret"): "external-secrets.io_externalsecrets.yaml",
}


@pytest.fixture(scope="session")
def crd_validators(reference_dir: Path) -> dict[tuple[str, str], jsonschema.Validator]:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    found = {}
    for (api_version, kind), name in CRDS.items():
        crd = yaml.load((reference_dir / "crds" / name).read_text(), Loader=loader)
        assert crd["spec"]["names"]["kind"] == kind
        [version] = [v for v in crd["spec"]["versions"]
                     if f"{crd['spec']['group']}/{v['name']}" == api_version]
        assert version["served"], api_version
        found[api_version, kind] = jsonschema.Draft7Validator(
            closed_schema(version["schema"]["openAPIV3Schema"])
        )
    return found


@functools.cache
def _definitions() -> Resource:
    definitions = kv_utils.schema_contents(f"{SCHEMAS}/_definitions.json", KUBERNETES)
    return Resource.from_contents(definitions)


@functools.cache
def kubernetes_validator(api_version: str, kind: str) -> jsonschema.Validator:
    """kubernetes-validate's strict schema of a kind, built once (its validate() reloads the
    shared definitions on every call: seconds per chart). Same files, same resolution."""
    # kubernetes-validate's file names: networking.k8s.io/v1 -> networking-v1, v1 -> v1
    group_version = re.sub(r"^([^./]*)(?:\.[^/]*)?/", r"\1-", api_version)
    name = f"{SCHEMAS}/{kind.lower()}-{group_version}.json"
    schema = kv_utils.schema_contents(name, KUBERNETES)
    registry = Resource.from_contents(schema) @ (_definitions() @ Registry())
    return jsonschema.Draft202012Validator(schema, registry=registry)


def problems(doc: dict[str, Any], crds: dict[tuple[str, str], jsonschema.Validator]) -> list[str]:
    key = (doc["apiVersion"], doc["kind"])
    validator = crds.get(key) or kubernetes_validator(*key)
    return [
        f"{doc['kind']}/{doc['metadata']['name']}: "
        f"{'.'.join(str(p) for p in e.absolute_path) or '(top)'}: {e.message}"
        for e in validator.iter_errors(doc)
    ]


@pytest.mark.parametrize(("chart", "env"), CASES, ids=CASE_IDS)
def test_every_document_validates_strictly(
    rendered: Rendered, chart: str, env: str, crd_validators: dict
) -> None:
    found = [p for doc in rendered(chart, env).docs for p in problems(doc, crd_validators)]
    assert found == []


def test_the_cached_validators_agree_with_kubernetes_validate(rendered: Rendered) -> None:
    """One document of each Kubernetes kind, checked both ways, valid and broken."""
    seen: dict[str, dict[str, Any]] = {}
    for chart, env in CASES:
        for doc in rendered(chart, env).docs:
            if (doc["apiVersion"], doc["kind"]) not in CRDS:
                seen.setdefault(doc["kind"], doc)
    assert {"NetworkPolicy", "Deployment", "StatefulSet", "ConfigMap", "Service"} <= set(seen)
    for doc in seen.values():
        assert kubernetes_validate.validate(doc, KUBERNETES, strict=True)
        assert problems(doc, {}) == []
        broken = copy.deepcopy(doc)
        broken["spec" if "spec" in broken else "metadata"]["unknownField"] = 1
        with pytest.raises(kubernetes_validate.ValidationError):
            kubernetes_validate.validate(broken, KUBERNETES, strict=True)
        assert problems(broken, {}), doc["kind"]


MISTAKES = {
    "NetworkPolicy": lambda d: d["spec"]["egress"][0].update(too=[]),  # "to" misspelt
    "ExternalSecret": lambda d: d["spec"]["data"][0]["remoteRef"].update(name="x"),
    "PrometheusRule": lambda d: d["spec"]["groups"][0]["rules"][0].update(duration="5m"),
    "ServiceMonitor": lambda d: d["spec"]["endpoints"][0].update(scrapeInterval="30s"),
}


@pytest.mark.parametrize("kind", MISTAKES)
def test_an_unknown_field_fails(rendered: Rendered, kind: str, crd_validators: dict) -> None:
    [doc] = rendered("tenant-management-service", "prod").of_kind(kind)
    assert problems(doc, crd_validators) == []
    broken = copy.deepcopy(doc)
    MISTAKES[kind](broken)
    assert problems(broken, crd_validators), f"{kind}: a misspelt field passed"
