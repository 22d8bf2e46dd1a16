"""The helm part of `gitops-tool validate`: one thread pool running helm dependency build,
lint and template for every chart x environment, and the findings of what helm printed.

The helm subprocesses do the work; the threads wait on them. Nothing here prints.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gitops_tool.adapters.interrupts import ctrl_c_recorded
from gitops_tool.core import helm as helm_output
from gitops_tool.core.helm import ARGOCD_HELM_MAJOR
from gitops_tool.core.model import Environment
from gitops_tool.core.names import IMAGE_TAG_PARAMETER
from gitops_tool.core.validate import secrets, structure
from gitops_tool.core.validate.findings import Finding
from gitops_tool.core.validate.ingress import ingress_findings
from gitops_tool.core.validate.platform import external_secret_findings, network_findings
from gitops_tool.core.validate.pods import policy_findings
from gitops_tool.errors import HelmError


@dataclass
class ChartRun:
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

    def finding(self, rule_id: str, env: str, message: str, path: str = "") -> Finding:
        masked = secrets.masked(message, self.literals)
        return Finding(rule_id, self.files.name, env, message=masked,
                       path=path or self.files.path)


def run_helm(
    root: Path,
    charts: Sequence[ChartRun],
    environments: Sequence[Environment],
    production: str,
    jobs: int | None,
    helm_mod: Any = None,
    progress: Callable[[str], None] = lambda _line: None,
    first_stage: str = "",
) -> str:
    """Run helm for every renderable chart x environment; add the findings to the charts.

    One pool: each chart first gets its dependencies built (once, and only when they are
    not up to date), then its lint and template runs join the queue.
    """
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
                hint=f"`make helm` fetches helm v{ARGOCD_HELM_MAJOR}; or "
                "set GITOPS_TOOL_HELM to one",
            )
        return []

    def prepare(chart: ChartRun) -> list[tuple[Any, ...]]:
        if chart.check.dependencies:
            try:
                helm_mod.dependency_build(helm, chart.folder)
            except helm_mod.HelmFailed as exc:
                run = exc.run
                if not helm_output.chart_error(run.returncode, run.stdout, run.stderr):
                    raise _crash(chart, "building its dependencies", run) from exc
                said = helm_output.message(run.stdout, run.stderr)
                with lock:
                    chart.findings.append(chart.finding("GT-HELM-001", "", said))
                return []
        return [
            (render, chart, env, lint)
            for env in environments
            if chart.renderable(env.name)
            for lint in (False, True)
        ]

    def render(chart: ChartRun, env: Environment, lint: bool) -> None:
        values = [chart.folder / "values.yaml", chart.folder / structure.values_file(env.name)]
        pin = {IMAGE_TAG_PARAMETER: env.releases[chart.files.name].image_tag}
        if lint:
            out = helm_mod.lint(helm, chart.folder, values, strict=True, set_values=pin)
        else:
            name, namespace = chart.files.name, env.namespace  # as the Application renders it
            out = helm_mod.template(helm, chart.folder, name, namespace, values, set_values=pin)
        if helm_output.crashed(out.returncode, out.stderr):
            raise _crash(chart, "linting it" if lint else f"rendering it for {env.name}", out)
        found = _outcome(out, chart, env, lint, env.name == production, first_stage)
        with lock:
            chart.findings += found
            chart.seconds[env.name] = chart.seconds.get(env.name, 0.0) + out.seconds
        progress(f"{'linted' if lint else 'rendered'} {chart.files.name} {env.name}")

    # Biggest charts first, so that the pool does not end waiting on one of them.
    todo = sorted(
        (c for c in charts if c.renderable()),
        key=lambda c: -sum(len(t) for t in c.files.texts.values()),
    )
    jobs = max(1, jobs or os.cpu_count() or 1)
    try:
        with ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="helm") as pool:
            _drain(pool, [(check_version,), *((prepare, c) for c in todo)], helm_mod.stop_all)
    finally:
        helm_mod.allow_runs()
    return version[0]


def _crash(chart: ChartRun, doing: str, run: Any) -> HelmError:
    """The error of helm crashing on a chart (exit 3): helm failed, not the chart."""
    detail = secrets.masked(helm_output.crash_detail(run.stdout, run.stderr), chart.literals)
    return HelmError(
        f"helm crashed on {chart.files.path} {doing} ({helm_output.exit_of(run.returncode)}): "
        f"{detail}",
        hint="re-run with a working helm v4: `make helm` fetches one, or put one on PATH",
    )


def _outcome(
    out: Any, chart: ChartRun, env: Environment, lint: bool, production: bool, first_stage: str
) -> list:
    """The findings of one finished helm lint or template run."""
    if out.returncode != 0:
        said = helm_output.message(out.stdout, out.stderr)
        violations = helm_output.schema_violations(said)
        if violations and not lint:
            return [_schema_finding(chart, env, violations, said)]
        if violations and not helm_output.other_lint_problems(said):
            return []  # the template run of the same values reports them, once (GT-HELM-004)
        rule_id = "GT-HELM-002" if lint else "GT-HELM-003"
        return [chart.finding(rule_id, env.name, said)]
    if lint:
        return []
    try:
        docs = helm_output.documents(out.stdout)
    except ValueError as exc:
        return [chart.finding("GT-HELM-003", env.name, str(exc))]
    name = chart.files.name
    return [
        *policy_findings(docs, name, env.name, production),
        *ingress_findings(docs, name, env.name, env.domain),
        *secrets.rendered_findings(docs, name, env.name),
        *network_findings(docs, name, env.name, required=env.name != first_stage),
        *external_secret_findings(docs, name, env.name),
    ]


def _schema_finding(chart: ChartRun, env: Environment, violations: Sequence[Any],
                    said: str) -> Finding:
    """GT-HELM-004: each key that breaks values.schema.json, named in the values file that
    sets it (helm itself names only values.yaml), then helm's whole message."""
    layers = [(name, chart.check.values.get(name))
              for name in ("values.yaml", structure.values_file(env.name))]
    lines, paths = [], []
    for violation in violations:
        setting = helm_output.files_setting(violation.key, layers) or [n for n, _ in layers]
        paths += [f"{chart.files.path}/{name}" for name in setting[:1]]
        lines.append(f"{' and '.join(setting)}: {violation.key}: {violation.problem}")
    path = paths[0] if len(set(paths)) == 1 else chart.files.path
    return chart.finding("GT-HELM-004", env.name, "\n".join([*lines, said]), path)


