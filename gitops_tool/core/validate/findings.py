"""Findings and waivers: what validate reports, as plain immutable data.

A finding names the chart, environment, object and container it is about, the
rule it breaks and what is wrong; the fix comes from the rule. Messages never
carry a secret value. Waivers come from Chart.yaml annotations
`gitops-tool/waive.<RULE-ID>: <reason>`; a waiver without a reason silences
nothing and is itself a finding.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from gitops_tool.core.validate.rules import RULES, rule
from gitops_tool.errors import EXIT_FOUND, EXIT_INPUT, EXIT_OK


@dataclass(frozen=True, slots=True)
class Finding:
    """One rule broken by one thing."""

    rule: str  # a key of rules.RULES
    chart: str  # "" when the finding is about no single chart (e.g. an AppProject)
    environment: str = ""  # "" when it holds in every environment
    object: str = ""  # Kind/name of the rendered object
    container: str = ""
    message: str = ""  # what is wrong; never a secret value
    path: str = ""  # the repository file it is about, with :line when known

    @property
    def fix(self) -> str:
        return rule(self.rule).fix


@dataclass(frozen=True, slots=True)
class Waiver:
    """A rule a chart waives, with the reason it gives."""

    chart: str
    rule: str
    reason: str
    path: str  # the Chart.yaml it is declared in


def waiver_findings(waivers: Iterable[Waiver]) -> list[Finding]:
    """Waivers that are themselves errors: no reason, or a rule that cannot be waived."""
    found = []
    for w in waivers:
        known = RULES.get(w.rule)
        if known is None or not known.waivable:
            why = "is not a rule ID" if known is None else "cannot be waived"
            found.append(
                Finding("GT-WVR-002", w.chart, message=f"waiver {w.rule!r} {why}", path=w.path)
            )
        if not w.reason.strip():
            found.append(
                Finding(
                    "GT-WVR-001", w.chart, message=f"waiver of {w.rule} gives no reason",
                    path=w.path,
                )
            )
    return found


def valid_waivers(waivers: Iterable[Waiver]) -> dict[tuple[str, str], Waiver]:
    """(chart, rule) -> waiver, for the waivers that may silence findings."""
    return {
        (w.chart, w.rule): w
        for w in waivers
        if w.reason.strip() and w.rule in RULES and RULES[w.rule].waivable
    }


def apply_waivers(
    findings: Iterable[Finding], waivers: Iterable[Waiver]
) -> tuple[list[Finding], list[Finding]]:
    """Split findings into (kept, waived) by the charts' valid waivers."""
    by_key = valid_waivers(waivers)
    kept, waived = [], []
    for f in findings:
        (waived if (f.chart, f.rule) in by_key else kept).append(f)
    return kept, waived


def exit_code_for(findings: Iterable[Finding]) -> int:
    """2 when a chart cannot be read at all, 1 for any other finding, 0 when clean."""
    code = EXIT_OK
    for f in findings:
        if rule(f.rule).input_error:
            return EXIT_INPUT
        code = EXIT_FOUND
    return code


def sorted_findings(findings: Iterable[Finding], environments: Sequence[str]) -> list[Finding]:
    """A stable order: chart, environment (chain order, chart-wide first), rule, object."""
    order = {name: i for i, name in enumerate(environments)}
    return sorted(
        set(findings),
        key=lambda f: (
            f.chart,
            -1 if not f.environment else order.get(f.environment, len(order)),
            f.rule,
            f.object,
            f.container,
            f.path,
            f.message,
        ),
    )


@dataclass(frozen=True, slots=True)
class Check:
    """One row of the report: a chart in an environment (or the argocd/ manifests)."""

    chart: str
    environment: str
    status: str  # pass | fail | not rendered | no helm
    findings: int
    seconds: float


def check_row(
    chart: str, environment: str, rendered: bool | None, seconds: float,
    findings: Iterable[Finding],
) -> Check:
    """The row of `chart` in `environment`: its findings there and its chart-wide ones.

    `rendered` is None when helm was not asked for, False when the chart could not be.
    """
    count = sum(1 for f in findings if f.chart == chart and f.environment in ("", environment))
    if rendered is False:
        status = "not rendered"  # its structure findings say why
    elif count:
        status = "fail"
    else:
        status = "no helm" if rendered is None else "pass"
    return Check(chart, environment, status, count, round(seconds, 2))
