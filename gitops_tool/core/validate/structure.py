"""Structure checks of one chart folder: required files, Chart.yaml, values files,
waivers and library dependencies. Pure: the command hands in what it read.
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from gitops_tool.core import names
from gitops_tool.core.load.charts import SEMVER
from gitops_tool.core.validate.findings import Finding, Waiver
from gitops_tool.core.validate.rules import rule
from gitops_tool.core.yamldoc import line_of, parse_yaml
from gitops_tool.errors import InputError

# The files the charts summary lists for every chart, plus the values schema (issue 2).
TEMPLATE_FILES = (
    "_helpers.tpl",
    "deployment.yaml",
    "service.yaml",
    "ingress.yaml",
    "configmap.yaml",
    "secret.yaml",
    "hpa.yaml",
    "servicemonitor.yaml",
    "serviceaccount.yaml",
    "poddisruptionbudget.yaml",
)
REQUIRED_FILES = (
    "Chart.yaml",
    "values.yaml",
    "values.schema.json",
    *(f"templates/{name}" for name in TEMPLATE_FILES),
)
FILE_SCHEME = "file://"


@dataclass(frozen=True, slots=True)
class ChartFiles:
    """What was read of one chart folder."""

    name: str  # the folder name
    path: str  # repository-relative, e.g. charts/admin-app
    files: frozenset[str]  # paths inside the folder (vendored charts/ left out)
    texts: Mapping[str, str]  # Chart.yaml and every top-level values*.yaml, by file name


@dataclass(frozen=True, slots=True)
class Dependency:
    """A `file://` dependency of a chart and the folder it points at."""

    name: str
    target: str  # repository-relative folder, normalised
    line: int | None = None


@dataclass(frozen=True, slots=True)
class ChartCheck:
    """The structure verdict of one chart and what later checks need from it."""

    findings: tuple[Finding, ...]
    values: Mapping[str, Any] = field(default_factory=dict)  # parsed values files by name
    waivers: tuple[Waiver, ...] = ()
    dependencies: tuple[Dependency, ...] = ()

    @property
    def renderable(self) -> bool:
        """False when helm cannot meaningfully run on the chart until structure is fixed."""
        return not any(rule(f.rule).blocks_helm for f in self.findings) and not any(
            f.rule == "GT-STR-001" and f.path.endswith("/Chart.yaml") for f in self.findings
        )


def values_file(environment: str) -> str:
    return f"values-{environment}.yaml"


def check_chart(
    chart: ChartFiles, environments: Sequence[str], planes: Sequence[str]
) -> ChartCheck:
    """Every structure finding of `chart`, its parsed values, waivers and dependencies."""
    found: list[Finding] = []

    def add(rule_id: str, message: str, path: str = "", env: str = "") -> None:
        found.append(Finding(rule_id, chart.name, env, message=message, path=path))

    if problem := names.name_problem(chart.name, names.RELEASE_NAME_MAX):
        add("GT-STR-009", f"chart name {chart.name!r} {problem}", chart.path)
    for required in REQUIRED_FILES:
        if required not in chart.files:
            add("GT-STR-001", f"{required} is missing", f"{chart.path}/{required}")
    for env in environments:
        if values_file(env) not in chart.files:
            add(
                "GT-STR-007",
                f"{values_file(env)} is missing: {names.environment_file(env)} has no values here",
                f"{chart.path}/{values_file(env)}",
                env,
            )
    values: dict[str, Any] = {}
    for name in sorted(chart.texts):
        if name == "Chart.yaml":
            continue
        data = _parsed(chart, name, found)
        if data is not None:
            values[name] = data
    meta = _parsed(chart, "Chart.yaml", found) if "Chart.yaml" in chart.texts else None
    waivers: tuple[Waiver, ...] = ()
    deps: tuple[Dependency, ...] = ()
    if meta is not None:
        found.extend(_chart_yaml_findings(chart, meta, planes))
        waivers = waivers_of(chart, meta)
        deps, dep_findings = _dependencies(chart, meta)
        found.extend(dep_findings)
    return ChartCheck(tuple(found), values, waivers, deps)


def _parsed(chart: ChartFiles, name: str, found: list[Finding]) -> Any:
    """The parsed mapping of one file, or None after adding a GT-STR-002 finding."""
    source = f"{chart.path}/{name}"
    try:
        data = parse_yaml(chart.texts[name], source)
    except InputError as exc:
        found.append(Finding("GT-STR-002", chart.name, message=exc.message, path=source))
        return None
    if data is None:
        return {}
    if not isinstance(data, dict):
        found.append(
            Finding(
                "GT-STR-002", chart.name, message=f"{source}:1: expected a mapping at the "
                "top level", path=source,
            )
        )
        return None
    return data


def _chart_yaml_findings(
    chart: ChartFiles, meta: dict, planes: Sequence[str]
) -> list[Finding]:
    source = f"{chart.path}/Chart.yaml"
    found = []

    def add(rule_id: str, key: str, message: str, where: Any = meta) -> None:
        line = line_of(where, key)
        path = f"{source}:{line}" if line else source
        found.append(Finding(rule_id, chart.name, message=message, path=path))

    if meta.get("apiVersion") != "v2":
        add("GT-STR-003", "apiVersion", f"apiVersion is {meta.get('apiVersion')!r}, not 'v2'")
    if meta.get("name") != chart.name:
        add(
            "GT-STR-004", "name",
            f"name {meta.get('name')!r} differs from the folder name {chart.name!r}",
        )
    version = meta.get("version")
    if not isinstance(version, str) or not SEMVER.fullmatch(version):
        add("GT-STR-005", "version", f"version {version!r} is not semver (MAJOR.MINOR.PATCH)")
    annotations = meta.get("annotations")
    annotations = annotations if isinstance(annotations, dict) else {}
    plane = annotations.get(names.CHART_PLANE_ANNOTATION)
    if plane not in planes:
        what = "is missing" if plane is None else f"is {plane!r}, not one of {list(planes)}"
        add(
            "GT-STR-006", "annotations",
            f"annotation {names.CHART_PLANE_ANNOTATION} {what}",
        )
    return found


def waivers_of(chart: ChartFiles, meta: dict) -> tuple[Waiver, ...]:
    """The waivers a Chart.yaml declares in its annotations."""
    annotations = meta.get("annotations")
    if not isinstance(annotations, dict):
        return ()
    source = f"{chart.path}/Chart.yaml"
    found = []
    for key, reason in annotations.items():
        if isinstance(key, str) and key.startswith(names.CHART_WAIVER_PREFIX):
            line = line_of(annotations, key)
            found.append(
                Waiver(
                    chart=chart.name,
                    rule=key[len(names.CHART_WAIVER_PREFIX) :],
                    reason="" if reason is None else str(reason),
                    path=f"{source}:{line}" if line else source,
                )
            )
    return tuple(sorted(found, key=lambda w: w.rule))


def _dependencies(chart: ChartFiles, meta: dict) -> tuple[tuple[Dependency, ...], list[Finding]]:
    """The chart's file:// dependencies, and findings for those that cannot resolve."""
    source = f"{chart.path}/Chart.yaml"
    deps, found = [], []
    listed = meta.get("dependencies") or []
    if not isinstance(listed, list):
        listed = []
    for dep in listed:
        if not isinstance(dep, dict):
            continue
        name = str(dep.get("name", ""))
        repo = str(dep.get("repository") or "")
        line = line_of(dep, "repository") or line_of(dep, "name")
        where = f"{source}:{line}" if line else source
        if not repo.startswith(FILE_SCHEME):
            if not repo:
                found.append(
                    Finding(
                        "GT-STR-008", chart.name,
                        message=f"dependency {name!r} has no repository (vendored archives "
                        "are build output, not source)", path=where,
                    )
                )
            continue  # a remote repository: helm dependency build resolves it
        target = posixpath.normpath(posixpath.join(chart.path, repo[len(FILE_SCHEME) :]))
        if target == ".." or target.startswith("../") or posixpath.isabs(target):
            found.append(
                Finding(
                    "GT-STR-008", chart.name,
                    message=f"dependency {name!r}: {repo} leaves the repository", path=where,
                )
            )
            continue
        deps.append(Dependency(name, target, line))
    return tuple(deps), found


