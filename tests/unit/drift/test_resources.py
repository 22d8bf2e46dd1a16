"""The diffs of modified resources: Secret values never shown, changes still visible."""

from __future__ import annotations

import json

from gitops_tool.core.drift.resources import NOT_SHOWN, details_of, resource_diffs
from tests.support.argocd.state import resource_diff


def secret(**data: str) -> dict:
    return {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "db"},
            "data": dict(data)}


def test_secret_values_are_masked_by_value_so_a_change_still_shows():
    live, desired = secret(a="czNjcjN0", b="c2FtZQ=="), secret(a="bmV3", b="c2FtZQ==")
    (diff,) = resource_diffs([resource_diff("Secret", "db", live, desired)])
    assert "-  a: ++++++++\n+  a: ++++++++++\n" in diff.diff
    assert "   b: +++++++++\n" in diff.diff
    for value in ("czNjcjN0", "bmV3", "c2FtZQ=="):
        assert value not in diff.diff


def test_string_data_and_the_last_applied_annotation_are_masked_too():
    annotated = {"apiVersion": "v1", "kind": "Secret", "metadata": {
        "name": "db", "annotations": {
            "kubectl.kubernetes.io/last-applied-configuration": '{"stringData":{"p":"hunter2"}}',
            "team": "core"}},
        "stringData": {"p": "hunter2"}}
    changed = json.loads(json.dumps(annotated))
    changed["metadata"]["annotations"]["team"] = "platform"
    (diff,) = resource_diffs([resource_diff("Secret", "db", annotated, changed)])
    assert "hunter2" not in diff.diff
    assert "-    team: core\n+    team: platform\n" in diff.diff


def test_a_secret_state_that_is_not_json_is_never_printed():
    item = resource_diff("Secret", "db", secret(a="eA=="), secret(a="eQ=="))
    item["normalizedLiveState"] = "password: hunter2"  # a hostile or broken server
    (diff,) = resource_diffs([item])
    assert "hunter2" not in diff.diff and diff.diff == ""
    other = resource_diff("ConfigMap", "cm", {"data": {"a": "1"}}, {"data": {"a": "2"}})
    other["predictedLiveState"] = "{not json"
    (shown,) = resource_diffs([other])
    assert f"+{NOT_SHOWN}\n" in shown.diff


def _nested(levels: int) -> str:
    return '{"kind": "ConfigMap", "data": ' + '{"a": ' * levels + "1" + "}" * levels + "}"


def test_a_state_nested_past_the_bounds_is_not_shown_and_breaks_nothing():
    """A hostile server's state, nested past what json (5000 levels) or the YAML dump (a few
    hundred) can take, or past gitops-tool's YAML bound (100): not shown, no exception."""
    for text in ("[" * 5000 + "]" * 5000, _nested(950), _nested(400), _nested(120)):
        item = resource_diff("ConfigMap", "cm", {"data": {"a": "1"}}, {"data": {"a": "2"}})
        item["normalizedLiveState"] = text
        (shown,) = resource_diffs([item])
        assert f"-{NOT_SHOWN}\n" in shown.diff, text[:40]
    fine = resource_diff("ConfigMap", "cm", {"data": {"a": "1"}}, {"data": {"a": "2"}})
    fine["normalizedLiveState"] = _nested(40)  # deep, but within the bound: shown
    (shown,) = resource_diffs([fine])
    assert NOT_SHOWN not in shown.diff


def test_only_modified_resources_are_diffed_without_managed_fields():
    live = {"kind": "Deployment", "metadata": {"name": "api", "managedFields": [{"m": 1}]},
            "spec": {"replicas": 1}}
    desired = {"kind": "Deployment", "metadata": {"name": "api", "managedFields": [{"m": 2}]},
               "spec": {"replicas": 3}}
    items = [resource_diff("Deployment", "api", live, desired, group="apps"),
             resource_diff("Service", "api", {"a": 1}, {"a": 1}), "junk", {"modified": "yes"}]
    (diff,) = resource_diffs(items)
    assert diff.label == "Deployment.apps apps/api"
    assert "managedFields" not in diff.diff and "-  replicas: 1\n+  replicas: 3\n" in diff.diff
    assert details_of([]).startswith("Argo CD marks no resource as modified")


def test_names_from_the_server_are_made_printable():
    item = resource_diff("Deployment", "a\nb\x1b[31m", {"x": 1}, {"x": 2})
    (diff,) = resource_diffs([item])
    assert diff.name == "a\\x0ab\\x1b[31m" and "\x1b" not in diff.diff


CONFIG_MAP = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "settings"},
              "data": {"mode": "fast"}}


def test_a_resource_missing_live_is_diffed_as_wholly_added():
    (diff,) = resource_diffs([resource_diff("ConfigMap", "settings", None, CONFIG_MAP)])
    assert diff.diff.startswith("--- live/ConfigMap/apps/settings\n"
                                "+++ desired/ConfigMap/apps/settings\n@@ -0,0 +1,")
    assert "+  mode: fast\n" in diff.diff and "+kind: ConfigMap\n" in diff.diff
    assert NOT_SHOWN not in diff.diff
    assert not [line for line in diff.diff.splitlines()[2:] if line.startswith(("-", " "))]


def test_a_resource_a_sync_would_prune_is_diffed_as_wholly_removed():
    (diff,) = resource_diffs([resource_diff("ConfigMap", "settings", CONFIG_MAP, None)])
    assert "@@ -1," in diff.diff and ",0 @@" in diff.diff
    assert "-  mode: fast\n" in diff.diff and "-kind: ConfigMap\n" in diff.diff
    assert not [line for line in diff.diff.splitlines()[2:] if line.startswith(("+", " "))]


def test_a_missing_or_pruned_secret_is_shown_whole_with_its_values_masked():
    value = secret(password="aHVudGVyMg==", user="YWRtaW4=")
    added, removed = resource_diffs([resource_diff("Secret", "db", None, value),
                                     resource_diff("Secret", "db", value, None)])
    assert "+  password: ++++++++\n+  user: +++++++++\n" in added.diff
    assert "-  password: ++++++++\n-  user: +++++++++\n" in removed.diff
    text = details_of([added, removed])
    assert "no difference" not in text
    for hidden in ("aHVudGVyMg==", "YWRtaW4=", "hunter2", "admin"):
        assert hidden not in text
