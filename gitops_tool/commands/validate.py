"""`gitops-tool validate`: chart structure, real helm, policy and secrets, argocd/ manifests.

run(options, deps) reads the repository, runs helm in a thread pool (the helm
subprocesses do the work), hands what it read and what helm printed to the pure
checks in `gitops_tool.core`, and returns a ValidateResult. It never prints.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gitops_tool.adapters import files
from gitops_tool.core import findings as fnd
from gitops_tool.core import helm_output, secrets, selection, structure
from gitops_tool.core import policy_argocd as argo
from gitops_tool.core.findings import Check, Finding, Waiver
from gitops_tool.core.model import Environment, Settings
from gitops_tool.core.policy import policy_findings
from gitops_tool.errors import HelmError, InputError

CRD_FILES = {
    "Application": "application-crd.yaml",
    "ApplicationSet": "applicationset-crd.yaml",
    "AppProject": "appproject-crd.yaml",
}
# The Helm major version Argo CD renders with here (scripts/ensure_helm.py fetches helm v4).
ARGOCD_HELM_MAJOR = 4
IMAGE_TAG_VALUE = "image.tag"  # what each Application passes: the environment's release pin
SCHEMA_CACHE_VERSION = b"closed-v1\n"  # bump when policy_argocd.closed_schema changes


@dataclass(frozen=True)
class ValidateOptions:
    root: Path
    charts: tuple[str, ...] = ()  # empty: every chart, and the argocd/ manifests too
    environments: tuple[str, ...] = ()  # empty: every environment
    helm: bool = True
    jobs: int | None = None  # default: the number of cores


def _default_cache_dir() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "gitops-tool"


@dataclass
class ValidateDeps:
    """What the command touches besides the repository; injectable in tests."""

    helm: Any = None  # the helm adapter module (default gitops_tool.adapters.helm)
    reference_dir: Path | None = None  # CRD schemas; default ../shared/reference/argocd
    cache_dir: Path | None = field(default_factory=_default_cache_dir)  # parsed CRD schemas
    progress: Callable[[str], None] = lambda _line: None
    clock: Callable[[], float] = time.monotonic


@dataclass(frozen=True)
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

    @property
    def exit_code(self) -> int:
        return fnd.exit_code_for(self.findings)


@dataclass
class _Chart:
    """One chart on its way through the checks."""

    files: structure.ChartFiles
    folder: Path
    check: structure.ChartCheck
    findings: list[Finding] = field(default_factory=list)
    literals: list[str] = field(default_factory=list)  # secret values: for masking only
    seconds: dict[str, float] = field(default_factory=dict)  # helm time per environment

    def renderable(self, env: str | None = None) -> bool:
        """Whether helm runs on it (in `env`: that environment's values file exists)."""
        if env is not None and structure.values_file(env) not in self.files.files:
            return False
        return self.check.renderable and not any(f.rule == "GT-STR-008" for f in self.findings)

    def finding(self, rule_id: str, env: str, message: str) -> Finding:
        masked = secrets.masked(message, self.literals)
        return Finding(rule_id, self.files.name, env, message=masked, path=self.files.path)


def run(options: ValidateOptions, deps: ValidateDeps | None = None) -> ValidateResult:
    deps = deps or ValidateDeps()
    started = deps.clock()
    root = options.root
    settings = files.load_settings(root)
    known = selection.in_chain_order(files.environment_names(root), settings.promotion)
    env_names = selection.chosen(options.environments, known, "environment")
    environments = [files.load_environment(root, n) for n in env_names]
    folders = {p.name: p for p in files.chart_folders(root, settings)}
    chart_names = selection.chosen(options.charts, sorted(folders), "chart")
    production = settings.promotion[-1] if settings.promotion else ""
    planes = [p.name for p in settings.planes]
    charts = [_read_chart(root, settings, folders[n], env_names, planes) for n in chart_names]
    for env in environments:
        for name in chart_names:
            if name not in env.releases:
                raise InputError(
                    f"{env.source}: releases.{name}: missing: every service needs a release "
                    "pin in every environment",
                    hint=f"add `releases: {{{name}: {{image: <tag>}}}}` to {env.source}",
                )

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="argocd") as beside:
        # The argocd/ checks need no helm output: they run beside it.
        argo_run = None if options.charts else beside.submit(
            _timed, _check_argocd, root, settings, folders, environments, production, deps
        )
        helm_version = ""
        if options.helm:
            helm_version = _run_helm(root, charts, environments, production, options, deps)
        argo_seconds, (argocd_files, schemas, argo_found) = (
            argo_run.result() if argo_run else (0.0, (0, [], []))
        )

    argo_found = [f for f in argo_found if not f.environment or f.environment in env_names]
    waivers = tuple(w for c in charts for w in c.check.waivers)
    everything = [f for c in charts for f in c.findings] + argo_found
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
        count = sum(1 for f in kept if not f.chart)
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
    )


def _timed(call: Callable[..., Any], *args: Any) -> tuple[float, Any]:
    began = time.monotonic()
    result = call(*args)
    return time.monotonic() - began, result


