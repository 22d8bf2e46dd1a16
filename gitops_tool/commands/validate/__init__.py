"""`gitops-tool validate`: the command (here) and its two halves, `helm` (lint, template and
policy on what helm renders) and `argocd` (the argocd/ manifests and their CRD schemas).

It checks chart structure, real helm output, policy and secrets, and argocd/ manifests.

run(options, deps) reads the repository, runs helm in a thread pool (the helm
subprocesses do the work), hands what it read and what helm printed to the pure
checks in `gitops_tool.core`, and returns a ValidateResult. It never prints.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gitops_tool.adapters import files, writer
from gitops_tool.adapters.git import history as git
from gitops_tool.adapters.lock import DEFAULT_TIMEOUT, repository_lock
from gitops_tool.commands.validate.argocd import check_argocd, read_manifests
from gitops_tool.commands.validate.helm import ChartRun, run_helm
from gitops_tool.core import selection
from gitops_tool.core.load.tree import check_pins
from gitops_tool.core.model import Environment, Settings, is_commit
from gitops_tool.core.names import environment_file
from gitops_tool.core.validate import findings as fnd
from gitops_tool.core.validate import secrets, structure
from gitops_tool.core.validate.argocd import pinned_chart_findings
from gitops_tool.core.validate.findings import Check, Finding, Waiver
from gitops_tool.core.yamldoc import check_yaml, parse_yaml
from gitops_tool.errors import InputError


@dataclass(frozen=True, slots=True)
class ValidateOptions:
    root: Path
    charts: tuple[str, ...] = ()  # empty: every chart, and the argocd/ manifests too
    environments: tuple[str, ...] = ()  # empty: every environment
    helm: bool = True
    jobs: int | None = None  # default: the number of cores


@dataclass
class ValidateDeps:
    """What the command touches besides the repository; injectable in tests."""

    helm: Any = None  # the helm adapter module (default gitops_tool.adapters.helm)
    schema_dir: Path | None = None  # the closed CRD schemas; default: the package's own
    progress: Callable[[str], None] = lambda _line: None
    clock: Callable[[], float] = time.monotonic
    warn: Callable[[str], None] = lambda _line: None  # e.g. an unfinished write completed
    lock_timeout: float = DEFAULT_TIMEOUT  # for a command writing argocd/ (repository lock)


@dataclass(frozen=True, slots=True)
class ValidateResult:
    checks: tuple[Check, ...]
    findings: tuple[Finding, ...]  # unwaived
    waived: tuple[Finding, ...]
    waivers: tuple[Waiver, ...]
    charts: tuple[str, ...]
    environments: tuple[str, ...]
    helm_version: str  # "" with --no-helm
    argocd_files: int
    schemas: tuple[str, ...]  # kinds checked against a CRD schema
    seconds: float
    warnings: tuple[str, ...] = ()  # what was not checked, and why (a CRD schema missing)

    @property
    def exit_code(self) -> int:
        return fnd.exit_code_for(self.findings)


def run(options: ValidateOptions, deps: ValidateDeps | None = None) -> ValidateResult:
    deps = deps or ValidateDeps()
    started = deps.clock()
    root = options.root
    settings = files.load_settings(root)
    known = files.environment_names(root, settings.promotion)
    env_names = selection.chosen(options.environments, known, "environment")
    environments = [files.load_environment(root, n) for n in env_names]
    folders = {p.name: p for p in files.chart_folders(root, settings)}
    chart_names = selection.chosen(options.charts, sorted(folders), "chart")
    production = settings.promotion[-1] if settings.promotion else ""
    planes = [p.name for p in settings.planes]
    charts = [_read_chart(root, settings, folders[n], env_names, planes) for n in chart_names]
    for env in environments:
        check_pins(env, sorted(folders), settings, only=chart_names)

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="argocd") as beside:
        # The argocd/ checks need no helm output: they run beside it.
        argo_run = None if options.charts else beside.submit(
            _timed, check_argocd, root, settings, folders, environments, production,
            deps.schema_dir, {c.files.name: c.files.files for c in charts},
            _settled_reader(root, settings, deps),
        )
        helm_version = ""
        if options.helm:
            helm_version = run_helm(
                root, charts, environments, production, options.jobs, deps.helm, deps.progress,
                first_stage=settings.promotion[0] if settings.promotion else "",
            )
        argo_seconds, (argocd_files, schemas, warnings, argo_found) = (
            argo_run.result() if argo_run else (0.0, (0, [], [], []))
        )

    argo_found = [f for f in argo_found if not f.environment or f.environment in env_names]
    argo_found += _pinned_chart_findings(root, settings, chart_names, environments)
    files_found = _credentials_in_files(root, env_names)
    waivers = tuple(w for c in charts for w in c.check.waivers)
    everything = [f for c in charts for f in c.findings] + argo_found + files_found
    kept, waived = fnd.apply_waivers(everything + fnd.waiver_findings(waivers), waivers)
    kept = fnd.sorted_findings(kept, env_names)
    checks = [
        fnd.check_row(
            c.files.name, env, c.renderable(env) if options.helm else None,
            c.seconds.get(env, 0.0), kept,
        )
        for c in charts
        for env in env_names
    ]
    if argo_run:
        count = sum(1 for f in kept if not f.chart and f not in files_found)
        checks.append(
            Check("argocd/", "all", "fail" if count else "pass", count, round(argo_seconds, 2))
        )
    return ValidateResult(
        checks=tuple(checks),
        findings=tuple(kept),
        waived=tuple(fnd.sorted_findings(waived, env_names)),
        waivers=waivers,
        charts=tuple(chart_names),
        environments=tuple(env_names),
        helm_version=helm_version,
        argocd_files=argocd_files,
        schemas=tuple(schemas),
        seconds=deps.clock() - started,
        warnings=tuple(warnings),
    )


def _settled_reader(
    root: Path, settings: Settings, deps: ValidateDeps
) -> Callable[[], Mapping[str, str]]:
    """Read argocd/ never half-written: a write under way is waited for (the repository
    lock), one a killed run left is completed or undone first, and deps.warn says which."""
    def locked() -> Any:
        return repository_lock(root, "validate", deps.lock_timeout, warn=deps.warn)

    return lambda: writer.read_settled(
        root, settings.output_dir, lambda: read_manifests(root, settings), locked, deps.warn
    )


def _pinned_chart_findings(
    root: Path, settings: Settings, chart_names: Sequence[str], environments: Sequence[Environment]
) -> list[Finding]:
    """Charts missing at the commit a pinned environment deploys (skipped when git cannot
    tell, e.g. in a shallow clone)."""
    found: list[Finding] = []
    for env in environments:
        by_revision: dict[str, list[str]] = {}  # a pinned commit -> the charts it deploys
        for name in chart_names:
            pin = env.releases.get(name)
            revision = pin.revision_in(env) if pin is not None else env.revision
            if is_commit(revision):
                by_revision.setdefault(revision, []).append(f"{settings.charts_dir}/{name}")
        for revision, paths in by_revision.items():
            missing = git.missing_at(root, revision, paths)
            found += pinned_chart_findings(env, missing or [], revision)
    return found


def _credentials_in_files(root: Path, env_names: Sequence[str]) -> list[Finding]:
    """Credentials recognised by their shape in the chosen environment files (read again,
    with their lines: they loaded already). gitops-tool.yaml holds only names and paths: a
    credential there is refused when it loads."""
    found: list[Finding] = []
    for env in env_names:
        rel = environment_file(env)
        text = files.read_text(files.inside(root / rel, root, rel), root)
        found += secrets.document_findings(rel, parse_yaml(text, rel), env)
    return found


def _timed(call: Callable[..., Any], *args: Any) -> tuple[float, Any]:
    began = time.monotonic()
    result = call(*args)
    return time.monotonic() - began, result


def _yaml_findings(root: Path, chart: str, dependency: str) -> list[Finding]:
    """GT-STR-002 for a dependency's Chart.yaml or values.yaml that breaks the YAML rules,
    as render refuses it (files.check_library): the same input, the same answer."""
    found = []
    for name, mapping in (("Chart.yaml", False), ("values.yaml", True)):
        path = root / dependency / name
        if path.is_file():
            try:
                check_yaml(files.read_text(path, root), f"{dependency}/{name}", mapping=mapping)
            except InputError as exc:
                found.append(Finding("GT-STR-002", chart, message=exc.message,
                                     path=f"{dependency}/{name}"))
    return found


def _read_chart(
    root: Path, settings: Settings, folder: Path, env_names: Sequence[str], planes: Sequence[str]
) -> ChartRun:
    """Read one chart folder and run the checks that need no helm: structure, values secrets."""
    rel = f"{settings.charts_dir}/{folder.name}"
    files.inside(folder, root, rel)
    files.check_links(folder, root, rel)  # helm reads the whole folder: no link may leave
    inside = files.chart_file_names(folder)  # without the vendored charts/: build output
    texts = {
        name: files.read_text(folder / name, root)
        for name in inside
        if name == "Chart.yaml" or (name.startswith("values") and name.endswith(".yaml"))
    }
    chart_files = structure.ChartFiles(folder.name, rel, inside, texts)
    check = structure.check_chart(chart_files, env_names, planes)
    chart = ChartRun(chart_files, folder, check, list(check.findings))
    metas: dict[str, Mapping[str, Any] | None] = {}
    for dep in check.dependencies:
        target = files.inside(root / dep.target, root, dep.target)
        if target.is_dir():
            files.check_links(target, root, dep.target)  # helm reads the dependency too
        meta = root / dep.target / "Chart.yaml"
        text = files.read_text(meta, root) if meta.is_file() else ""
        chart.findings += _yaml_findings(root, folder.name, dep.target)
        metas[dep.target] = structure.chart_meta_of(text, f"{dep.target}/Chart.yaml")
    chart.findings += structure.dependency_findings(chart_files, check.dependencies, metas)
    for name, data in sorted(check.values.items()):
        env = name.removeprefix("values-").removesuffix(".yaml") if name != "values.yaml" else ""
        if env and env not in env_names:
            continue
        found, literals = secrets.values_findings(folder.name, env, f"{rel}/{name}", data)
        chart.findings += found
        chart.literals += literals
    return chart


