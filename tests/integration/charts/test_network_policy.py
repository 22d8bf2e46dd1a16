"""NetworkPolicy (issue 14): every workload is selected by exactly one policy that denies all
ingress and egress except what its rendered settings need. The test derives those needs from
the render alone (hosts and ports in each container's ConfigMaps and env, the Ingresses and
ServiceMonitors, the Services of every chart in the namespace, and the third-party credentials
it reads) and compares them with the policy's rules as sets: nothing missing, nothing more.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from gitops_tool.adapters import helm
from tests.support.repo.helm import Render, Rendered, parse

from .objects import TemplateWith, pod_spec, scraped_services, selector_matches, values_files
from .spec import CASE_IDS, CASES, CHARTS, ENVIRONMENTS, PINNED_TAG, SELECTOR_KEYS

pytestmark = pytest.mark.helm

INGRESS_NAMESPACE = "ingress-nginx"  # the documented defaults
MONITORING_NAMESPACE = "monitoring"
NAMESPACE_LABEL = "kubernetes.io/metadata.name"  # set by Kubernetes on every namespace
INSTANCE, COMPONENT, NAME = (f"app.kubernetes.io/{k}" for k in ("instance", "component", "name"))
# The summary's Dependencies table: the external services by namespace and port.
DEPENDENCIES = {
    ("database-system", 5432): "PostgreSQL",
    ("cache-system", 6379): "Redis",
    ("messaging-system", 5672): "RabbitMQ",
    ("storage-system", 9000): "MinIO",
    ("database-system", 27017): "MongoDB",
    ("observability-system", 9200): "Elasticsearch",
}
BIND_ADDRESSES = {"0.0.0.0", "::", "127.0.0.1", "localhost"}  # where a process listens
PORT_KEYS = {"POSTGRES_SEEDS": "DB_PORT"}  # temporal's upstream names: host and port differ
URL = re.compile(r"\b([a-z][a-z0-9+.-]*)://([a-z0-9][-a-z0-9.]*)(?::([0-9]+))?")
HOST_PORT = re.compile(r"([a-z0-9][-a-z0-9.]*):([0-9]+)")
DEFAULT_PORTS = {"http": 80, "https": 443}

# Secret keys that are credentials of a third-party API reached over public HTTPS: a workload
# reading one needs egress to the internet on 443, and no private address that way. Keycloak is
# not in the summary's Dependencies and no chart or config names an in-cluster one: it is
# reached at its public URL, like the others.
THIRD_PARTY_CREDENTIALS = {
    "stripe-secret-key": "the Stripe API",
    "github-token": "the GitHub API",
    "keycloak-client-secret": "Keycloak",
}
# Workloads that deliver to third parties whose credentials are not in a Secret: Novu's worker
# sends through the providers configured in Novu itself (HTTPS APIs, SMTP submission).
DELIVERY_PORTS = {"novu-worker": (443, 465, 587)}
NOT_PUBLIC = frozenset(  # RFC 1918, shared address space (RFC 6598), link-local (metadata)
    {"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "169.254.0.0/16"}
)
PUBLIC = ("0.0.0.0/0", NOT_PUBLIC)

# (namespace labels, pod labels, ipBlock (cidr, except), protocol, port)
Rule = tuple[frozenset | None, frozenset | None, tuple | None, str | None, int | None]


def namespace_selector(namespace: str) -> frozenset:
    return frozenset({(NAMESPACE_LABEL, namespace)})


def endpoints(data: dict[str, str]) -> set[tuple[str, int]]:
    """(host, port) of every address in these settings: URLs, host:port values, and
    <X>_HOST / <X>_SEEDS beside <X>_PORT. A host without a port is a failure."""
    found: set[tuple[str, int]] = set()
    for key, value in data.items():
        text = str(value)
        for scheme, host, port in URL.findall(text):
            found.add((host, int(port) if port else DEFAULT_PORTS[scheme]))
        if m := HOST_PORT.fullmatch(text.strip()):
            found.add((m[1], int(m[2])))
        if key.endswith(("_HOST", "_SEEDS")) and text not in BIND_ADDRESSES:
            port_key = PORT_KEYS.get(key, key.rsplit("_", 1)[0] + "_PORT")
            assert port_key in data, f"{key}={text}: the port is not stated ({port_key})"
            found |= {(host.strip(), int(data[port_key])) for host in text.split(",")}
    return {(h, p) for h, p in found if h not in BIND_ADDRESSES}


def settings(r: Render, workload: dict[str, Any]) -> dict[str, str]:
    """Everything the workload's containers read: their ConfigMaps (envFrom and mounted
    files) and literal env values."""
    data: dict[str, str] = {}
    pod = pod_spec(workload)
    for volume in pod.get("volumes", []):
        if "configMap" in volume:
            data |= r.get("ConfigMap", volume["configMap"]["name"])["data"]
    for container in pod["containers"]:
        for source in container.get("envFrom", []):
            data |= r.get("ConfigMap", source["configMapRef"]["name"])["data"]
        data |= {v["name"]: v["value"] for v in container.get("env", []) if "value" in v}
    return data


def container_port(r: Render, service: dict[str, Any], port: int) -> tuple[dict, int]:
    """The workload behind `service` and the container port its Service `port` reaches."""
    [entry] = [p for p in service["spec"]["ports"] if p["port"] == port]
    # A StatefulSet's primary-only Service also selects a pod name: the workload keys decide.
    selector = {k: v for k, v in service["spec"]["selector"].items() if k in SELECTOR_KEYS}
    [workload] = [w for w in r.workloads if selector_matches(selector, pod_labels(w))]
    [number] = [
        p["containerPort"]
        for c in pod_spec(workload)["containers"]
        for p in c["ports"]
        if p["name"] == entry["targetPort"] or p["containerPort"] == entry["targetPort"]
    ]
    return workload, number


class Namespace:
    """The renders of every chart in one environment's namespace."""

    def __init__(self, rendered: Rendered, env: str) -> None:
        self.renders = {chart: rendered(chart, env) for chart in CHARTS}
        self.services = {
            s["metadata"]["name"]: chart
            for chart, r in self.renders.items()
            for s in r.of_kind("Service")
        }

    def calls(self, chart: str, workload: dict[str, Any]) -> Iterator[tuple[str, Any]]:
        """Where the workload connects: ("pods", (chart, workload, container port)) for a
        Service in the namespace, ("namespace", (namespace, port)) elsewhere."""
        data = settings(self.renders[chart], workload)
        if data.get("OTEL_SDK_DISABLED") == "true":  # the collector is named, never called
            data = {k: v for k, v in data.items() if k != "OTEL_EXPORTER_OTLP_ENDPOINT"}
        for host, port in sorted(endpoints(data)):
            labels = host.split(".")
            if len(labels) == 1:
                assert host in self.services, f"{host}: no Service of that name in the namespace"
                owner = self.services[host]
                r = self.renders[owner]
                target, number = container_port(r, r.get("Service", host), port)
                yield "pods", (owner, target, number)
            else:
                assert labels[2:] in ([], ["svc"], ["svc", "cluster", "local"]), host
                yield "namespace", (labels[1], port)

    def workloads(self) -> Iterator[tuple[str, dict[str, Any]]]:
        for chart, r in self.renders.items():
            for w in r.workloads:
                yield chart, w


