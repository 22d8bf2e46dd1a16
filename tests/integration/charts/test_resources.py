"""The other resources of every chart x environment, and the environment rules (issue 2)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from gitops_tool.adapters import helm
from tests.support.repo.helm import Render, Rendered, parse

from .objects import (
    CHARTS_DIR,
    containers,
    parallel,
    pod_spec,
    quantity,
    selector_matches,
    values_files,
)
from .spec import (
    CASE_IDS,
    CASES,
    CHARTS,
    CLUSTER_ISSUER,
    EXTERNAL_SECRETS,
    HOST_PATTERN,
    LOG_LEVEL,
    NAMESPACE,
    PINNED_TAG,
    REQUIRED_LABELS,
    SELECTOR_KEYS,
    resource_name,
)

pytestmark = pytest.mark.helm
DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
CREDENTIAL_KEY = re.compile(r"PASSWORD|PASSWD|PWD|SECRET|TOKEN|API_KEY|PRIVATE", re.IGNORECASE)


def pod_labels(workload: dict[str, Any]) -> dict[str, str]:
    return workload["spec"]["template"]["metadata"]["labels"]


def hpa_by_target(r: Render) -> dict[str, dict[str, Any]]:
    return {h["spec"]["scaleTargetRef"]["name"]: h for h in r.of_kind("HorizontalPodAutoscaler")}


@pytest.mark.parametrize(("chart", "env"), CASES, ids=CASE_IDS)
def test_hpa_when_autoscaling_and_then_no_replicas(
    rendered: Rendered, chart: str, env: str
) -> None:
    r = rendered(chart, env)
    hpas = hpa_by_target(r)
    deployments = {d["metadata"]["name"]: d for d in r.of_kind("Deployment")}
    assert set(hpas) <= set(deployments), "an HPA targets a missing Deployment"
    for name, deployment in deployments.items():
        if name not in hpas:
            assert deployment["spec"]["replicas"] >= 1
            continue
        hpa = hpas[name]
        assert hpa["apiVersion"] == "autoscaling/v2"
        assert hpa["spec"]["scaleTargetRef"]["kind"] == "Deployment"
        assert "replicas" not in deployment["spec"], "Argo CD and the HPA would fight"
        assert 1 <= hpa["spec"]["minReplicas"] <= hpa["spec"]["maxReplicas"]
        targets = {
            m["resource"]["name"]: m["resource"]["target"]
            for m in hpa["spec"]["metrics"]
            if m["type"] == "Resource"
        }
        assert set(targets) == {"cpu", "memory"}
        assert all(t["type"] == "Utilization" and t["averageUtilization"] for t in targets.values())
    for statefulset in r.of_kind("StatefulSet"):
        assert statefulset["metadata"]["name"] not in hpas
        assert statefulset["spec"]["replicas"] >= 1


@pytest.mark.parametrize(("chart", "env"), CASES, ids=CASE_IDS)
def test_replicas_and_autoscaling_per_environment(rendered: Rendered, chart: str, env: str) -> None:
    r = rendered(chart, env)
    hpas = hpa_by_target(r)
    for deployment in r.of_kind("Deployment"):
        name = deployment["metadata"]["name"]
        if env == "dev":
            assert name not in hpas and deployment["spec"]["replicas"] == 1
        elif env == "staging":
            assert hpas[name]["spec"]["minReplicas"] == 2
        else:
            staging_max = hpa_by_target(rendered(chart, "staging"))[name]["spec"]["maxReplicas"]
            assert hpas[name]["spec"]["minReplicas"] >= 3
            assert hpas[name]["spec"]["maxReplicas"] > staging_max, "higher limits in prod"
    for statefulset in r.of_kind("StatefulSet"):  # never autoscaled: replicas per environment
        replicas = statefulset["spec"]["replicas"]
        assert replicas >= 3 if env == "prod" else replicas == {"dev": 1, "staging": 2}[env]


@pytest.mark.parametrize(("chart", "env"), CASES, ids=CASE_IDS)
def test_pod_anti_affinity_per_environment(rendered: Rendered, chart: str, env: str) -> None:
    for workload in rendered(chart, env).workloads:
        anti = pod_spec(workload)["affinity"]["podAntiAffinity"]
        if env == "prod":
            assert set(anti) == {"requiredDuringSchedulingIgnoredDuringExecution"}
            terms = anti["requiredDuringSchedulingIgnoredDuringExecution"]
        else:
            assert set(anti) == {"preferredDuringSchedulingIgnoredDuringExecution"}
            terms = [
                t["podAffinityTerm"]
                for t in anti["preferredDuringSchedulingIgnoredDuringExecution"]
            ]
        for term in terms:
            assert term["topologyKey"] == "kubernetes.io/hostname"
            assert selector_matches(term["labelSelector"]["matchLabels"], pod_labels(workload))


@pytest.mark.parametrize(("chart", "env"), CASES, ids=CASE_IDS)
def test_pod_disruption_budgets(rendered: Rendered, chart: str, env: str) -> None:
    r = rendered(chart, env)
    budgets = r.of_kind("PodDisruptionBudget")
    assert len(budgets) == len(r.workloads)
    for workload in r.workloads:
        [pdb] = [
            b
            for b in budgets
            if selector_matches(b["spec"]["selector"]["matchLabels"], pod_labels(workload))
        ]
        assert pdb["apiVersion"] == "policy/v1"
        bounds = {k: v for k, v in pdb["spec"].items() if k in ("minAvailable", "maxUnavailable")}
        expected = {
            "dev": {"maxUnavailable": 1},
            "staging": {"minAvailable": 1},
            "prod": {"minAvailable": 2},
        }[env]
        assert bounds == expected


@pytest.mark.parametrize(("chart", "env"), CASES, ids=CASE_IDS)
def test_resources_per_environment(rendered: Rendered, chart: str, env: str) -> None:
    if env == "staging":
        return  # staging carries the summary's defaults (test_workloads)
    r, staging = rendered(chart, env), rendered(chart, "staging")
    for workload in r.workloads:
        other = staging.get(workload["kind"], workload["metadata"]["name"])
        mains = pod_spec(workload)["containers"], pod_spec(other)["containers"]
        for mine, theirs in zip(*mains, strict=True):  # init containers: fixed, small
            for bound in ("requests", "limits"):
                for resource in ("cpu", "memory"):
                    a = quantity(mine["resources"][bound][resource])
                    b = quantity(theirs["resources"][bound][resource])
                    assert a < b if env == "dev" else a > b, (bound, resource, env)


@pytest.mark.parametrize(("chart", "env"), CASES, ids=CASE_IDS)
def test_service_monitors_for_the_monitoring_table(
    rendered: Rendered, chart: str, env: str
) -> None:
    r, spec = rendered(chart, env), CHARTS[chart]
    monitors = r.of_kind("ServiceMonitor")
    if spec.metrics_port is None:
        assert monitors == []
        return
    [monitor] = monitors
    assert monitor["apiVersion"] == "monitoring.coreos.com/v1"
    [endpoint] = monitor["spec"]["endpoints"]
    assert endpoint["path"] == "/metrics"
    selected = [
        s
        for s in r.of_kind("Service")
        if selector_matches(monitor["spec"]["selector"]["matchLabels"], s["metadata"]["labels"])
    ]
    [service] = selected
    [port] = [p for p in service["spec"]["ports"] if p["name"] == endpoint["port"]]
    assert port["port"] == spec.metrics_port


@pytest.mark.parametrize(("chart", "env"), CASES, ids=CASE_IDS)
def test_service_account_without_token(rendered: Rendered, chart: str, env: str) -> None:
    r = rendered(chart, env)
    [account] = r.of_kind("ServiceAccount")
    assert account["automountServiceAccountToken"] is False
    for workload in r.workloads:
        assert pod_spec(workload)["serviceAccountName"] == account["metadata"]["name"]
        assert pod_spec(workload)["automountServiceAccountToken"] is False


@pytest.mark.parametrize(("chart", "env"), CASES, ids=CASE_IDS)
def test_ingress_on_the_environments_domain(rendered: Rendered, chart: str, env: str) -> None:
    r, spec = rendered(chart, env), CHARTS[chart]
    expected = {
        HOST_PATTERN[env].format(comp.host): resource_name(chart, component)
        for component, comp in spec.components.items()
        if comp.host
    }
    ingresses = r.of_kind("Ingress")
    hosts = {}
    for ingress in ingresses:
        assert ingress["spec"]["ingressClassName"] == "nginx"
        annotations = ingress["metadata"]["annotations"]
        assert annotations["cert-manager.io/cluster-issuer"] == CLUSTER_ISSUER[env]
        [rule] = ingress["spec"]["rules"]
        [tls] = ingress["spec"]["tls"]
        assert tls["hosts"] == [rule["host"]] and tls["secretName"]
        [path] = rule["http"]["paths"]
        backend = path["backend"]["service"]
        service = r.get("Service", backend["name"])
        assert backend["port"]["name"] in {p["name"] for p in service["spec"]["ports"]}
        hosts[rule["host"]] = backend["name"]
    assert hosts == expected
    if spec.kind == "worker":
        assert ingresses == []


@pytest.mark.parametrize(("chart", "env"), CASES, ids=CASE_IDS)
def test_config_maps_and_secret_references(rendered: Rendered, chart: str, env: str) -> None:
    r, spec = rendered(chart, env), CHARTS[chart]
    read: set[tuple[str, str]] = set()
    for workload in r.workloads:
        for container in pod_spec(workload)["containers"]:
            [source] = container["envFrom"]
            config = r.get("ConfigMap", source["configMapRef"]["name"])
            assert config["data"]["LOG_LEVEL"] == LOG_LEVEL[env]
            assert not [k for k in config["data"] if CREDENTIAL_KEY.search(k)], "a credential?"
        for container in containers(workload):
            for variable in container.get("env", []):
                assert "value" not in variable, f"literal env var {variable['name']}"
                ref = variable["valueFrom"]["secretKeyRef"]
                read.add((ref["name"], ref["key"]))
    assert read == {(spec.secret, key) for key in spec.secret_keys}


def assert_placeholder(r: Render, name: str, keys: set[str]) -> None:
    """The render's one Secret is a placeholder named `name` for exactly `keys`, with no data,
    that Helm and Argo CD keep, and every secretKeyRef reads it."""
    [secret] = r.of_kind("Secret")
    assert secret["metadata"]["name"] == name
    assert not {"data", "stringData"} & secret.keys(), "a placeholder carries no values"
    annotations = secret["metadata"]["annotations"]
    assert set(annotations["ananta.io/required-keys"].split(",")) == keys
    assert annotations["ananta.io/placeholder"]
    assert annotations["helm.sh/resource-policy"] == "keep"
    options = {o.strip() for o in annotations["argocd.argoproj.io/sync-options"].split(",")}
    assert options == {"Prune=false", "Delete=false"}, "hand-filled values survive Argo CD"
    for workload in r.workloads:
        for container in containers(workload):
            for variable in container.get("env", []):
                assert variable["valueFrom"]["secretKeyRef"]["name"] == name


@pytest.mark.parametrize(("chart", "env"), CASES, ids=CASE_IDS)
def test_placeholder_secret_where_no_external_secret_fills_it(
    rendered: Rendered, chart: str, env: str
) -> None:
    """The issue: the placeholder stays in dev (ExternalSecrets off), under the chart's
    existingSecret name; where ExternalSecrets are on there is none."""
    r, spec = rendered(chart, env), CHARTS[chart]
    if EXTERNAL_SECRETS[env] or not spec.secret_keys:
        assert r.of_kind("Secret") == []
        return
    assert r.of_kind("ExternalSecret") == []
    assert_placeholder(r, spec.secret, spec.secret_keys)


@pytest.mark.parametrize("chart", [c for c, s in CHARTS.items() if s.secret_keys])
def test_no_placeholder_when_the_secret_comes_from_elsewhere(
    built: str, chart: str, tmp_path: Path
) -> None:
    chart_dir = CHARTS_DIR / chart
    r = parse(
        helm.template(
            built, chart_dir, chart, NAMESPACE["dev"], values_files(chart_dir, "dev"),
            {"image.tag": PINNED_TAG},
        )
    )
    assert r.of_kind("Secret") != []
    off = tmp_path / "no-placeholder.yaml"
    off.write_text("secrets:\n  placeholder: false\n")
    r = parse(
        helm.template(
            built, chart_dir, chart, NAMESPACE["dev"], [*values_files(chart_dir, "dev"), off],
            {"image.tag": PINNED_TAG},
        )
    )
    assert r.of_kind("Secret", "ExternalSecret") == []


@pytest.fixture(scope="module")
def without_existing_secret(built: str) -> dict[tuple[str, str], helm.HelmRun]:
    """`helm template` of every chart x environment with secrets.existingSecret unset."""

    def render(case: tuple[str, str]) -> helm.HelmRun:
        chart, env = case
        chart_dir = CHARTS_DIR / chart
        unset = {"secrets.existingSecret": "", "image.tag": PINNED_TAG}
        return helm.template(
            built, chart_dir, chart, NAMESPACE[env], values_files(chart_dir, env), unset
        )

    return dict(zip(CASES, parallel(render, CASES), strict=True))


@pytest.mark.parametrize(("chart", "env"), CASES, ids=CASE_IDS)
def test_placeholder_secret_named_after_the_chart_without_existing_secret(
    without_existing_secret: dict[tuple[str, str], helm.HelmRun], chart: str, env: str
) -> None:
    r = parse(without_existing_secret[chart, env])
    keys = CHARTS[chart].secret_keys
    if not keys:
        assert r.of_kind("Secret", "ExternalSecret") == [], "nothing to hold"
        return
    if EXTERNAL_SECRETS[env]:  # the operator owns the Secret: an ExternalSecret, no placeholder
        assert r.of_kind("Secret") == []
        [external] = r.of_kind("ExternalSecret")
        assert external["spec"]["target"]["name"] == f"{chart}-secrets"
        assert {d["secretKey"] for d in external["spec"]["data"]} == keys
        for workload in r.workloads:
            for container in containers(workload):
                for variable in container.get("env", []):
                    assert variable["valueFrom"]["secretKeyRef"]["name"] == f"{chart}-secrets"
        return
    assert r.of_kind("ExternalSecret") == []
    assert_placeholder(r, f"{chart}-secrets", keys)


@pytest.mark.parametrize(("chart", "env"), CASES, ids=CASE_IDS)
def test_labels_selectors_and_names(rendered: Rendered, chart: str, env: str) -> None:
    r = rendered(chart, env)
    for doc in r.docs:
        name, labels = doc["metadata"]["name"], doc["metadata"]["labels"]
        assert labels.keys() >= REQUIRED_LABELS, (doc["kind"], name)
        assert labels["app.kubernetes.io/name"] == chart
        assert labels["app.kubernetes.io/instance"] == chart
        assert labels["app.kubernetes.io/managed-by"] == "Helm"
        assert labels["app.kubernetes.io/part-of"] == "ananta-platform"
        assert DNS_LABEL.match(name) and len(name) <= 63
        assert "namespace" not in doc["metadata"] or doc["metadata"]["namespace"] == NAMESPACE[env]
    for workload in r.workloads:
        selector = workload["spec"]["selector"]["matchLabels"]
        assert set(selector) == SELECTOR_KEYS
        assert pod_labels(workload).keys() >= REQUIRED_LABELS
        assert selector_matches(selector, pod_labels(workload))
    for service in r.of_kind("Service"):
        extra = set(service["spec"]["selector"]) - SELECTOR_KEYS
        assert extra <= {"statefulset.kubernetes.io/pod-name"}
        assert any(
            selector_matches(
                {k: v for k, v in service["spec"]["selector"].items() if k in SELECTOR_KEYS},
                pod_labels(w),
            )
            for w in r.workloads
        )
    for kind in ("PodDisruptionBudget", "ServiceMonitor"):
        for doc in r.of_kind(kind):
            assert set(doc["spec"]["selector"]["matchLabels"]) == SELECTOR_KEYS