def _read_chart(
    root: Path, settings: Settings, folder: Path, env_names: Sequence[str], planes: Sequence[str]
) -> _Chart:
    """Read one chart folder and run the checks that need no helm: structure, values secrets."""
    rel = f"{settings.charts_dir}/{folder.name}"
    files.inside(folder, root, rel)
    inside = frozenset(
        p.relative_to(folder).as_posix()
        for p in folder.rglob("*")
        if p.is_file() and p.relative_to(folder).parts[0] != "charts"  # vendored: build output
    )
    texts = {
        name: files.read_text(folder / name, root)
        for name in inside
        if name == "Chart.yaml" or (name.startswith("values") and name.endswith(".yaml"))
    }
    chart_files = structure.ChartFiles(folder.name, rel, inside, texts)
    check = structure.check_chart(chart_files, env_names, planes)
    chart = _Chart(chart_files, folder, check, list(check.findings))
    names: dict[str, str | None] = {}
    for dep in check.dependencies:
        meta = root / dep.target / "Chart.yaml"
        text = files.read_text(meta, root) if meta.is_file() else ""
        names[dep.target] = structure.chart_name_of(text, f"{dep.target}/Chart.yaml")
    chart.findings += structure.dependency_findings(chart_files, check.dependencies, names)
    for name, data in sorted(check.values.items()):
        env = name.removeprefix("values-").removesuffix(".yaml") if name != "values.yaml" else ""
        if env and env not in env_names:
            continue
        found, literals = secrets.values_findings(folder.name, env, f"{rel}/{name}", data)
        chart.findings += found
        chart.literals += literals
    return chart


def _run_helm(
    root: Path,
    charts: Sequence[_Chart],
    environments: Sequence[Environment],
    production: str,
    options: ValidateOptions,
    deps: ValidateDeps,
) -> str:
    """Run helm for every renderable chart x environment; add the findings to the charts.

    One pool: each chart first gets its dependencies built (once, and only when they are
    not up to date), then its lint and template runs join the queue.
    """
    helm_mod = deps.helm
    if helm_mod is None:
        from gitops_tool.adapters import helm as helm_mod
    helm = helm_mod.find_helm(root)
    lock = threading.Lock()
    version: list[str] = []

    def check_version() -> list[tuple[Any, ...]]:
        version.append(helm_mod.helm_version(helm))
        if helm_output.major_version(version[0]) != ARGOCD_HELM_MAJOR:
            raise HelmError(
                f"{helm} is helm {version[0]}; Argo CD renders these charts with Helm "
                f"{ARGOCD_HELM_MAJOR}, so validate would check something else (render parity)",
                hint=f"`python3 scripts/ensure_helm.py` fetches helm v{ARGOCD_HELM_MAJOR}; or "
                "set GITOPS_TOOL_HELM to one",
            )
        return []

    def prepare(chart: _Chart) -> list[tuple[Any, ...]]:
        if chart.check.dependencies:
            try:
                helm_mod.dependency_build(helm, chart.folder)
            except HelmError as exc:
                if helm_output.crashed(0, str(exc)):
                    raise
                with lock:
                    chart.findings.append(chart.finding("GT-HELM-001", "", str(exc)))
                return []
        return [
            (render, chart, env, lint)
            for env in environments
            if chart.renderable(env.name)
            for lint in (False, True)
        ]

    def render(chart: _Chart, env: Environment, lint: bool) -> None:
        values = [chart.folder / "values.yaml", chart.folder / structure.values_file(env.name)]
        pin = {IMAGE_TAG_VALUE: env.releases[chart.files.name].image_tag}
        if lint:
            out = helm_mod.lint(helm, chart.folder, values, strict=True, set_values=pin)
        else:
            name, namespace = chart.files.name, env.namespace  # as the Application renders it
            out = helm_mod.template(helm, chart.folder, name, namespace, values, set_values=pin)
        if helm_output.crashed(out.returncode, out.stderr):
            detail = secrets.masked(helm_output.tail(out.stderr or out.stdout), chart.literals)
            raise HelmError(
                f"helm crashed on {chart.files.path} (exit {out.returncode}): {detail}",
                hint="re-run with a working helm v4: scripts/ensure_helm.py, or put one on PATH",
            )
        found = _outcome(out, chart, env, lint, env.name == production)
        with lock:
            chart.findings += found
            chart.seconds[env.name] = chart.seconds.get(env.name, 0.0) + out.seconds
        deps.progress(f"{'linted' if lint else 'rendered'} {chart.files.name} {env.name}")

    # Biggest charts first, so that the pool does not end waiting on one of them.
    todo = sorted(
        (c for c in charts if c.renderable()),
        key=lambda c: -sum(len(t) for t in c.files.texts.values()),
    )
    jobs = max(1, options.jobs or os.cpu_count() or 1)
    try:
        with ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="helm") as pool:
            _drain(pool, [(check_version,), *((prepare, c) for c in todo)], helm_mod.stop_all)
    finally:
        helm_mod.allow_runs()
    return version[0]