def read_keys(workload: dict[str, Any]) -> set[str]:
    """The Secret keys the workload's containers read."""
    return {
        v["valueFrom"]["secretKeyRef"]["key"]
        for c in pod_spec(workload)["containers"]
        for v in c.get("env", [])
        if "secretKeyRef" in v.get("valueFrom", {})
    }


def pod_labels(workload: dict[str, Any]) -> dict[str, str]:
    return workload["spec"]["template"]["metadata"]["labels"]


def release_pods(chart: str) -> frozenset:
    return frozenset({(NAME, chart), (INSTANCE, chart)})


def expected_egress(ns: Namespace, chart: str, workload: dict[str, Any]) -> set[Rule]:
    multi = len(ns.renders[chart].workloads) > 1
    dns = (namespace_selector("kube-system"), frozenset({("k8s-app", "kube-dns")}))
    rules: set[Rule] = {(*dns, None, "UDP", 53), (*dns, None, "TCP", 53)}
    if multi:
        rules.add((None, release_pods(chart), None, None, None))
    if read_keys(workload) & THIRD_PARTY_CREDENTIALS.keys():
        rules.add((None, None, PUBLIC, "TCP", 443))
    for port in DELIVERY_PORTS.get(workload["metadata"]["name"], ()):
        rules.add((None, None, PUBLIC, "TCP", port))
    otlp = settings(ns.renders[chart], workload).get("OTEL_EXPORTER_OTLP_ENDPOINT")
    collector = {(h.split(".")[1], p) for h, p in endpoints({"OTLP": otlp})} if otlp else set()
    for kind, target in ns.calls(chart, workload):
        if kind == "pods":
            owner, peer, port = target
            if owner == chart:
                assert multi, "a single-workload chart calling itself"
                continue  # the release's own pods: any port
            labels = pod_labels(peer)
            rules.add((None, frozenset({(INSTANCE, owner), (COMPONENT, labels[COMPONENT])}),
                       None, "TCP", port))
        else:
            namespace, port = target
            assert target in DEPENDENCIES or target in collector, f"{target}: undocumented"
            rules.add((namespace_selector(namespace), None, None, "TCP", port))
    return rules


