"""Real helm over one fixture tree: a passing chart plus one broken copy per rule.

Each broken chart must produce exactly its rule's findings and nothing else; the
passing charts none. The tree is validated once (helm in parallel) for the module.
"""

from __future__ import annotations

import pytest

from gitops_tool.commands import validate as command
from gitops_tool.core.validate.rules import RULES
from tests.integration.validate.cases import (
    CASES,
    CHART_RULES,
    EPHEMERAL_CASES,
    LIBRARY_DEP,
    VARIANT_CASES,
    chart_name,
)
from tests.support.charts import chart_tree, write_chart

pytestmark = [pytest.mark.helm, pytest.mark.slow]

INVALID_NAME = "Bad_Chart"  # GT-STR-009: not a valid release name


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    charts = [
        "good",
        "good-lib",
        INVALID_NAME,
        *(chart_name(r) for r in CHART_RULES),
        *EPHEMERAL_CASES,
        *VARIANT_CASES,
    ]
    root = chart_tree(tmp_path_factory.mktemp("rules") / "repo", charts)
    write_chart(root / "charts", "good")
    write_chart(root / "charts", "good-lib", chart={"dependencies": [LIBRARY_DEP]})
    write_chart(root / "charts", INVALID_NAME)
    for rule_id in CHART_RULES:
        write_chart(root / "charts", chart_name(rule_id), **CASES[rule_id][0])
    for name, (patches, _expected) in (EPHEMERAL_CASES | VARIANT_CASES).items():
        write_chart(root / "charts", name, **patches)
    return command.run(command.ValidateOptions(root=root, jobs=2))


def _found(result, chart):
    return {(f.rule, f.environment) for f in result.findings if f.chart == chart}


def test_passing_charts_have_no_findings(result):
    assert _found(result, "good") == set()
    assert _found(result, "good-lib") == set()
    assert {c.status for c in result.checks if c.chart.startswith("good")} == {"pass"}


@pytest.mark.parametrize("rule_id", CHART_RULES)
def test_each_broken_chart_fires_exactly_its_rule(result, rule_id):
    assert _found(result, chart_name(rule_id)) == CASES[rule_id][1]


@pytest.mark.parametrize("name", sorted(EPHEMERAL_CASES))
def test_ephemeral_containers_are_held_to_the_security_and_image_rules(result, name):
    assert _found(result, name) == EPHEMERAL_CASES[name][1]


@pytest.mark.parametrize("name", sorted(VARIANT_CASES))
def test_other_ways_to_break_a_rule_fire_it(result, name):
    assert _found(result, name) == VARIANT_CASES[name][1]


def test_a_rendered_credential_names_its_configmap_key_and_env_var_never_its_value(result):
    from tests.support.credentials import POSITIVES

    found = sorted((f.rule, f.environment, f.object, f.container, f.message)
                   for f in result.findings if f.chart == "sec-shape-rendered" and f.environment)
    assert found == sorted(
        (rule, env, obj, container, message)
        for env in ("dev", "prod")
        for rule, obj, container, message in (
            ("GT-SEC-011", "ConfigMap/sec-shape-rendered-settings", "",
             "key SESSION_SEED holds a JSON Web Token (****)"),
            ("GT-SEC-007", "Deployment/sec-shape-rendered", "app",
             "env DEPLOY_HOOK holds a Slack webhook URL (****)"),
        )
    )
    shown = repr(result.findings)
    assert POSITIVES["GT-SEC-011"][0] not in shown and POSITIVES["GT-SEC-007"][0] not in shown


def test_a_latest_image_names_its_container(result):
    found = {(f.object, f.container) for f in result.findings if f.chart == "img-latest"}
    assert found == {("Deployment/img-latest", "sidecar")}


def test_invalid_chart_name_is_bad_input(result):
    assert _found(result, INVALID_NAME) == {("GT-STR-009", "")}
    assert result.exit_code == 2  # GT-STR-002 and GT-STR-009 mean the tree cannot be read


def test_every_chart_rule_has_a_broken_chart():
    chart_areas = {
        "structure",
        "helm",
        "pod",
        "resources",
        "probes",
        "image",
        "autoscaling",
        "prod",
        "ingress",
        "secrets",
        "network",
        "external-secrets",
        "waiver",
    }
    wanted = {r.id for r in RULES.values() if r.area in chart_areas} - {"GT-STR-009"}
    assert wanted == set(CHART_RULES)


def test_findings_name_chart_environment_object_container_and_fix(result):
    pod = next(f for f in result.findings if f.chart == "gt-pod-005")
    assert (pod.object, pod.container) == ("Deployment/gt-pod-005", "app")
    assert pod.fix == RULES["GT-POD-005"].fix
    helm = next(f for f in result.findings if f.chart == "gt-helm-003")
    assert "refused in demo-prod" in helm.message  # helm's own message


def test_blocked_charts_are_not_rendered(result):
    status = {(c.chart, c.environment): c.status for c in result.checks}
    assert status[("gt-str-003", "dev")] == "not rendered"
    assert status[("gt-str-007", "prod")] == "not rendered"
    assert status[("gt-str-007", "dev")] == "pass"


def test_a_values_schema_violation_names_the_file_and_key_with_helms_whole_message(result):
    (found,) = [f for f in result.findings if f.chart == chart_name("GT-HELM-004")]
    assert found.path == "charts/gt-helm-004/values-prod.yaml"
    first, *helm_said = found.message.splitlines()
    assert first == ("values-prod.yaml: autoscaling.minReplica: additional properties "
                     "'minReplica' not allowed")
    assert helm_said == [
        "Error: values don't meet the specifications of the schema(s) in the following "
        "chart(s):",
        "gt-helm-004:",
        "- at '/autoscaling': additional properties 'minReplica' not allowed",
    ]
