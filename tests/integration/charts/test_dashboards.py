"""Dashboards (issue 14): per environment, one Grafana dashboard per plane, in a ConfigMap the
Grafana sidecar loads; a row per service of the plane showing replicas, CPU and memory against
requests and limits, restarts and scrape health, queried from series that exist, for exactly
the workloads and ServiceMonitor jobs the plane's charts render."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.support.repo.helm import Render, Rendered

from .objects import scraped_services
from .series import pod_pattern_matches, sample_pods, selector_problems, selectors
from .spec import CHARTS, ENVIRONMENTS, NAMESPACE

pytestmark = pytest.mark.helm

PLANES = ("infrastructure", "control-plane", "app-plane")
SIDECAR_LABEL = ("grafana_dashboard", "1")  # kube-prometheus-stack's default
# What each row must show, as the series its panels query.
REPLICAS = {
    "Deployment": {"kube_deployment_spec_replicas", "kube_deployment_status_replicas_available"},
    "StatefulSet": {"kube_statefulset_replicas", "kube_statefulset_status_replicas_ready"},
}
USAGE = {"cpu": "container_cpu_usage_seconds_total", "memory": "container_memory_working_set_bytes"}
BOUNDS = {"kube_pod_container_resource_requests", "kube_pod_container_resource_limits"}
RESTARTS = "kube_pod_container_status_restarts_total"


def dashboards(rendered: Rendered, env: str) -> dict[str, tuple[str, dict[str, Any]]]:
    """plane -> (the chart carrying it, its parsed JSON), asserting one per plane at most."""
    found: dict[str, tuple[str, dict[str, Any]]] = {}
    for chart in CHARTS:
        for config in rendered(chart, env).of_kind("ConfigMap"):
            labels = config["metadata"]["labels"]
            if SIDECAR_LABEL[0] not in labels:
                continue
            assert labels[SIDECAR_LABEL[0]] == SIDECAR_LABEL[1]
            [(key, text)] = config["data"].items()
            plane = key.removesuffix(".json")
            assert plane == CHARTS[chart].plane, f"{chart} carries another plane's dashboard"
            assert plane not in found, f"{plane}: two dashboards ({found[plane][0]}, {chart})"
            found[plane] = (chart, json.loads(text))
    return found


def rows(dashboard: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """Row title -> the panels below it (in order)."""
    out: dict[str, list[dict[str, Any]]] = {}
    current = None
    for panel in dashboard["panels"]:
        if panel["type"] == "row":
            current = panel["title"]
            assert current not in out, f"two rows {current}"
            out[current] = []
        else:
            assert current is not None, "a panel above the first row"
            out[current].append(panel)
    return out


def workloads_by_kind(r: Render) -> dict[str, set[str]]:
    return {
        kind: {w["metadata"]["name"] for w in r.of_kind(kind)}
        for kind in ("Deployment", "StatefulSet")
    }


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_one_dashboard_per_plane_with_a_row_per_service(rendered: Rendered, env: str) -> None:
    found = dashboards(rendered, env)
    assert set(found) == set(PLANES)
    uids = set()
    for plane, (_, dashboard) in found.items():
        services = [c for c, spec in CHARTS.items() if spec.plane == plane]  # summary order
        assert list(rows(dashboard)) == services
        assert dashboard["uid"] not in uids and len(dashboard["uid"]) <= 40
        uids.add(dashboard["uid"])
        assert plane in dashboard["title"] and env in dashboard["title"]
        [variable] = dashboard["templating"]["list"]
        assert (variable["type"], variable["query"]) == ("datasource", "prometheus")
        ids = [p["id"] for p in dashboard["panels"]]
        assert len(ids) == len(set(ids)) and all(isinstance(i, int) and i > 0 for i in ids)


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_panels_tile_the_grid_without_overlap(rendered: Rendered, env: str) -> None:
    for _, dashboard in dashboards(rendered, env).values():
        cells: set[tuple[int, int]] = set()
        for panel in dashboard["panels"]:
            g = panel["gridPos"]
            assert g["x"] >= 0 and g["w"] > 0 and g["x"] + g["w"] <= 24, panel["title"]
            mine = {(x, y) for x in range(g["x"], g["x"] + g["w"])
                    for y in range(g["y"], g["y"] + g["h"])}
            assert not cells & mine, f"{panel['title']} overlaps another panel"
            cells |= mine


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_each_row_queries_exactly_its_services_workloads_and_jobs(
    rendered: Rendered, env: str
) -> None:
    namespace = NAMESPACE[env]
    everyone = [w for chart in CHARTS for w in rendered(chart, env).workloads]
    for _, dashboard in dashboards(rendered, env).values():
        for service, panels in rows(dashboard).items():
            r = rendered(service, env)
            kinds = workloads_by_kind(r)
            named: dict[str, set[str]] = {"deployment": set(), "statefulset": set(), "job": set()}
            by_pattern: set[str] = set()
            series: set[tuple[str, str | None]] = set()
            for panel in panels:
                assert panel["datasource"] == {"type": "prometheus", "uid": "${datasource}"}
                assert panel["targets"], panel["title"]
                for target in panel["targets"]:
                    expr = target["expr"]
                    assert selector_problems(expr, namespace) == [], (panel["title"], expr)
                    for s in selectors(expr):
                        series.add((s.series, s.equal("resource")))
                        for label in named:
                            if (value := s.equal(label)) is not None:
                                named[label].add(value)
                        if (pattern := s.regex("pod")) is not None:
                            matched = {
                                w["metadata"]["name"]
                                for w in everyone
                                if any(pod_pattern_matches(pattern, p) for p in sample_pods(w))
                            }
                            assert len(matched) == 1, (pattern, matched)
                            by_pattern |= matched
            assert named["deployment"] == kinds["Deployment"]
            assert named["statefulset"] == kinds["StatefulSet"]
            assert by_pattern == kinds["Deployment"] | kinds["StatefulSet"]
            assert named["job"] == scraped_services(r)
            names = {name for name, _ in series}
            for kind, needed in REPLICAS.items():
                if kinds[kind]:
                    assert needed <= names, (service, kind)
            for resource, usage in USAGE.items():
                assert (usage, None) in series
                assert {(b, resource) for b in BOUNDS} <= series, (service, resource)
            assert RESTARTS in names
            assert ("up" in names) == bool(scraped_services(r)), service
