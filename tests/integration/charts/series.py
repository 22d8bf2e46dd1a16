"""The series alerts and dashboards may query, and what a PromQL expression selects.

A query may only name series that exist without anything the charts do not render: the
kube-state-metrics v2 series of the objects the charts render (docs/metrics/workload/*.md of
kube-state-metrics), Prometheus's own `up` for each target of the charts' ServiceMonitors, and
the kubelet's cAdvisor container usage (the one source of CPU and memory *use*; both
kube-prometheus-stack and the summary's prometheus-operator setup scrape it). Each series is
listed with the labels it carries, so a matcher on a label the series lacks is caught too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import promql_parser

_POD = frozenset({"namespace", "pod", "uid"})
_CONTAINER = _POD | {"container"}
_RESOURCE = _CONTAINER | {"node", "resource", "unit"}
_CADVISOR = _CONTAINER | {"id", "image", "name", "instance", "job", "metrics_path", "node"}

KUBE_STATE_METRICS = {
    "kube_deployment_spec_replicas": frozenset({"namespace", "deployment"}),
    "kube_deployment_status_replicas_available": frozenset({"namespace", "deployment"}),
    "kube_deployment_status_replicas_unavailable": frozenset({"namespace", "deployment"}),
    "kube_statefulset_replicas": frozenset({"namespace", "statefulset"}),
    "kube_statefulset_status_replicas_ready": frozenset({"namespace", "statefulset"}),
    "kube_horizontalpodautoscaler_spec_max_replicas": frozenset(
        {"namespace", "horizontalpodautoscaler"}
    ),
    "kube_horizontalpodautoscaler_status_current_replicas": frozenset(
        {"namespace", "horizontalpodautoscaler"}
    ),
    "kube_poddisruptionbudget_status_pod_disruptions_allowed": frozenset(
        {"namespace", "poddisruptionbudget"}
    ),
    "kube_pod_container_status_restarts_total": _CONTAINER,
    "kube_pod_container_resource_requests": _RESOURCE,
    "kube_pod_container_resource_limits": _RESOURCE,
}
CADVISOR = {
    "container_cpu_usage_seconds_total": _CADVISOR | {"cpu"},
    "container_memory_working_set_bytes": _CADVISOR,
}
# `up` of a ServiceMonitor target: prometheus-operator sets job to the Service's name.
SCRAPE = {
    "up": frozenset(
        {"job", "namespace", "service", "pod", "endpoint", "instance", "container"}
    )
}
SERIES = {**KUBE_STATE_METRICS, **CADVISOR, **SCRAPE}

# The label of each object-named series that holds the object's name, and the object's kind.
OBJECT_LABELS = {
    "deployment": "Deployment",
    "statefulset": "StatefulSet",
    "horizontalpodautoscaler": "HorizontalPodAutoscaler",
    "poddisruptionbudget": "PodDisruptionBudget",
}


@dataclass(frozen=True)
class Selector:
    """One vector selector of an expression: the series and its matchers (name, op, value)."""

    series: str
    matchers: tuple[tuple[str, str, str], ...]

    def equal(self, label: str) -> str | None:
        """The value an `=` matcher on `label` requires, or None."""
        found = [v for n, op, v in self.matchers if n == label and op == "="]
        return found[0] if found else None

    def regex(self, label: str) -> str | None:
        found = [v for n, op, v in self.matchers if n == label and op == "=~"]
        return found[0] if found else None


_OPS = {"Equal": "=", "NotEqual": "!=", "Re": "=~", "NotRe": "!~"}


def selectors(expr: str) -> list[Selector]:
    """Every vector selector in `expr` (which must parse as PromQL)."""
    found: list[Selector] = []

    def visit(node: Any) -> bool:
        if isinstance(node, promql_parser.VectorSelector):
            matchers = tuple(
                (m.name, _OPS[str(m.op).rsplit(".", 1)[-1]], m.value)
                for m in node.matchers.matchers
            )
            found.append(Selector(node.name or "", matchers))
        return True

    promql_parser.walk(promql_parser.parse(expr), visit)
    return found


def selector_problems(expr: str, namespace: str) -> list[str]:
    """What is wrong with the selectors of `expr`: unknown series, labels the series lacks, a
    selector not pinned to `namespace`."""
    problems = []
    for s in selectors(expr):
        if s.series not in SERIES:
            problems.append(f"{s.series!r} is not a series the platform provides")
            continue
        for name, _, _ in s.matchers:
            if name not in SERIES[s.series]:
                problems.append(f"{s.series} has no label {name!r}")
        if s.equal("namespace") != namespace:
            problems.append(f"{s.series} is not restricted to namespace {namespace}")
    return problems


def sample_pods(workload: dict[str, Any]) -> list[str]:
    """Pod names the workload's controller would give its pods."""
    name = workload["metadata"]["name"]
    if workload["kind"] == "StatefulSet":
        return [f"{name}-0", f"{name}-12"]
    return [f"{name}-5d8f7c9b4-x2x7q", f"{name}-7bb9fd6c58-9lkwn"]


def pod_pattern_matches(pattern: str, pod: str) -> bool:
    """PromQL regex matchers are anchored at both ends."""
    return re.fullmatch(pattern, pod) is not None