def expected_ingress(ns: Namespace, chart: str, workload: dict[str, Any]) -> set[Rule]:
    r = ns.renders[chart]
    labels = pod_labels(workload)
    mine = [
        s
        for s in r.of_kind("Service")
        if selector_matches({k: v for k, v in s["spec"]["selector"].items() if k in SELECTOR_KEYS},
                            labels)
        and "ananta.io/headless" not in s["metadata"]["labels"]
    ]
    rules: set[Rule] = set()

    def port_of(service: dict[str, Any], name: str) -> int:
        [p] = [p for p in service["spec"]["ports"] if p["name"] == name]
        return container_port(r, service, p["port"])[1]

    for ingress in r.of_kind("Ingress"):
        for rule in ingress["spec"]["rules"]:
            for path in rule["http"]["paths"]:
                backend = path["backend"]["service"]
                for s in mine:
                    if s["metadata"]["name"] == backend["name"]:
                        port = port_of(s, backend["port"]["name"])
                        rules.add((namespace_selector(INGRESS_NAMESPACE), None, None, "TCP",
                                   port))
    for s in mine:
        if s["metadata"]["name"] in scraped_services(r):
            [monitor] = [m for m in r.of_kind("ServiceMonitor")
                         if selector_matches(m["spec"]["selector"]["matchLabels"],
                                             s["metadata"]["labels"])]
            for endpoint in monitor["spec"]["endpoints"]:
                port = port_of(s, endpoint["port"])
                rules.add((namespace_selector(MONITORING_NAMESPACE), None, None, "TCP", port))
    if len(r.workloads) > 1:
        rules.add((None, release_pods(chart), None, None, None))
    for client, other in ns.workloads():
        if client == chart:
            continue
        for kind, target in ns.calls(client, other):
            if kind == "pods" and target[1] is workload:
                rules.add((None, frozenset({(INSTANCE, client)}), None, "TCP", target[2]))
    return rules


def actual(rules: list[dict[str, Any]] | None, direction: str) -> set[Rule]:
    """A policy's ingress ("from") or egress ("to") rules as a set of (namespace labels, pod
    labels, ipBlock, protocol, port); only the shapes the expectation can express are
    accepted."""
    out: set[Rule] = set()
    for rule in rules or []:
        assert set(rule) <= {direction, "ports"}, rule
        for peer in rule[direction]:
            block = None
            if "ipBlock" in peer:
                assert set(peer) == {"ipBlock"} and set(peer["ipBlock"]) <= {"cidr", "except"}
                block = (peer["ipBlock"]["cidr"], frozenset(peer["ipBlock"].get("except", [])))
            else:
                assert set(peer) <= {"namespaceSelector", "podSelector"} and peer, peer
            selectors = {}
            for key in ("namespaceSelector", "podSelector"):
                if key in peer:
                    assert set(peer[key]) == {"matchLabels"}, peer
                    selectors[key] = frozenset(peer[key]["matchLabels"].items())
            for port in rule.get("ports") or [None]:
                assert port is None or set(port) == {"protocol", "port"}, port
                out.add((selectors.get("namespaceSelector"), selectors.get("podSelector"), block,
                         port and port["protocol"], port and port["port"]))
    return out


def policy_of(r: Render, workload: dict[str, Any]) -> dict[str, Any]:
    selecting = [p for p in r.of_kind("NetworkPolicy")
                 if selector_matches(p["spec"]["podSelector"]["matchLabels"], pod_labels(workload))]
    assert len(selecting) == 1, f"{workload['metadata']['name']}: {len(selecting)} policies"
    return selecting[0]


@pytest.mark.parametrize(("chart", "env"), CASES, ids=CASE_IDS)
def test_one_deny_by_default_policy_per_workload(rendered: Rendered, chart: str, env: str) -> None:
    r = rendered(chart, env)
    policies = r.of_kind("NetworkPolicy")
    assert len(policies) == len(r.workloads)
    for workload in r.workloads:
        policy = policy_of(r, workload)
        assert policy["apiVersion"] == "networking.k8s.io/v1"
        assert sorted(policy["spec"]["policyTypes"]) == ["Egress", "Ingress"]
        assert policy["spec"]["podSelector"]["matchLabels"] == {
            k: pod_labels(workload)[k] for k in (NAME, INSTANCE, COMPONENT)
        }


@pytest.fixture(scope="module")
def namespaces(rendered: Rendered) -> dict[str, Namespace]:
    return {env: Namespace(rendered, env) for env in ENVIRONMENTS}


