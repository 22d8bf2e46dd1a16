"""Alerts (issue 14): one PrometheusRule per chart in staging and prod, none in dev; per workload
the five alerts its resources call for, on series that exist, naming objects that exist, with
the environment's severity and a runbook section each."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.support.repo import REPO
from tests.support.repo.helm import Render, Rendered

from .objects import scraped_services, selector_matches
from .series import OBJECT_LABELS, pod_pattern_matches, sample_pods, selector_problems, selectors
from .spec import ALERT_SEVERITY, CASE_IDS, CASES, CHARTS, ENVIRONMENTS, NAMESPACE

pytestmark = pytest.mark.helm

RUNBOOKS = REPO / "docs" / "runbooks.md"
RUNBOOK_URL = "https://github.com/ananta-platform/ananta-gitops/blob/main/docs/runbooks.md"
# The durations.
FOR = {
    "AnantaTargetDown": "5m",
    "AnantaPodCrashLooping": "15m",
    "AnantaReplicasUnavailable": "10m",
    "AnantaHPAMaxedOut": "15m",
    "AnantaPDBBlocksDisruption": "30m",
}
# The summary's Troubleshooting list: runbooks.md says what to check for each.
TROUBLESHOOTING = (
    "ImagePullBackOff",
    "CrashLoopBackOff",
    "Database connection",
    "Ingress not working",
    "HPA not scaling",
)
SEED_COMMANDS = (
    "kubectl run -it --rm debug --image=curlimages/curl",
    "kubectl port-forward",
    "kubectl logs",
    "kubectl get pods",
)


def expected_alerts(r: Render) -> set[tuple[str, str]]:
    """(alert, workload) for every alert the chart's resources call for."""
    expected = set()
    for w in r.workloads:
        name, labels = w["metadata"]["name"], w["spec"]["template"]["metadata"]["labels"]
        expected |= {("AnantaPodCrashLooping", name), ("AnantaReplicasUnavailable", name)}
        hpas = r.of_kind("HorizontalPodAutoscaler")
        if any(h["spec"]["scaleTargetRef"]["name"] == name for h in hpas):
            expected.add(("AnantaHPAMaxedOut", name))
        budgets = r.of_kind("PodDisruptionBudget")
        if any(selector_matches(b["spec"]["selector"]["matchLabels"], labels) for b in budgets):
            expected.add(("AnantaPDBBlocksDisruption", name))
    expected |= {("AnantaTargetDown", job) for job in scraped_services(r)}
    return expected


