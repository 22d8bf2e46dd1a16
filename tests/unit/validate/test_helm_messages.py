"""What helm says when values break values.schema.json: its whole message, and the key."""

from __future__ import annotations

from gitops_tool.core import helm

FAILED = "values don't meet the specifications of the schema(s) in the following chart(s):"
TEMPLATE = f"""Error: {FAILED}
cns-service:
- at '/autoscaling': additional properties 'minReplica', 'maxReplica' not allowed
- at '/replicaCount': got string, want integer
- at '/env/0': missing property 'name'
"""
LINT = f"""==> Linting charts/cns-service
[INFO] Chart.yaml: icon is recommended
[ERROR] values.yaml: - at '/autoscaling': additional properties 'minReplica' not allowed

[ERROR] templates/: {FAILED}
cns-service:
- at '/autoscaling': additional properties 'minReplica' not allowed


Error: 1 chart(s) linted, 1 chart(s) failed
"""


def test_the_message_keeps_the_lines_that_continue_an_error():
    assert helm.message("", TEMPLATE) == TEMPLATE.strip()
    said = helm.message(LINT, "")
    assert said.splitlines()[2:4] == [
        "cns-service:", "- at '/autoscaling': additional properties 'minReplica' not allowed"]
    assert "[INFO]" not in said and "==> Linting" not in said


def test_each_violation_is_a_values_key():
    assert [(v.key, v.problem) for v in helm.schema_violations(TEMPLATE)] == [
        ("autoscaling.minReplica", "additional properties 'minReplica', 'maxReplica' not allowed"),
        ("autoscaling.maxReplica", "additional properties 'minReplica', 'maxReplica' not allowed"),
        ("replicaCount", "got string, want integer"),
        ("env[0]", "missing property 'name'"),
    ]
    assert helm.schema_violations("Error: template: x.yaml:1: boom") == []


def test_lint_with_only_schema_errors_has_nothing_template_does_not_report():
    assert not helm.other_lint_problems(helm.message(LINT, ""))
    assert helm.other_lint_problems("[WARNING] templates/pdb.yaml: deprecated\n")


def test_the_file_that_sets_a_key_is_the_last_layer_that_does():
    layers = [("values.yaml", {"autoscaling": {"minReplica": 1}, "env": [{"value": 1}]}),
              ("values-prod.yaml", {"autoscaling": {"minReplica": 3}})]
    assert helm.files_setting("autoscaling.minReplica", layers) == [
        "values-prod.yaml", "values.yaml"]
    assert helm.files_setting("env[0]", layers) == ["values.yaml"]
    assert helm.files_setting("env[1]", layers) == []
    assert helm.files_setting("image.tag", [("values.yaml", None)]) == []