def dependency_findings(
    chart: ChartFiles, deps: Sequence[Dependency], charts: Mapping[str, Mapping[str, Any] | None]
) -> list[Finding]:
    """Dependencies whose folder has no readable Chart.yaml (`charts[target]` is None or
    absent), or whose Chart.yaml names another chart or has no semver version: helm could
    not package it, so the chart is not rendered."""
    found = []
    for dep in deps:
        where = f"{chart.path}/Chart.yaml" + (f":{dep.line}" if dep.line else "")
        meta = charts.get(dep.target)
        actual = meta.get("name") if meta is not None else None
        version = meta.get("version") if meta is not None else None
        if meta is None:
            problem = f"{dep.target} holds no readable Chart.yaml"
        elif actual != dep.name:
            problem = f"{dep.target}/Chart.yaml is named {actual!r}"
        elif not isinstance(version, str) or not SEMVER.fullmatch(version):
            problem = f"{dep.target}/Chart.yaml version {version!r} is not semver"
        else:
            continue
        found.append(
            Finding(
                "GT-STR-008", chart.name, message=f"dependency {dep.name!r}: {problem}",
                path=where,
            )
        )
    return found


def chart_meta_of(text: str, source: str) -> Mapping[str, Any] | None:
    """The parsed Chart.yaml text, or None when it cannot be read or is not a mapping."""
    try:
        data = parse_yaml(text, source)
    except InputError:
        return None
    return data if isinstance(data, dict) else None
