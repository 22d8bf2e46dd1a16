"""Repo drift: files under the output folder that differ from what render produces.

Pure: reads render's write plan (`plan_for`) and never writes. Each file to write or to
remove is one finding; with details, its own unified diff (`diff_for` of that file alone).
"""

from __future__ import annotations

from collections.abc import Mapping

from gitops_tool.core.drift.findings import KIND_REPO, REPO, Finding
from gitops_tool.core.names import ROOT_FILE, root_application_name
from gitops_tool.core.render.plan import WritePlan, diff_for


def _where(path: str, output_dir: str) -> tuple[str, str]:
    """(environment, Application) a rendered path belongs to, from its place in the folder:
    argocd/<env>/applications/<app>.yaml, and argocd/<env>/root.yaml (the root Application);
    argocd/bootstrap/ belongs to no environment."""
    parts = path.split("/")
    if len(parts) < 3 or parts[0] != output_dir or parts[1] == "bootstrap":
        return "", ""
    app = ""
    if len(parts) == 4 and parts[2] == "applications" and parts[3].endswith(".yaml"):
        app = parts[3][: -len(".yaml")]
    elif parts[2:] == [ROOT_FILE]:
        app = root_application_name(parts[1])
    return parts[1], app


def repo_findings(plan: WritePlan, existing: Mapping[str, bytes | None], output_dir: str,
                  details: bool = False) -> tuple[Finding, ...]:
    """One finding per file render would write or remove, and per file in its folders that
    it did not write (no gitops-tool header: kept by render, drift all the same), in path
    order."""
    changes = [(p, d) for p, d in plan.write] + [(p, None) for p in plan.remove]
    changes += [(p, None) for p in plan.foreign]
    foreign = set(plan.foreign)
    findings = []
    for path, data in sorted(changes, key=lambda change: change[0]):
        environment, app = _where(path, output_dir)
        if path in foreign:
            message = ("not produced by render, and not written by it (no gitops-tool header): "
                       "render keeps it; remove it by hand, or restore its chart")
        elif data is None:
            message = "not produced by render (a left-over file it wrote); render removes it"
        elif path in plan.new:
            message = "missing: render would create it"
        else:
            message = "differs from what render produces (a hand edit or a forgotten render)"
        diff = ""
        if details:
            one = WritePlan(write=() if data is None else ((path, data),), unchanged=(),
                            remove=(path,) if data is None else (),
                            new=plan.new & {path})  # a foreign file shows as removed text
            diff = diff_for(one, existing)
        findings.append(Finding(kind=KIND_REPO, part=REPO, environment=environment, app=app,
                                file=path, message=message, details=diff))
    return tuple(findings)
