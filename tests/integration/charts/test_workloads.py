"""The workloads every chart x environment renders: ports, kinds, images, security, probes,
resources, update strategy, components and the image.tag parameter (issue 2's rules)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from gitops_tool.adapters import helm
from tests.support.repo.helm import Rendered, parse

from .objects import CHARTS_DIR, containers, pod_spec, values_files
from .spec import (
    CASE_IDS,
    CASES,
    CHARTS,
    CONTAINER_SECURITY_CONTEXT,
    NAMESPACE,
    PINNED_TAG,
    POD_SECURITY_CONTEXT,
    SUMMARY_RESOURCES,
    resource_name,
)

pytestmark = pytest.mark.helm
INFRASTRUCTURE = {c for c, spec in CHARTS.items() if spec.kind == "infrastructure"}


def _emptydir_mounts(workload: dict[str, Any], container: dict[str, Any]) -> set[str]:
    empty = {v["name"] for v in pod_spec(workload).get("volumes", []) if "emptyDir" in v}
    return {m["mountPath"] for m in container.get("volumeMounts", []) if m["name"] in empty}


@pytest.mark.parametrize(("chart", "env"), CASES, ids=CASE_IDS)
def test_ports_kinds_and_images_follow_the_summary(
    rendered: Rendered, chart: str, env: str
) -> None:
    r, spec = rendered(chart, env), CHARTS[chart]
    expected = {resource_name(chart, c): comp for c, comp in spec.components.items()}
    assert {w["metadata"]["name"]: w["kind"] for w in r.workloads} == {
        name: comp.kind for name, comp in expected.items()
    }
    for name, comp in expected.items():
        workload, service = r.get(comp.kind, name), r.get("Service", name)
        [port] = service["spec"]["ports"]
        assert port["port"] == comp.port
        main = pod_spec(workload)["containers"][0]
        [container_port] = main["ports"]
        assert port["targetPort"] == container_port["name"], "Service targets the named port"
        assert container_port["containerPort"] == (comp.container_port or comp.port)
        assert container_port["containerPort"] >= 1024, "non-root cannot bind below 1024"
        assert main["image"].rsplit(":", 1)[0] == comp.image
    if spec.kind == "worker":
        [(name, comp)] = expected.items()
        assert r.get("Service", name)["spec"]["ports"][0]["name"] == "metrics"
        assert comp.port == spec.metrics_port
        assert r.of_kind("Ingress") == []


@pytest.mark.parametrize(("chart", "env"), CASES, ids=CASE_IDS)
def test_frontends_are_served_by_unprivileged_nginx(
    rendered: Rendered, chart: str, env: str
) -> None:
    r, spec = rendered(chart, env), CHARTS[chart]
    nginx_configs = [c for c in r.of_kind("ConfigMap") if "default.conf" in c.get("data", {})]
    if not spec.nginx:
        assert nginx_configs == []
        return
    [config], [workload] = nginx_configs, r.workloads
    server = config["data"]["default.conf"]
    assert "listen 8080;" in server and "location = /health" in server
    [container] = pod_spec(workload)["containers"]
    mounts = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
    volumes = {v["name"]: v for v in pod_spec(workload)["volumes"]}
    assert volumes[mounts["/etc/nginx/conf.d"]]["configMap"]["name"] == config["metadata"]["name"]
    assert {"/tmp", "/var/cache/nginx", "/var/run"} <= _emptydir_mounts(workload, container)


@pytest.mark.parametrize(("chart", "env"), CASES, ids=CASE_IDS)
def test_security_context_is_the_summarys(rendered: Rendered, chart: str, env: str) -> None:
    r = rendered(chart, env)
    assert r.workloads
    for workload in r.workloads:
        pod = pod_spec(workload)
        assert pod["securityContext"] == POD_SECURITY_CONTEXT
        assert pod["automountServiceAccountToken"] is False
        for forbidden in ("hostNetwork", "hostPID", "hostIPC"):
            assert not pod.get(forbidden)
        assert not any("hostPath" in v for v in pod.get("volumes", []))
        for container in containers(workload):  # init containers too
            assert container["securityContext"] == CONTAINER_SECURITY_CONTEXT
        for container in pod["containers"]:
            assert "/tmp" in _emptydir_mounts(workload, container), "the process must write /tmp"


@pytest.mark.parametrize(("chart", "env"), CASES, ids=CASE_IDS)
def test_probes_resources_and_rolling_update(rendered: Rendered, chart: str, env: str) -> None:
    r, spec = rendered(chart, env), CHARTS[chart]
    for workload in r.workloads:
        for container in containers(workload):  # init containers too
            resources = container["resources"]
            for bound in ("requests", "limits"):
                assert set(resources[bound]) == {"cpu", "memory"}
        for container in pod_spec(workload)["containers"]:  # probes: not on init containers
            port_name = container["ports"][0]["name"]
            probes = {k: container[f"{k}Probe"] for k in ("liveness", "readiness", "startup")}
            for probe in probes.values():
                handlers = {"httpGet", "tcpSocket", "exec", "grpc"} & probe.keys()
                assert len(handlers) == 1
                if "httpGet" in probe or "tcpSocket" in probe:
                    assert (probe.get("httpGet") or probe["tcpSocket"])["port"] == port_name
            if chart not in INFRASTRUCTURE:  # Ananta services: the summary's Testing paths
                assert probes["liveness"]["httpGet"]["path"] == "/health"
                assert probes["startup"]["httpGet"]["path"] == "/health"
                assert probes["readiness"]["httpGet"]["path"] == spec.readiness
            if env == "staging":
                assert container["resources"] == SUMMARY_RESOURCES
        if workload["kind"] == "Deployment":
            assert workload["spec"]["strategy"] == {
                "type": "RollingUpdate",
                "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0},
            }
        else:
            assert workload["spec"]["updateStrategy"]["type"] == "RollingUpdate"


@pytest.mark.parametrize(("chart", "env"), CASES, ids=CASE_IDS)
def test_components_each_get_a_workload_and_a_service(
    rendered: Rendered, chart: str, env: str
) -> None:
    r, spec = rendered(chart, env), CHARTS[chart]
    for component, comp in spec.components.items():
        name = resource_name(chart, component)
        for kind in (comp.kind, "Service", "ConfigMap", "PodDisruptionBudget"):
            labels = r.get(kind, name)["metadata"]["labels"]
            assert labels["app.kubernetes.io/component"] == (component or spec.kind)
    for workload in r.of_kind("StatefulSet"):
        name = workload["metadata"]["name"]
        [claim] = workload["spec"]["volumeClaimTemplates"]
        assert claim["spec"]["resources"]["requests"]["storage"]
        [container] = pod_spec(workload)["containers"]
        assert claim["metadata"]["name"] in {m["name"] for m in container["volumeMounts"]}
        headless = r.get("Service", workload["spec"]["serviceName"])
        assert headless["spec"]["clusterIP"] == "None"
        primary = r.get("Service", name)["spec"]["selector"]
        assert primary["statefulset.kubernetes.io/pod-name"] == f"{name}-0"


@pytest.mark.parametrize(("chart", "env"), CASES, ids=CASE_IDS)
def test_image_tag_parameter_lands_on_the_main_image(
    rendered: Rendered, pins: dict[tuple[str, str], str], built: str, chart: str, env: str
) -> None:
    r, spec, pin = rendered(chart, env), CHARTS[chart], pins[chart, env]
    chart_dir = CHARTS_DIR / chart
    files = values_files(chart_dir, env)
    if any(pin in path.read_text() for path in files):
        # The release pin is also a tag the values name (novu's pin is its default tag): it
        # cannot tell the parameter from the default. Render with a tag nothing names.
        assert all(PINNED_TAG not in path.read_text() for path in files)
        r, pin = parse(helm.template(built, chart_dir, chart, NAMESPACE[env], files,
                                     {"image.tag": PINNED_TAG})), PINNED_TAG
    for component, comp in spec.components.items():
        workload = r.get(comp.kind, resource_name(chart, component))
        tag = pod_spec(workload)["containers"][0]["image"].rsplit(":", 1)[1]
        assert (tag == pin) == comp.follows_tag, (component, tag)
    for workload in r.workloads:
        for container in containers(workload):
            repository, _, tag = container["image"].rpartition(":")
            assert repository and tag and tag != "latest" and "@" not in tag


def test_names_are_cut_to_63_characters(built: str) -> None:
    release = "ananta-platform-infrastructure-release-with-long-name"  # 53: Helm's maximum
    assert len(release) == 53
    chart_dir = CHARTS_DIR / "supabase"
    r = parse(
        helm.template(built, chart_dir, release, "ananta-prod", values_files(chart_dir, "prod"))
    )
    names = [(d["kind"], d["metadata"]["name"]) for d in r.docs]
    assert len(names) == len(set(names)), "truncation made two names collide"
    for kind, name in names:
        assert len(name) <= 63 and not name.endswith("-"), (kind, name)
    for component in CHARTS["supabase"].components:
        [workload] = [
            w
            for w in r.workloads
            if w["metadata"]["labels"]["app.kubernetes.io/component"] == component
        ]
        assert workload["metadata"]["name"].endswith(f"-{component}")
    for doc in r.docs:
        assert all(len(v) <= 63 for v in doc["metadata"]["labels"].values())


_DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_PORT_NAME = re.compile(r"^(?=.*[a-z])[a-z0-9]([-a-z0-9]*[a-z0-9])?$")  # IANA_SVC_NAME


def _name_problems(doc: dict[str, Any]) -> list[str]:
    """Names the API server would refuse: objects, containers, volumes, ports (DNS labels)."""
    problems = []
    if not _DNS_LABEL.match(doc["metadata"]["name"]) or len(doc["metadata"]["name"]) > 63:
        problems.append(f"metadata.name {doc['metadata']['name']!r}")
    if doc["kind"] in ("Deployment", "StatefulSet"):
        pod = pod_spec(doc)
        for volume in pod.get("volumes", []):
            if not _DNS_LABEL.match(volume["name"]):
                problems.append(f"volume {volume['name']!r}")
        for container in containers(doc):
            if not _DNS_LABEL.match(container["name"]):
                problems.append(f"container {container['name']!r}")
            for mount in container.get("volumeMounts", []):
                if not _DNS_LABEL.match(mount["name"]):
                    problems.append(f"volumeMount {mount['name']!r}")
            for port in container.get("ports", []):
                if not (_PORT_NAME.match(port["name"]) and len(port["name"]) <= 15):
                    problems.append(f"container port {port['name']!r}")
    if doc["kind"] == "Service":
        for port in doc["spec"]["ports"]:
            if not (_PORT_NAME.match(port["name"]) and len(port["name"]) <= 15):
                problems.append(f"service port {port['name']!r}")
    return problems


@pytest.mark.parametrize(("chart", "env"), CASES, ids=CASE_IDS)
def test_every_name_is_one_kubernetes_accepts(rendered: Rendered, chart: str, env: str) -> None:
    problems = [
        f"{doc['kind']}/{doc['metadata']['name']}: {problem}"
        for doc in rendered(chart, env).docs
        for problem in _name_problems(doc)
    ]
    assert not problems, problems


def test_name_check_refuses_a_path_as_a_volume_name() -> None:
    workload = {
        "kind": "Deployment",
        "metadata": {"name": "x"},
        "spec": {
            "template": {
                "spec": {
                    "volumes": [{"name": "var/cache/nginx", "emptyDir": {}}],
                    "containers": [{"name": "x", "ports": [{"name": "http", "containerPort": 80}]}],
                }
            }
        },
    }
    assert _name_problems(workload) == ["volume 'var/cache/nginx'"]