def _outcome(out: Any, chart: _Chart, env: Environment, lint: bool, production: bool) -> list:
    """The findings of one finished helm lint or template run."""
    if out.returncode != 0:
        rule_id = "GT-HELM-002" if lint else "GT-HELM-003"
        return [chart.finding(rule_id, env.name, helm_output.message(out.stdout, out.stderr))]
    if lint:
        return []
    try:
        docs = helm_output.documents(out.stdout)
    except ValueError as exc:
        return [chart.finding("GT-HELM-003", env.name, str(exc))]
    name = chart.files.name
    return policy_findings(docs, name, env.name, production) + secrets.rendered_findings(
        docs, name, env.name
    )


def _drain(
    pool: ThreadPoolExecutor, tasks: Iterable[tuple[Any, ...]], stop: Callable[[], None]
) -> None:
    """Run `tasks` (fn, *args) and the tasks each returns, until none is left.

    On the first error, or Ctrl-C, cancel what has not started, stop the helm
    processes that have, and re-raise.
    """
    pending: set[Future] = {pool.submit(*t) for t in tasks}
    try:
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for f in done:
                pending |= {pool.submit(*t) for t in f.result() or ()}
    except BaseException as exc:
        for f in pending:
            f.cancel()
        pool.shutdown(wait=False, cancel_futures=True)
        if isinstance(exc, KeyboardInterrupt):
            stop()  # a SIGINT to this process alone does not reach the helm children
        raise


def _check_argocd(
    root: Path,
    settings: Settings,
    folders: Mapping[str, Path],
    environments: Sequence[Environment],
    production: str,
    deps: ValidateDeps,
) -> tuple[int, list[str], list[Finding]]:
    """Parse argocd/**/*.yaml and check it: (files read, kinds schema-checked, findings)."""
    import yaml

    out_dir = root / settings.output_dir
    paths = sorted(out_dir.rglob("*.yaml")) if out_dir.is_dir() else []
    manifests, found = [], []
    for path in paths:
        rel = files.display_path(path, root)
        try:
            docs = list(yaml.load_all(files.read_text(path, root), Loader=yaml.CSafeLoader))
        except yaml.YAMLError as exc:
            found.append(Finding("GT-STR-002", "", message=f"{rel}: {exc}", path=rel))
            continue
        manifests += [
            argo.Manifest(rel, d)
            for d in docs
            if isinstance(d, dict) and d.get("kind") in argo.ARGO_KINDS
        ]
    chart_files = {
        name: frozenset(p.relative_to(f).as_posix() for p in f.rglob("*") if p.is_file())
        for name, f in folders.items()
    }
    dirs = frozenset(files.display_path(p.parent, root) for p in paths)
    inputs = argo.ArgoInputs(settings.charts_dir, chart_files, environments, production, dirs)
    found += argo.argocd_findings(manifests, inputs)
    schemas = _schemas({m.kind for m in manifests}, root, deps)
    found += argo.schema_findings(manifests, schemas, closed=True)
    return len(paths), sorted(schemas), found


def _schemas(kinds: Iterable[str], root: Path, deps: ValidateDeps) -> dict[str, Mapping]:
    """The closed CRD schemas of `kinds`, when the reference folder is present."""
    folder = deps.reference_dir or root.parent / "shared" / "reference" / "argocd"
    schemas = {}
    for kind in sorted(kinds):
        path = folder / CRD_FILES[kind]
        if path.is_file() and (parsed := _closed_crd_schema(path, deps.cache_dir)):
            schemas[parsed[0]] = parsed[1]
    return schemas


def _closed_crd_schema(path: Path, cache_dir: Path | None) -> tuple[str, Mapping] | None:
    """(kind, closed schema) of a CRD file. Parsing the 1.4 MB ApplicationSet CRD costs
    half a second of CPU, so the result is kept as JSON under `cache_dir`, named by the
    hash of the file: a changed CRD is a new entry, never a stale one."""
    import hashlib
    import json

    import yaml

    raw = path.read_bytes()
    digest = hashlib.sha256(SCHEMA_CACHE_VERSION + raw).hexdigest()[:24]
    cached = cache_dir / f"crd-{digest}.json" if cache_dir else None
    if cached is not None and cached.is_file():
        with contextlib.suppress(OSError, ValueError):
            kind, schema = json.loads(cached.read_text("utf-8"))
            return kind, schema
    parsed = argo.crd_schema(yaml.load(raw, Loader=yaml.CSafeLoader))
    if parsed is None:
        return None
    kind, schema = parsed[0], argo.closed_schema(parsed[1])
    if cached is not None:
        tmp = cached.with_name(f".{cached.name}.{os.getpid()}.tmp")
        try:
            cached.parent.mkdir(parents=True, exist_ok=True)
            tmp.write_text(json.dumps([kind, schema]), "utf-8")
            os.replace(tmp, cached)
        except OSError:
            pass  # no cache: slower next time, nothing else
        finally:
            tmp.unlink(missing_ok=True)
    return kind, schema