def slug(heading: str) -> str:
    """GitHub's anchor of a Markdown heading."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def runbook_sections() -> dict[str, str]:
    """anchor -> the text of that section of docs/runbooks.md."""
    sections: dict[str, str] = {}
    current = None
    for line in RUNBOOKS.read_text(encoding="utf-8").splitlines():
        if m := re.match(r"^#{2,3} (.+)$", line):
            current = slug(m[1])
            sections[current] = ""
        elif current:
            sections[current] += line + "\n"
    return sections


def namespace_workloads(rendered: Rendered, env: str) -> list[dict[str, Any]]:
    return [w for chart in CHARTS for w in rendered(chart, env).workloads]


@pytest.mark.parametrize(("chart", "env"), CASES, ids=CASE_IDS)
def test_alerts_per_workload_with_the_environments_severity(
    rendered: Rendered, chart: str, env: str
) -> None:
    r = rendered(chart, env)
    rules = r.of_kind("PrometheusRule")
    if ALERT_SEVERITY[env] is None:
        assert rules == [], "no alerts in dev by default"
        return
    [rule] = rules
    assert rule["apiVersion"] == "monitoring.coreos.com/v1"
    alerts = [a for group in rule["spec"]["groups"] for a in group["rules"]]
    found = [(a["alert"], a["labels"]["workload"]) for a in alerts]
    assert len(found) == len(set(found)), "an alert is defined twice"
    assert set(found) == expected_alerts(r)
    for alert in alerts:
        assert alert["for"] == FOR[alert["alert"]]
        assert alert["labels"] == {
            "severity": ALERT_SEVERITY[env],
            "environment": env,
            "plane": CHARTS[chart].plane,
            "workload": alert["labels"]["workload"],
        }
        notes = alert["annotations"]
        assert set(notes) == {"summary", "description", "runbook_url"}
        assert notes["summary"].strip() and notes["description"].strip()
        assert notes["runbook_url"] == f"{RUNBOOK_URL}#{alert['alert'].lower()}"


ALERTING = [(c, i) for c, i in zip(CASES, CASE_IDS, strict=True) if ALERT_SEVERITY[c[1]]]


@pytest.mark.parametrize(("chart", "env"), [c for c, _ in ALERTING], ids=[i for _, i in ALERTING])
def test_alert_queries_name_existing_series_and_objects(
    rendered: Rendered, chart: str, env: str
) -> None:
    r = rendered(chart, env)
    [rule] = r.of_kind("PrometheusRule")
    others = namespace_workloads(rendered, env)
    for alert in (a for group in rule["spec"]["groups"] for a in group["rules"]):
        workload = alert["labels"]["workload"]
        problems = selector_problems(alert["expr"], NAMESPACE[env])
        assert problems == [], (alert["alert"], workload, problems)
        for s in selectors(alert["expr"]):
            for label, kind in OBJECT_LABELS.items():
                if (name := s.equal(label)) is not None:
                    assert name == workload
                    r.get(kind, name)  # the object exists
            if (job := s.equal("job")) is not None:
                assert job == workload and job in scraped_services(r)
            if (pattern := s.regex("pod")) is not None:
                matched = {
                    w["metadata"]["name"]
                    for w in others
                    if any(pod_pattern_matches(pattern, p) for p in sample_pods(w))
                }
                assert matched == {workload}, (pattern, matched)
                [mine] = [w for w in r.workloads if w["metadata"]["name"] == workload]
                assert all(pod_pattern_matches(pattern, p) for p in sample_pods(mine))


def test_every_alert_has_a_runbook_section_with_kubectl_commands(rendered: Rendered) -> None:
    sections = runbook_sections()
    names = {
        a["alert"]
        for chart in CHARTS
        for env in ENVIRONMENTS
        for rule in rendered(chart, env).of_kind("PrometheusRule")
        for group in rule["spec"]["groups"]
        for a in group["rules"]
    }
    assert names == set(FOR)
    for name in names:
        assert "kubectl " in sections[name.lower()], f"{name}: what to run"


def test_runbooks_cover_the_summarys_troubleshooting_list() -> None:
    sections = runbook_sections()
    for topic in TROUBLESHOOTING:
        assert any(a.startswith(slug(topic)) for a in sections), topic
    text = RUNBOOKS.read_text(encoding="utf-8")
    for command in SEED_COMMANDS:  # the summary's Testing section
        assert command in text, command


def test_links_inside_the_runbooks_resolve() -> None:
    sections = runbook_sections()
    text = RUNBOOKS.read_text(encoding="utf-8")
    for anchor in re.findall(r"\]\(#([^)]+)\)", text):
        assert anchor in sections, f"runbooks.md links to a missing #{anchor}"


# What an annotation may hold of Prometheus's template language: a label of the alert's
# series, or its value. Anything else between braces (an empty `{{ }}`, a stray brace) makes
# Prometheus refuse the whole rule group, and `%!` is Go's mark of a printf gone wrong.
PLACEHOLDER = re.compile(r"\{\{ (?:\$labels\.[a-z_]+|\$value) \}\}")
# The labels each alert's series carries that its annotations may quote.
SERIES_LABELS = {
    "AnantaTargetDown": {"instance", "job", "namespace", "pod"},
    "AnantaPodCrashLooping": {"container", "namespace", "pod"},
}


@pytest.mark.parametrize(("chart", "env"), [c for c, _ in ALERTING], ids=[i for _, i in ALERTING])
def test_alert_annotations_are_templates_prometheus_accepts(
    rendered: Rendered, chart: str, env: str
) -> None:
    [rule] = rendered(chart, env).of_kind("PrometheusRule")
    for alert in (a for group in rule["spec"]["groups"] for a in group["rules"]):
        for key in ("summary", "description"):
            text = alert["annotations"][key]
            assert "%!" not in text, (alert["alert"], key, text)
            bare = PLACEHOLDER.sub("", text)
            assert "{" not in bare and "}" not in bare, (alert["alert"], key, text)
            quoted = set(re.findall(r"\$labels\.([a-z_]+)", text))
            assert quoted <= SERIES_LABELS.get(alert["alert"], set()), (alert["alert"], quoted)
        if alert["alert"] == "AnantaTargetDown":
            workload = alert["labels"]["workload"]
            assert alert["annotations"]["description"].startswith(
                "Prometheus has failed to scrape {{ $labels.instance }} of "
                f"{workload} (job {workload})"
            ), alert["annotations"]["description"]


# A runbook command's label selector (`-l a=b,c=d`) and a workload it names by kind (`x/$W`).
SELECTOR = re.compile(r"\s-l\s+([^\s`]+)")
KIND_REFERENCE = re.compile(r"(?<![/\w])([$\w]+)/\$W\b")


def alerting_workloads(rendered: Rendered, env: str) -> dict[str, dict[str, Any]]:
    """The workloads of the namespace that alerts name (their `workload` label), by name."""
    named = {
        a["labels"]["workload"]
        for chart in CHARTS
        for rule in rendered(chart, env).of_kind("PrometheusRule")
        for group in rule["spec"]["groups"]
        for a in group["rules"]
    }
    workloads = workloads_by_name(rendered, env)
    assert named <= workloads.keys()
    return {name: workloads[name] for name in named}


def workloads_by_name(rendered: Rendered, env: str) -> dict[str, dict[str, Any]]:
    """Every Deployment and StatefulSet of the namespace's fifteen charts, by name."""
    return {w["metadata"]["name"]: w for w in namespace_workloads(rendered, env)}