@pytest.mark.parametrize(("chart", "env"), CASES, ids=CASE_IDS)
def test_egress_is_exactly_what_the_settings_call(
    namespaces: dict[str, Namespace], chart: str, env: str
) -> None:
    ns = namespaces[env]
    r = ns.renders[chart]
    for workload in r.workloads:
        policy = policy_of(r, workload)
        assert actual(policy["spec"]["egress"], "to") == expected_egress(ns, chart, workload), (
            workload["metadata"]["name"]
        )


@pytest.mark.parametrize(("chart", "env"), CASES, ids=CASE_IDS)
def test_ingress_is_exactly_the_controller_prometheus_the_release_and_its_callers(
    namespaces: dict[str, Namespace], chart: str, env: str
) -> None:
    ns = namespaces[env]
    r = ns.renders[chart]
    for workload in r.workloads:
        policy = policy_of(r, workload)
        got = actual(policy["spec"].get("ingress"), "from")
        assert got == expected_ingress(ns, chart, workload), workload["metadata"]["name"]


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_the_derivation_sees_the_calls_the_issue_names(
    namespaces: dict[str, Namespace], env: str
) -> None:
    """Guards the derivation itself: it must find these calls, or the exact comparisons above
    could pass on two empty sets."""
    ns = namespaces[env]
    found = {
        (chart, target[0], target[2]) if kind == "pods" else (chart, *target)
        for chart, w in ns.workloads()
        for kind, target in ns.calls(chart, w)
    }
    assert {
        ("temporal-worker-service", "temporal", 7233),
        ("cns-service", "supabase", 5432),
        ("cns-service", "database-system", 5432),
        ("novu", "database-system", 27017),
        ("supabase", "storage-system", 9000),
        ("temporal", "observability-system", 9200),
        ("middleware-api", "tenant-management-service", 14000),
    } <= found


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_the_third_party_apis_are_reached_over_public_https_only(
    rendered: Rendered, env: str
) -> None:
    """Guards the credential derivation: the four services the audit named get public HTTPS,
    Novu's worker gets it for its delivery providers, and no other workload gets an ipBlock
    at all."""
    public = (None, None, PUBLIC, "TCP", 443)
    with_block = {
        policy["metadata"]["name"]: policy
        for chart in CHARTS
        for policy in rendered(chart, env).of_kind("NetworkPolicy")
        if any("ipBlock" in peer for rule in policy["spec"]["egress"] for peer in rule["to"])
    }
    assert set(with_block) == {
        "subscription-service", "backstage-portal", "tenant-management-service",
        "middleware-api", "novu-worker",
    }
    for name, policy in with_block.items():
        assert public in actual(policy["spec"]["egress"], "to"), name


EXTRA_EGRESS = """
networkPolicy:
  externalEgress:
    - cidr: 203.0.113.0/24
      ports: [443, 8443]
    - cidr: 0.0.0.0/0
      except: [10.0.0.0/8, 192.168.0.0/16]
      ports: [22]
    - cidr: "2001:db8::/32"
      except: ["2001:db8:1::/48"]
      ports: [443]
"""


def test_external_egress_allows_exactly_what_values_declare(
    built: str, chart_copy: Callable[[str], Path], tmp_path: Path
) -> None:
    chart_dir = chart_copy("audit-logger")
    extra = tmp_path / "egress.yaml"
    extra.write_text(EXTRA_EGRESS)

    def egress(files: list[Path]) -> set[Rule]:
        r = parse(helm.template(built, chart_dir, "audit-logger", "ananta-dev", files,
                                {"image.tag": PINNED_TAG}))
        [policy] = r.of_kind("NetworkPolicy")
        return actual(policy["spec"]["egress"], "to")

    before = egress(values_files(chart_dir, "dev"))
    after = egress([*values_files(chart_dir, "dev"), extra])
    assert after - before == {
        (None, None, ("203.0.113.0/24", frozenset()), "TCP", 443),
        (None, None, ("203.0.113.0/24", frozenset()), "TCP", 8443),
        (None, None, ("0.0.0.0/0", frozenset({"10.0.0.0/8", "192.168.0.0/16"})), "TCP", 22),
        (None, None, ("2001:db8::/32", frozenset({"2001:db8:1::/48"})), "TCP", 443),
    }
    assert before <= after


@pytest.mark.parametrize(
    "entry",
    [
        "{cidr: 10.0.0.0, ports: [443]}",  # not a CIDR
        "{cidr: 0.0.0.0/0, ports: []}",  # no port
        "{cidr: 0.0.0.0/0}",  # ports missing
        "{cidr: 0.0.0.0/0, ports: [443], protocol: UDP}",  # unknown key
    ],
)
def test_external_egress_schema_refuses_a_malformed_entry(
    template_with: TemplateWith, entry: str
) -> None:
    run = template_with("audit-logger", "dev",
                        f"networkPolicy:\n  externalEgress:\n    - {entry}\n")
    assert not run.ok and "externalEgress" in run.stderr, run.stderr