POLL_SECONDS = 0.1  # how often _drain looks for a Ctrl-C between finished runs


def _drain(
    pool: ThreadPoolExecutor, tasks: Iterable[tuple[Any, ...]], stop: Callable[[], None]
) -> None:
    """Run `tasks` (fn, *args) and the tasks each returns, until none is left.

    On the first error, or Ctrl-C, cancel what has not started, stop the helm
    processes that have, and re-raise. Ctrl-C is taken as a flag while the pool runs and
    acted on between waits: a KeyboardInterrupt raised inside `wait()` could leave a
    future's lock held, and the pool would then wait for its worker for ever.
    """
    with ctrl_c_recorded() as interrupted:
        pending: set[Future] = {pool.submit(*t) for t in tasks}
        try:
            while pending:
                done, pending = wait(pending, timeout=POLL_SECONDS,
                                     return_when=FIRST_COMPLETED)
                if interrupted:  # before the results: a helm run Ctrl-C killed is no crash
                    raise KeyboardInterrupt
                for f in done:
                    pending |= {pool.submit(*t) for t in f.result() or ()}
        except BaseException as exc:
            for f in pending:
                f.cancel()
            pool.shutdown(wait=False, cancel_futures=True)
            if isinstance(exc, KeyboardInterrupt):
                stop()  # a SIGINT to this process alone does not reach the helm children
            raise
