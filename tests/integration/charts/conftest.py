"""Session fixtures: every chart x environment is linted and rendered once, in parallel.

Renders use what an Argo CD Application passes: release = chart name, namespace
ananta-<env>, values.yaml + values-<env>.yaml, and image.tag as a string parameter.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pytest
import yaml

from gitops_tool.adapters import helm
from gitops_tool.errors import HelmError

from .spec import CASES, CHARTS, NAMESPACE, PINNED_TAG

REPO = Path(__file__).resolve().parents[3]
CHARTS_DIR = REPO / "charts"
WORKERS = min(3, os.cpu_count() or 2)  # the machine is shared: a small pool
WORKLOAD_KINDS = ("Deployment", "StatefulSet")
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # safe_load_all, 10x faster in C

T = TypeVar("T")
R = TypeVar("R")


def parallel(function: Callable[[T], R], items: Iterable[T]) -> list[R]:
    """map() over a small thread pool (helm does the work in subprocesses)."""
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        return list(pool.map(function, items))


@dataclass(frozen=True)
class Render:
    """The parsed output of one `helm template`."""

    run: helm.HelmRun
    docs: tuple[dict[str, Any], ...]

    def of_kind(self, *kinds: str) -> list[dict[str, Any]]:
        return [d for d in self.docs if d["kind"] in kinds]

    def get(self, kind: str, name: str) -> dict[str, Any]:
        found = [d for d in self.of_kind(kind) if d["metadata"]["name"] == name]
        assert len(found) == 1, f"expected one {kind} {name}, found {len(found)}"
        return found[0]

    @property
    def workloads(self) -> list[dict[str, Any]]:
        return self.of_kind(*WORKLOAD_KINDS)


# The `rendered` fixture: rendered(chart, env) -> the parsed render.
Rendered = Callable[[str, str], Render]


def parse(run: helm.HelmRun) -> Render:
    assert run.ok, f"{' '.join(run.args)} failed:\n{run.stderr}"
    return Render(run, tuple(d for d in yaml.load_all(run.stdout, Loader=SAFE_LOADER) if d))


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


def scraped_services(r: Render) -> set[str]:
    """Names of the Services the chart's ServiceMonitors select (= their `up` jobs)."""
    return {
        s["metadata"]["name"]
        for m in r.of_kind("ServiceMonitor")
        for s in r.of_kind("Service")
        if selector_matches(m["spec"]["selector"]["matchLabels"], s["metadata"]["labels"])
        and "ananta.io/headless" not in s["metadata"]["labels"]
    }


@pytest.fixture(scope="session")
def helm_bin() -> str:
    try:
        return helm.find_helm(REPO)
    except HelmError as e:
        pytest.skip(f"{e.message}: {e.hint}")


@pytest.fixture(scope="session")
def built(helm_bin: str) -> str:
    """helm, once every service chart has its library vendored."""
    parallel(lambda chart: helm.dependency_build(helm_bin, CHARTS_DIR / chart), CHARTS)
    return helm_bin


@pytest.fixture(scope="session")
def renders(built: str) -> dict[tuple[str, str], helm.HelmRun]:
    """`helm template` of every chart x environment, keyed by (chart, env)."""

    def render(case: tuple[str, str]) -> helm.HelmRun:
        chart, env = case
        chart_dir = CHARTS_DIR / chart
        return helm.template(
            built,
            chart_dir,
            chart,
            NAMESPACE[env],
            values_files(chart_dir, env),
            {"image.tag": PINNED_TAG},
        )

    return dict(zip(CASES, parallel(render, CASES), strict=True))


@pytest.fixture(scope="session")
def rendered(renders: dict[tuple[str, str], helm.HelmRun]) -> Rendered:
    """rendered(chart, env): the parsed render (asserting that helm succeeded)."""
    cache: dict[tuple[str, str], Render] = {}

    def get(chart: str, env: str) -> Render:
        if (chart, env) not in cache:
            cache[chart, env] = parse(renders[chart, env])
        return cache[chart, env]

    return get


@pytest.fixture(scope="session")
def lints(built: str) -> dict[tuple[str, str], helm.HelmRun]:
    """`helm lint --strict` of every chart x environment, keyed by (chart, env)."""

    def lint(case: tuple[str, str]) -> helm.HelmRun:
        chart, env = case
        chart_dir = CHARTS_DIR / chart
        return helm.lint(
            built,
            chart_dir,
            values_files(chart_dir, env),
            strict=True,
            set_values={"image.tag": PINNED_TAG},
        )

    return dict(zip(CASES, parallel(lint, CASES), strict=True))


@pytest.fixture(scope="session")
def chart_copy(tmp_path_factory: pytest.TempPathFactory, built: str) -> Callable[[str], Path]:
    """chart_copy(name): a scratch copy of a chart beside a copy of the library."""
    root = tmp_path_factory.mktemp("charts")
    shutil.copytree(CHARTS_DIR / "common", root / "common")

    def copy(name: str) -> Path:
        target = root / name
        if not target.exists():
            ignore = shutil.ignore_patterns("charts", "Chart.lock")
            shutil.copytree(CHARTS_DIR / name, target, ignore=ignore)
            helm.dependency_build(built, target)
        return target

    return copy
