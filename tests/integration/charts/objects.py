"""What the chart tests read from rendered objects and chart folders."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from gitops_tool.adapters.helm import HelmRun
from tests.support.repo import REPO

CHARTS_DIR = REPO / "charts"
WORKERS = min(3, os.cpu_count() or 2)  # the machine is shared: a small pool

T = TypeVar("T")
R = TypeVar("R")


def parallel(function: Callable[[T], R], items: Iterable[T]) -> list[R]:
    """map() over a small thread pool (helm does the work in subprocesses)."""
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        return list(pool.map(function, items))


# template_with(chart, env, extra YAML) -> the `helm template` run (conftest's fixture)
TemplateWith = Callable[[str, str, str], HelmRun]


def values_files(chart_dir: Path, env: str) -> list[Path]:
    return [chart_dir / "values.yaml", chart_dir / f"values-{env}.yaml"]


def pod_spec(workload: dict[str, Any]) -> dict[str, Any]:
    return workload["spec"]["template"]["spec"]


def containers(workload: dict[str, Any]) -> list[dict[str, Any]]:
    """Init containers and containers."""
    spec = pod_spec(workload)
    return [*spec.get("initContainers", []), *spec["containers"]]


UNITS = {
    "m": 1e-3,
    "Ki": 2**10,
    "Mi": 2**20,
    "Gi": 2**30,
    "Ti": 2**40,
    "k": 1e3,
    "M": 1e6,
    "G": 1e9,
}


def quantity(value: str | int | float) -> float:
    """A Kubernetes quantity as a number (100m -> 0.1, 1Gi -> 2**30)."""
    match = re.fullmatch(r"([0-9.]+)([a-zA-Z]*)", str(value))
    assert match, value
    return float(match[1]) * UNITS.get(match[2], 1)


def selector_matches(selector: dict[str, str], labels: dict[str, str]) -> bool:
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())


def scraped_services(r: Any) -> set[str]:
    """Names of the Services the chart's ServiceMonitors select (= their `up` jobs)."""
    return {
        s["metadata"]["name"]
        for m in r.of_kind("ServiceMonitor")
        for s in r.of_kind("Service")
        if selector_matches(m["spec"]["selector"]["matchLabels"], s["metadata"]["labels"])
        and "ananta.io/headless" not in s["metadata"]["labels"]
    }
