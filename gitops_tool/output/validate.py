"""Presentation of a ValidateResult: the table report and the JSON document. Pure strings."""

from __future__ import annotations

from typing import Any

from gitops_tool.core.validate.findings import Finding
from gitops_tool.core.validate.rules import RULES
from gitops_tool.core.wording import plural
from gitops_tool.output import table, to_json

ARGOCD_GROUP = "argocd/"


def _group(f: Finding) -> str:
    """What a finding is listed under: its chart, else the environment file it is in, else
    the argocd/ manifests."""
    if f.chart:
        return f.chart
    top = f.path.split(":", 1)[0]
    if top.startswith("environments/"):
        return top
    return ARGOCD_GROUP


def _where(f: Finding) -> str:
    parts = [p for p in (f.object, f.container and f"container {f.container}") if p]
    return " ".join(parts) or f.path


def report(result: Any) -> str:
    """The human report: checks table, findings by chart, waivers, one summary line."""
    out = [
        table(
            ("CHART", "ENV", "RESULT", "FINDINGS", "TIME"),
            (
                (c.chart, c.environment, c.status, c.findings, f"{c.seconds:.2f}s")
                for c in result.checks
            ),
        )
    ]
    groups: dict[str, list[Finding]] = {}
    for f in result.findings:
        groups.setdefault(_group(f), []).append(f)
    for chart, found in groups.items():
        out.append(f"\n{chart}: {plural(len(found), 'finding')}")
        for f in found:
            env = f.environment or "all"
            out.append(f"  {f.rule}  [{env}]  {_where(f)}: {RULES[f.rule].title}")
            for line in f.message.splitlines():
                out.append(f"      {line}")
            if f.path and f.path != _where(f):
                out.append(f"      at {f.path}")
            out.append(f"      fix: {f.fix}")
    if result.waivers:
        out.append("\nwaivers:")
        silenced: dict[tuple[str, str], int] = {}
        for f in result.waived:
            silenced[(f.chart, f.rule)] = silenced.get((f.chart, f.rule), 0) + 1
        for w in result.waivers:
            n = silenced.get((w.chart, w.rule), 0)
            out.append(
                f"  {w.chart}  {w.rule}  ({plural(n, 'finding')} waived): "
                f"{w.reason or '(no reason given)'}"
            )
    if result.warnings:
        out.append("")
        out += [f"warning: {w}" for w in result.warnings]
    out.append("\n" + summary(result))
    return "\n".join(out)


def summary(result: Any) -> str:
    rendered = f"helm {result.helm_version}" if result.helm_version else "helm not run"
    argocd = ""
    if result.argocd_files:
        schemas = ", ".join(result.schemas) if result.schemas else "none"
        missing = "; some missing: see the warnings" if result.warnings else ""
        argocd = (f", {plural(result.argocd_files, 'argocd/ file')} (CRD schemas: "
                  f"{schemas}{missing})")
    return (
        f"{plural(len(result.charts), 'chart')} x "
        f"{plural(len(result.environments), 'environment')} checked ({rendered}){argocd}: "
        f"{plural(len(result.findings), 'finding')}, {len(result.waived)} waived, "
        f"{result.seconds:.1f}s"
    )


def as_json(result: Any) -> str:
    """The machine document: every check, finding, waived finding and waiver."""

    def finding(f: Finding) -> dict[str, Any]:
        rule = RULES[f.rule]
        return {
            "rule": f.rule,
            "title": rule.title,
            "chart": f.chart,
            "environment": f.environment,
            "object": f.object,
            "container": f.container,
            "message": f.message,
            "path": f.path,
            "fix": rule.fix,
        }

    return to_json(
        {
            "exit_code": result.exit_code,
            "warnings": list(result.warnings),
            "summary": {
                "charts": list(result.charts),
                "environments": list(result.environments),
                "helm_version": result.helm_version,
                "argocd_files": result.argocd_files,
                "schemas": list(result.schemas),
                "findings": len(result.findings),
                "waived": len(result.waived),
                "seconds": round(result.seconds, 2),
            },
            "checks": [
                {
                    "chart": c.chart,
                    "environment": c.environment,
                    "status": c.status,
                    "findings": c.findings,
                    "seconds": c.seconds,
                }
                for c in result.checks
            ],
            "findings": [finding(f) for f in result.findings],
            "waived": [finding(f) for f in result.waived],
            "waivers": [
                {"chart": w.chart, "rule": w.rule, "reason": w.reason, "path": w.path}
                for w in result.waivers
            ],
        }
    )


RULES_PAGE = "docs/rules.md"


def rules_table() -> str:
    """The Markdown table of every rule, in catalog order."""
    rows = [
        "| ID | Checks | Fix | checkov | kube-score | polaris | Waivable |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in RULES.values():
        rows.append(
            f"| {r.id} | {r.title} | {r.fix} | {r.checkov or '-'} | {r.kube_score or '-'} "
            f"| {r.polaris or '-'} | {'yes' if r.waivable else 'no'} |"
        )
    return "\n".join(rows)


def rules_page() -> str:
    """docs/rules.md, generated from the catalog (scripts/generate_rules_doc.py writes it)."""
    return (
        "<!-- Generated from gitops_tool/core/validate/rules.py by "
        "scripts/generate_rules_doc.py; do not edit. -->\n"
        "# Validation rules\n\n"
        "Every finding of `gitops-tool validate` names one of these rules. An ID never changes "
        "meaning; a retired rule keeps its ID reserved. The scanner columns name the matching "
        "check of checkov, kube-score and polaris where one exists. A rule marked waivable may "
        "be waived per chart with a reason ([validate.md](validate.md#waivers)).\n\n"
        f"{rules_table()}\n"
    )
