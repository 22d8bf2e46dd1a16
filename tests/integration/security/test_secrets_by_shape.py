"""Secrets recognised by their value, not only by their key (issue 10).

Seven credentials planted under `config:` of a values file in a copy of this repository:
validate finds all seven, by key or by shape, and never prints one. The clean repository
has no finding (tests/integration/validate/test_real_repo.py checks it with real helm; here
without). Credentials of every shape, planted in other places of the repository, are found
where they are, with the file and line.
"""

from __future__ import annotations

import json

import pytest
import yaml
from typer.testing import CliRunner

from gitops_tool.cli import app
from tests.support.credentials import POSITIVES
from tests.support.helm import helm_binary
from tests.support.sentinel import assert_no_leak

pytestmark = pytest.mark.timeout(120)

VALUES = "charts/cns-service/values-staging.yaml"
# The seven of the issue: four whose key says secret, three under innocent keys.
SEVEN = {
    "AWS_SECRET_ACCESS_KEY": ("wJalrXUtnFEMI/K7MDENG/bPxRfiCY" + "zq8Rk2mLPa", "GT-SEC-001"),
    "GITHUB_TOKEN": (POSITIVES["GT-SEC-005"][0], "GT-SEC-005"),
    "STRIPE_KEY": (POSITIVES["GT-SEC-008"][0], "GT-SEC-008"),
    "DATABASE_URL": (POSITIVES["GT-SEC-012"][0], "GT-SEC-012"),
    "BUCKET_ID": (POSITIVES["GT-SEC-004"][0], "GT-SEC-004"),
    "NOTIFY_URL": (POSITIVES["GT-SEC-007"][0], "GT-SEC-007"),
    "SESSION_SEED": (POSITIVES["GT-SEC-011"][0], "GT-SEC-011"),
}


def _validate(root, *args):
    result = CliRunner().invoke(app, ["--repo", str(root), "validate", *args])
    for value, _ in SEVEN.values():
        assert_no_leak(value, result.stdout, result.stderr, repr(result.exception))
    return result


def _plant(root, rel, values):
    path = root / rel
    data = yaml.safe_load(path.read_text()) or {}
    data.setdefault("config", {}).update(values)
    path.write_text(yaml.safe_dump(data, sort_keys=False))


def _findings(result):
    return json.loads(result.stdout)["findings"]


def test_the_clean_repository_has_no_finding(tree_copy):
    result = _validate(tree_copy, "--no-helm", "-o", "json")
    assert result.exit_code == 0, result.stdout
    assert _findings(result) == []


def test_all_seven_planted_credentials_are_found_and_masked(tree_copy):
    _plant(tree_copy, VALUES, {key: value for key, (value, _) in SEVEN.items()})
    result = _validate(tree_copy, "--no-helm", "-o", "json")
    assert result.exit_code == 1
    found = {(f["rule"], f["message"].split()[0]) for f in _findings(result)}
    assert found == {(rule, f"config.{key}") for key, (_, rule) in SEVEN.items()}
    assert all(f["path"].startswith(VALUES + ":") for f in _findings(result))
    table = _validate(tree_copy, "--no-helm")
    assert table.exit_code == 1 and "7 findings" in table.stdout and "****" in table.stdout


@pytest.mark.parametrize("rule", sorted(POSITIVES))
def test_every_shape_is_found_wherever_it_is_planted(tree_copy, rule):
    value = POSITIVES[rule][-1]
    # nested, in a list, and as an env-style entry, in a base values file of another chart
    path = tree_copy / "charts/audit-logger/values.yaml"
    data = yaml.safe_load(path.read_text())
    data["notes"] = {"deep": {"er": [{"x": value}]}}
    data["extraEnv"] = [{"name": "HARMLESS", "value": value}]
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    result = _validate(tree_copy, "--no-helm", "-o", "json")
    assert result.exit_code == 1
    found = {(f["chart"], f["rule"], f["message"].split()[0]) for f in _findings(result)}
    assert found == {("audit-logger", rule, "notes.deep.er[0].x"),
                     ("audit-logger", rule, "extraEnv[0][name=HARMLESS].value")}


def test_credentials_in_an_environment_file_name_its_line(tree_copy):
    token = POSITIVES["GT-SEC-006"][0]
    path = tree_copy / "environments/dev.yaml"
    text = path.read_text().replace(
        "syncPolicy:\n",
        f"syncPolicy:\n  windows:\n    - kind: allow\n      schedule: '0 22 * * *'\n"
        f"      duration: 1h\n      timeZone: {token}\n", 1)
    path.write_text(text)
    line = text.splitlines().index(f"      timeZone: {token}") + 1
    result = _validate(tree_copy, "--no-helm", "-o", "json")
    assert_no_leak(token, result.stdout, result.stderr)
    assert result.exit_code == 1
    assert [(f["rule"], f["environment"], f["path"]) for f in _findings(result)] == [
        ("GT-SEC-006", "dev", f"environments/dev.yaml:{line}")]
    table = _validate(tree_copy, "--no-helm")
    assert "environments/dev.yaml: 1 finding" in table.stdout


@pytest.mark.parametrize("key", ["library", "charts", "output"])
def test_a_credential_in_gitops_tool_yaml_is_refused_never_printed(tree_copy, key):
    token = POSITIVES["GT-SEC-006"][0].lower()  # also a valid folder and chart name
    settings = tree_copy / "gitops-tool.yaml"
    lines = settings.read_text().splitlines()
    line = next(i for i, t in enumerate(lines, 1) if t.startswith(f"{key}:"))
    lines[line - 1] = f"{key}: {token}"
    settings.write_text("\n".join(lines) + "\n")
    for args in (["validate", "--no-helm"], ["render"], ["render", "--check"]):
        result = CliRunner().invoke(app, ["--repo", str(tree_copy), *args])
        assert_no_leak(token, result.stdout, result.stderr, repr(result.exception))
        assert result.exit_code == 2, (args, result.stdout, result.stderr)
        assert f"gitops-tool.yaml:{line}: {key}: holds a Slack token (****)" in result.stderr
    assert not (tree_copy / token).exists()


@pytest.mark.helm
@pytest.mark.skipif(helm_binary() is None, reason="no helm binary (run `make helm`)")
def test_the_rendered_configmap_is_read_with_real_helm(tree_copy, monkeypatch):
    monkeypatch.setenv("GITOPS_TOOL_HELM", helm_binary())
    _plant(tree_copy, VALUES, {key: value for key, (value, _) in SEVEN.items()})
    result = _validate(tree_copy, "cns-service", "--env", "staging", "-o", "json")
    assert result.exit_code == 1, result.stdout
    rendered = {(f["rule"], f["message"].split()[1]) for f in _findings(result) if f["object"]}
    assert rendered == {("GT-SEC-003" if rule == "GT-SEC-001" else rule, key)
                        for key, (_, rule) in SEVEN.items()}
    assert {f["object"] for f in _findings(result) if f["object"]} == {"ConfigMap/cns-service"}