@pytest.mark.parametrize("env", [e for e in ENVIRONMENTS if ALERT_SEVERITY[e]])
def test_runbook_commands_select_the_pods_of_every_alerting_workload(
    rendered: Rendered, env: str
) -> None:
    """Each `-l` selector of the runbooks, with W = an alert's workload label, matches that
    workload's pods and no other pod of the namespace (all fifteen charts); each `<kind>/$W`
    names the kind by $KIND, which the runbooks define for every StatefulSet."""
    text = RUNBOOKS.read_text(encoding="utf-8")
    selectors = set(SELECTOR.findall(text))
    assert selectors, "the runbooks select pods by label"
    alerting = alerting_workloads(rendered, env)
    assert {"temporal-frontend", "novu-api", "supabase-db"} <= alerting.keys()
    everyone = workloads_by_name(rendered, env)
    for selector in selectors:
        assert "$W" in selector, selector
        for name in alerting:
            wanted = dict(pair.split("=", 1) for pair in selector.replace("$W", name).split(","))
            matched = {other for other, w in everyone.items()
                       if selector_matches(wanted, w["spec"]["template"]["metadata"]["labels"])}
            assert matched == {name}, (selector, name, matched)
    kinds = set(KIND_REFERENCE.findall(text)) - {"svc"}
    assert kinds == {"$KIND"}, kinds
    header = text.split("```bash", 1)[0]
    for name, w in alerting.items():
        if w["kind"] == "StatefulSet":
            assert f"`{name}`" in header, f"{name}: a StatefulSet, $KIND=statefulset"
