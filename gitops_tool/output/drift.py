"""Presentation of `drift`: the text report, Markdown, JSON and GitHub annotations.

The reports are Jinja2 templates (gitops_tool/templates/drift/); this module turns the
result into the values they show, cleaned of what could harm a terminal, a Markdown page
or a CI log. jinja2 is imported only when a report is rendered.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from gitops_tool.core.drift.findings import ENVIRONMENT, LIVE, PARTS, REPO, Finding, Unknown
from gitops_tool.core.drift.stages import format_duration, stamp
from gitops_tool.core.wording import plural
from gitops_tool.output import to_json
from gitops_tool.output.github import (
    ANNOTATIONS_PER_LEVEL,
    command,
    json_for_actions,
)

if TYPE_CHECKING:
    from gitops_tool.commands.drift import DriftResult

DETAILS_MAX = 50_000  # characters of one diff in Markdown; the JSON output has it whole
TITLES = {REPO: "repo drift", LIVE: "live drift", ENVIRONMENT: "environment drift"}
HEADERS = {
    REPO: ("FILE", "PROBLEM"),
    LIVE: ("ENV", "APP", "KIND", "PROBLEM"),
    ENVIRONMENT: ("ENV", "APP", "FILE", "DRIFT", "PROBLEM"),
}


def clean(text: object) -> str:
    """One line of text from outside with control characters shown as escapes."""
    text = str(text)
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in text)


def clean_block(text: str) -> str:
    """Lines of text from outside (a diff) with control characters other than newlines and
    tabs shown as escapes."""
    return "\n".join(clean(line.replace("\t", "    ")) for line in text.splitlines())


def _where(finding: Finding) -> str:
    if not finding.file:
        return ""
    return f"{finding.file}:{finding.line}" if finding.line else finding.file


def _row(finding: Finding) -> tuple[str, ...]:
    if finding.part == REPO:
        cells: tuple[Any, ...] = (finding.file, finding.message)
    elif finding.part == LIVE:
        cells = (finding.environment, finding.app, finding.kind, finding.message)
    else:
        cells = (finding.environment, finding.app, _where(finding),
                 "yes" if finding.drift else "no", finding.message)
    return tuple(clean(c) for c in cells)


def _unknown(result: DriftResult, part: str) -> list[Unknown]:
    return [u for u in result.unknown if u.part == part]


def _live(result: DriftResult) -> dict[str, Any]:
    unknown = _unknown(result, LIVE)
    envs_unknown = list(dict.fromkeys(u.environment for u in unknown))
    if result.live_skipped:
        state = "skipped"
    elif not unknown:
        state = "checked"
    else:
        state = "unknown"
    return {
        "state": state,
        "reason": result.live_skipped,
        "required": result.require_live,
        "server": clean(result.server),
        "unknown_environments": envs_unknown,
        "first_reason": clean(unknown[0].message) if unknown else "",
    }


def _counts(result: DriftResult, findings: tuple[Finding, ...]) -> dict[str, int]:
    counts = {part: sum(1 for f in findings if f.part == part and f.drift) for part in PARTS}
    counts["drift"] = sum(counts.values())
    counts["within"] = sum(1 for f in findings if not f.drift)
    return counts


def _result(part: str, result: DriftResult, found: list[Finding]) -> dict[str, Any]:
    """What the section's one-sentence result (`result` in drift/_lines.j2) says, from all
    the findings of `part` (`found`), not only those a cut report shows."""
    return {
        "part": part,
        "found": len(found),
        "drift": sum(1 for f in found if f.drift),
        "unknown_reasons": [clean(u.message) for u in _unknown(result, part)],
        "unknown_environments": list(dict.fromkeys(u.environment
                                                   for u in _unknown(result, part))),
        "output_dir": result.output_dir,
        "skipped": result.live_skipped,
        "environments": list(result.environments),
        "stage_pairs": list(result.stage_pairs),
        "max_lag": format_duration(result.max_lag),
    }


def _details(found: list[Finding], limit: int | None) -> list[dict[str, str]]:
    blocks = []
    for finding in found:
        if not finding.details:
            continue
        text, cut_at = clean_block(finding.details), 0
        if limit is not None and len(text) > limit:
            text = text[:limit].rpartition("\n")[0]
            cut_at = text.count("\n") + 1  # lines kept: the template says where it was cut
        title = finding.file if finding.part == REPO else \
            f"{finding.environment} {finding.app}: {finding.message}"
        blocks.append({"title": clean(title), "text": text, "cut_at": cut_at})
    return blocks


@dataclass(frozen=True, slots=True)
class Cut:
    shown: int
    total: int


def _context(result: DriftResult, cap: int | None = None,
             details_limit: int | None = None) -> dict[str, Any]:
    """What the reports show. `cap`: at most that many findings of each section (the step
    summary's cut); each section then says how many of its own it left out."""
    sections = []
    for part in PARTS:
        every = [f for f in result.findings if f.part == part]
        found = every if cap is None else every[:cap]
        # repo drift's reason is its summary; live drift's, one line per environment
        unknown = [clean(f"{u.environment}{' ' + u.app if u.app else ''}: {u.message}")
                   for u in _unknown(result, part)] if part != REPO else []
        scope = ", ".join(result.environments) if part != REPO else \
            ", ".join(result.environments) + " (and bootstrap)"
        sections.append({
            "part": part,
            "title": TITLES[part],
            "scope": scope,
            "result": _result(part, result, every),
            "headers": HEADERS[part],
            "rows": [_row(f) for f in found],
            "total": len(every),
            "left_out": len(every) - len(found),
            "unknown": unknown,
            "details": _details(found, details_limit),
        })
    shown = sum(len(s["rows"]) for s in sections)
    cut = Cut(shown, len(result.findings)) if shown < len(result.findings) else None
    return {
        "live": _live(result),
        "environments": list(result.environments),
        "exit_code": result.exit_code,
        "counts": _counts(result, result.findings),
        "max_lag": format_duration(result.max_lag),
        "sections": sections,
        "cut": cut,
    }


def _render(name: str, context: dict[str, Any]) -> str:
    from gitops_tool import templates

    return templates.render(name, **context).rstrip("\n")


def drift_text(result: DriftResult) -> str:
    """The report for a terminal or a log (-o table)."""
    return _render("drift/report.txt.j2", _context(result))


def drift_markdown(result: DriftResult, limit: int | None = None) -> str:
    """The report as Markdown. With `limit` (bytes, UTF-8), each diff cut at DETAILS_MAX
    characters and, when that is not enough, each section cut to the same number of
    findings, the most that fits: every section keeps its heading, says how many it left
    out and where (so none vanishes), and the top says the report was cut. "" when not even
    the headings fit."""
    if limit is None:
        return _render("drift/report.md.j2", _context(result))

    def render(cap: int | None) -> str:
        return _render("drift/report.md.j2", _context(result, cap, DETAILS_MAX))

    def size(text: str) -> int:
        return len(text.encode("utf-8")) + 1  # and the newline after it

    whole = render(None)
    if size(whole) <= limit:
        return whole
    best = render(0)
    if size(best) > limit:
        return ""
    low = 0  # fits
    high = max(sum(1 for f in result.findings if f.part == part) for part in PARTS)  # not
    while high - low > 1:
        middle = (low + high) // 2
        text = render(middle)
        if size(text) <= limit:
            low, best = middle, text
        else:
            high = middle
    return best


def finding_json(finding: Finding) -> dict[str, Any]:
    return {
        "kind": finding.kind,
        "part": finding.part,
        "environment": finding.environment,
        "app": finding.app,
        "file": finding.file,
        "line": finding.line,
        "message": finding.message,
        "drift": finding.drift,
        "since": stamp(finding.since) if finding.since else None,
        "expected": finding.expected,
        "actual": finding.actual,
        "details": finding.details,
    }


def drift_json(result: DriftResult, github: bool = False) -> str:
    """One JSON object (docs/drift.md describes it). With `github`, `##[` inside strings is
    written as `##\\u005b` (the same JSON value), so no line reads as a legacy workflow
    command."""
    live = _live(result)
    data = {
        "exit_code": result.exit_code,
        "environments": list(result.environments),
        "checked_at": stamp(result.checked_at),
        "max_lag": format_duration(result.max_lag),
        "max_lag_seconds": int(result.max_lag.total_seconds()),
        "live": {"state": live["state"], "server": result.server or None,
                 "skipped": result.live_skipped or None, "required": result.require_live},
        "counts": _counts(result, result.findings),
        "findings": [finding_json(f) for f in result.findings],
        "unknown": [{"part": u.part, "environment": u.environment, "app": u.app,
                     "message": u.message} for u in result.unknown],
    }
    text = to_json(data)
    return json_for_actions(text) if github else text


def annotations(result: DriftResult) -> list[str]:
    """GitHub annotations: what could not be checked, then each finding: an error when it
    counts as drift, a notice when it does not (a stage behind for less than --max-lag);
    a skipped live check is a warning (an error with --require-live). GitHub shows 10 of
    each level for a step: beyond that a last notice says how many were left out."""
    lines: list[tuple[str, str]] = []
    for u in result.unknown:
        where = f"{u.environment} {u.app}".strip()
        title = f"{u.part} drift unknown" + (f" ({u.environment})" if u.environment else "")
        lines.append(("error", command("error", f"{where}: {u.message}" if where else
                                       u.message, {"title": title})))
    if result.live_skipped:
        level = "error" if result.require_live else "warning"
        lines.append((level, command(level, result.live_skipped,
                                     {"title": "live drift skipped"})))
    for f in result.findings:
        level = "error" if f.drift else "notice"
        title = f"{f.kind} ({f.environment})" if f.environment else f.kind
        message = f"{f.app}: {f.message}" if f.app else f.message
        lines.append((level, command(level, message,
                                     {"file": f.file, "line": f.line, "title": title})))
    room = {"error": ANNOTATIONS_PER_LEVEL, "warning": ANNOTATIONS_PER_LEVEL,
            "notice": ANNOTATIONS_PER_LEVEL - 1}  # the last notice may say what was left out
    shown: list[str] = []
    for level, line in lines:
        if room[level] > 0:
            room[level] -= 1
            shown.append(line)
    left = len(lines) - len(shown)
    if left:
        shown.append(command("notice", f"{plural(left, 'more finding', 'more findings')} "
                             "not annotated; the step summary and the log list them all",
                             {"title": "gitops-tool drift"}))
    return shown
