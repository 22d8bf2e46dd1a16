"""Structure checks, waivers and exit codes, on data (no disk, no helm)."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gitops_tool.core import helm as helm_output
from gitops_tool.core.selection import chosen, in_chain_order
from gitops_tool.core.validate.findings import (
    Finding,
    Waiver,
    apply_waivers,
    exit_code_for,
    waiver_findings,
)
from gitops_tool.core.validate.rules import RULES
from gitops_tool.core.validate.structure import (
    REQUIRED_FILES,
    ChartFiles,
    chart_meta_of,
    check_chart,
    dependency_findings,
)
from gitops_tool.errors import InputError
from gitops_tool.output.validate import RULES_PAGE, rules_page

CHART_YAML = """\
apiVersion: v2
name: web
version: 0.1.0
annotations:
  gitops-tool/plane: app-plane
  gitops-tool/waive.GT-POD-011: needs the Kubernetes API to read leases
dependencies:
  - name: common
    version: 0.1.0
    repository: file://../common
"""
ENVS = ("dev", "prod")


def chart(texts=None, files=None, name="web"):
    texts = {
        "Chart.yaml": CHART_YAML,
        "values.yaml": "a: 1\n",
        "values-dev.yaml": "{}\n",
        "values-prod.yaml": "{}\n",
    } | (texts or {})
    if files is None:
        files = set(REQUIRED_FILES) | {"values-dev.yaml", "values-prod.yaml"}
    names = files
    return ChartFiles(name, f"charts/{name}", frozenset(names), texts)


def rules(check):
    return sorted(f.rule for f in check.findings)


def test_a_complete_chart_has_no_structure_findings():
    check = check_chart(chart(), ENVS, ["app-plane"])
    assert rules(check) == []
    assert check.renderable
    assert [(w.rule, w.reason) for w in check.waivers] == [
        ("GT-POD-011", "needs the Kubernetes API to read leases")
    ]
    assert [(d.name, d.target) for d in check.dependencies] == [("common", "charts/common")]


def test_duplicate_keys_are_errors_with_their_line():
    check = check_chart(chart({"values-prod.yaml": "a: 1\nb: 2\na: 3\n"}), ENVS, ["app-plane"])
    assert rules(check) == ["GT-STR-002"]
    assert "values-prod.yaml:3:1: duplicate key 'a'" in check.findings[0].message
    assert not check.renderable


def test_each_missing_file_is_named():
    files = set(REQUIRED_FILES) - {"templates/hpa.yaml", "values.schema.json"} | {"values-dev.yaml"}
    check = check_chart(chart(files=files), ENVS, ["app-plane"])
    assert sorted((f.rule, f.path, f.environment) for f in check.findings) == [
        ("GT-STR-001", "charts/web/templates/hpa.yaml", ""),
        ("GT-STR-001", "charts/web/values.schema.json", ""),
        ("GT-STR-007", "charts/web/values-prod.yaml", "prod"),
    ]


def test_chart_yaml_rules_each_name_their_line():
    text = (
        CHART_YAML.replace("v2", "v1")
        .replace("name: web", "name: other")
        .replace("0.1.0\nannotations", "1.0\nannotations")
        .replace("app-plane", "no-plane")
    )
    check = check_chart(chart({"Chart.yaml": text}), ENVS, ["app-plane"])
    assert rules(check) == ["GT-STR-003", "GT-STR-004", "GT-STR-005", "GT-STR-006"]
    assert {f.path for f in check.findings} >= {
        "charts/web/Chart.yaml:1",
        "charts/web/Chart.yaml:2",
    }


def test_invalid_chart_names_are_bad_input():
    check = check_chart(
        chart({"Chart.yaml": CHART_YAML.replace("name: web", "name: Web_1")}, name="Web_1"),
        ENVS,
        ["app-plane"],
    )
    assert rules(check) == ["GT-STR-009"]
    assert exit_code_for(check.findings) == 2


def test_dependencies_must_resolve_inside_the_repository():
    escaping = CHART_YAML.replace("file://../common", "file://../../../elsewhere")
    assert rules(check_chart(chart({"Chart.yaml": escaping}), ENVS, ["app-plane"])) == [
        "GT-STR-008"
    ]
    check = check_chart(chart(), ENVS, ["app-plane"])
    c = chart()
    library = {"name": "common", "version": "0.1.0"}
    assert dependency_findings(c, check.dependencies, {"charts/common": library}) == []
    assert [f.rule for f in dependency_findings(c, check.dependencies, {})] == ["GT-STR-008"]
    wrong = dependency_findings(c, check.dependencies, {"charts/common": {"name": "lib"}})
    assert "named 'lib'" in wrong[0].message


@pytest.mark.parametrize("version", [None, "1.0", 1.0, ["0.1.0"]])
def test_a_library_without_a_semver_version_does_not_resolve(version):
    check = check_chart(chart(), ENVS, ["app-plane"])
    library = {"name": "common"} | ({} if version is None else {"version": version})
    found = dependency_findings(chart(), check.dependencies, {"charts/common": library})
    assert [f.rule for f in found] == ["GT-STR-008"]
    assert "is not semver" in found[0].message


def test_an_unreadable_library_chart_yaml_has_no_meta():
    assert chart_meta_of("- a list\n", "charts/common/Chart.yaml") is None
    assert chart_meta_of("a: [\n", "charts/common/Chart.yaml") is None
    assert chart_meta_of("name: common\n", "c")["name"] == "common"


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=80))
def test_any_values_text_gives_findings_never_a_crash(text):
    check = check_chart(chart({"values-prod.yaml": text}), ENVS, ["app-plane"])
    assert set(rules(check)) <= {"GT-STR-002"}


def finding(rule, chart="web"):
    return Finding(rule, chart, "dev", "Deployment/web", "app", "m")


def test_a_waiver_silences_exactly_its_rule_in_its_chart():
    waivers = [Waiver("web", "GT-POD-005", "writes to /var/cache at start", "Chart.yaml:7")]
    found = [finding("GT-POD-005"), finding("GT-POD-003"), finding("GT-POD-005", chart="api")]
    kept, waived = apply_waivers(found, waivers)
    assert [(f.chart, f.rule) for f in kept] == [("web", "GT-POD-003"), ("api", "GT-POD-005")]
    assert [(f.chart, f.rule) for f in waived] == [("web", "GT-POD-005")]
    assert waiver_findings(waivers) == []


def test_a_waiver_without_reason_silences_nothing_and_is_an_error():
    waivers = [Waiver("web", "GT-POD-005", "  ", "Chart.yaml:7")]
    kept, waived = apply_waivers([finding("GT-POD-005")], waivers)
    assert (len(kept), waived) == (1, [])
    assert [f.rule for f in waiver_findings(waivers)] == ["GT-WVR-001"]


def test_unknown_and_unwaivable_rules_cannot_be_waived():
    waivers = [Waiver("web", "GT-STR-001", "later", "x"), Waiver("web", "GT-POD-99", "x", "x")]
    kept, _ = apply_waivers([finding("GT-STR-001")], waivers)
    assert len(kept) == 1
    assert [f.rule for f in waiver_findings(waivers)] == ["GT-WVR-002", "GT-WVR-002"]


def test_exit_codes():
    assert exit_code_for([]) == 0
    assert exit_code_for([finding("GT-POD-001")]) == 1
    assert exit_code_for([finding("GT-POD-001"), finding("GT-STR-002")]) == 2


def test_rule_ids_are_stable():
    assert all(re.fullmatch(r"GT-[A-Z]+-\d{3}", rule_id) for rule_id in RULES)
    assert RULES["GT-POD-005"].checkov == "CKV_K8S_22"


def test_the_rules_page_is_generated_and_current(repo_root):
    page = (repo_root / RULES_PAGE).read_text()
    assert page == rules_page(), "regenerate it: python scripts/generate_rules_doc.py"
    rows = [line for line in page.splitlines() if line.startswith("| GT-")]
    assert [row.split(" | ")[0].removeprefix("| ") for row in rows] == list(RULES)


def test_the_docs_name_only_known_rules(repo_root):
    for path in [repo_root / "README.md", *sorted((repo_root / "docs").glob("*.md"))]:
        unknown = set(re.findall(r"\bGT-[A-Z]+-\d{3}\b", path.read_text())) - set(RULES)
        assert not unknown, f"{path.name} names unknown rules: {sorted(unknown)}"


def test_the_rules_script_tells_a_stale_page_then_rewrites_it(repo_root, tmp_path):
    script = [sys.executable, str(repo_root / "scripts" / "generate_rules_doc.py")]
    page = tmp_path / "rules.md"
    page.write_text(rules_page().replace("| GT-POD-005 |", "| GT-POD-055 |"))

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([*script, "--page", str(page), *args], capture_output=True,
                              text=True, check=False)

    assert run("--check").returncode == 1
    assert run().returncode == 0 and page.read_text() == rules_page()
    assert run("--check").returncode == 0


def test_merge_keys_may_override_what_they_merge():
    text = "base: &b {SERVICES: frontend, DB: pg}\nhistory:\n  <<: *b\n  SERVICES: history\n"
    check = check_chart(chart({"values.yaml": text}), ENVS, ["app-plane"])
    assert rules(check) == []
    assert check.values["values.yaml"]["history"] == {"SERVICES": "history", "DB": "pg"}


def test_helm_output_meaning():
    lint = "==> Linting x\n[INFO] Chart.yaml: icon is recommended\n[ERROR] values.yaml: bad\n"
    assert helm_output.message(lint, "Error: 1 chart(s) linted, 1 chart(s) failed\n") == (
        "[ERROR] values.yaml: bad\nError: 1 chart(s) linted, 1 chart(s) failed"
    )
    assert helm_output.message("", "something odd\n") == "something odd"
    assert helm_output.crashed(-9, "") and helm_output.crashed(2, "panic: boom")
    assert not helm_output.crashed(1, "Error: template: x")
    assert (helm_output.exit_of(-9), helm_output.exit_of(2)) == ("killed by SIGKILL", "exit 2")
    trace = "noise\npanic: runtime error: nil map\n\ngoroutine 1 [running]:\nmain.main()\n"
    assert helm_output.crash_detail("", trace).startswith("panic: runtime error: nil map")
    assert helm_output.crash_detail("", "") == "(helm printed nothing)"


@pytest.mark.parametrize(
    ("returncode", "stdout", "stderr", "chart_error"),
    [
        (1, "", 'Error: can\'t get a valid version for 1 subchart(s): "common"', True),
        (1, "Error: directory charts/common not found\n", "", True),
        (-9, "", "", False),  # killed by a signal
        (2, "", "panic: assignment to entry in nil map\ngoroutine 1 [running]:", False),
        (1, "", "Error: x\npanic: boom", False),
        (2, "", "Error: unknown flag: --skip-refresh", False),  # not the chart: another exit
        (1, "", "", False),  # silence is not a chart error
        (1, "", "something odd", False),
    ],
)
def test_a_chart_error_is_exit_1_with_helms_own_error_line(returncode, stdout, stderr, chart_error):
    assert helm_output.chart_error(returncode, stdout, stderr) is chart_error


def test_yaml_is_parsed_without_libyaml_too():
    """helm output and argocd/ files parse with the pure-Python loader when libyaml is
    missing (a fresh interpreter, where yaml has no CSafeLoader before gitops_tool loads)."""
    code = (
        "import yaml\n"
        "del yaml.CSafeLoader\n"
        "from gitops_tool.core import helm as helm_output\n"
        "from gitops_tool.commands.validate import argocd as validate_argocd\n"
        "assert helm_output.documents('a: 1\\n---\\nb: 2\\n') == [{'a': 1}, {'b': 2}]\n"
        "text = ('spec: {names: {kind: K}, versions: [{schema: {openAPIV3Schema: "
        "{type: object, properties: {a: {type: string}}}}}]}')\n"
        "kind, schema = validate_argocd.closed_schema_of_crd(text)\n"
        "assert kind == 'K' and schema['additionalProperties'] is False\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=False)
    assert done.returncode == 0, done.stderr
    assert (helm_output.major_version("v4.1.4"), helm_output.major_version("?")) == (4, None)


def test_selection_lists_the_known_names():
    assert chosen([], ["a", "b"], "chart") == ["a", "b"]
    assert chosen(["b", "b"], ["a", "b"], "chart") == ["b"]
    with pytest.raises(InputError) as err:
        chosen(["prd"], ["dev", "prod"], "environment")
    assert err.value.hint == "did you mean 'prod'? known environments: dev, prod"
    assert in_chain_order(["prod", "qa", "dev"], ["dev", "prod"]) == ["dev", "prod", "qa"]
