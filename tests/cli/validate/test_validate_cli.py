"""`gitops-tool validate` through the CLI: exit codes, table and JSON, secrets, waivers."""

from __future__ import annotations

import json
import os

import pytest
from typer.testing import CliRunner

from gitops_tool.cli import app
from gitops_tool.core.validate.rules import RULES
from tests.support.charts import LIBRARY_DEP, SENTINEL, chart_tree, write_chart, write_yaml
from tests.support.helm import fake_helm, helm_binary

HMAC_SENTINEL = "hmac-SENTINEL-91c2e"  # a generalised key-like name: masked too
HELM = helm_binary()
needs_helm = pytest.mark.skipif(HELM is None, reason="no helm binary (run `make helm`)")
BAD_APP = {
    "apiVersion": "argoproj.io/v1alpha1",
    "kind": "Application",
    "metadata": {"name": "dev-web"},
    "spec": {
        "project": "default",
        "destination": {"server": "https://kubernetes.default.svc", "namespace": "demo-dev"},
        "source": {"repoURL": "https://example.org/gitops.git", "path": "charts/web"},
    },
}


def invoke(root, *args, helm=HELM, **env):
    environ = {"GITOPS_TOOL_HELM": helm, **env}
    return CliRunner().invoke(app, ["--repo", str(root), "validate", *args], env=environ)


@pytest.fixture
def good_tree(tmp_path):
    root = chart_tree(tmp_path / "repo", ["web"])
    write_chart(root / "charts", "web")
    return root


@pytest.fixture(scope="module")
def findings_tree(tmp_path_factory):
    """A chart breaking one rule, one waiving it, and one whose secret reaches helm's stderr."""
    root = chart_tree(tmp_path_factory.mktemp("cli") / "repo", ["web", "waived", "leaky"])
    writable = {"container": {"securityContext": {"readOnlyRootFilesystem": False}}}
    write_chart(root / "charts", "web", values=writable)
    write_chart(
        root / "charts",
        "waived",
        values=writable,
        chart={"annotations": {"gitops-tool/waive.GT-POD-005": "nginx writes its cache at start"}},
    )
    write_chart(
        root / "charts",
        "leaky",
        values={"database": {"password": SENTINEL}, "webhook": {"hmacKey": HMAC_SENTINEL}},
        files={
            "templates/fail.yaml": '{{ fail (printf "bad %s %s" .Values.database.password'
            " .Values.webhook.hmacKey) }}"
        },
    )
    return root


@needs_helm
def test_a_clean_tree_exits_0(good_tree):
    result = invoke(good_tree)
    assert result.exit_code == 0, result.output
    assert "1 chart x 2 environments checked (helm v4." in result.stdout


@needs_helm
def test_json_goes_to_stdout_and_parses(good_tree):
    result = invoke(good_tree, "-o", "json", "--jobs", "1")
    assert result.exit_code == 0
    doc = json.loads(result.stdout)
    assert doc["exit_code"] == 0 and doc["findings"] == []
    assert [(c["chart"], c["environment"], c["status"]) for c in doc["checks"]] == [
        ("web", "dev", "pass"),
        ("web", "prod", "pass"),
        ("argocd/", "all", "pass"),
    ]


@needs_helm
def test_findings_exit_1_with_chart_env_object_container_fix_and_waivers(findings_tree):
    result = invoke(findings_tree, "-o", "json")
    assert result.exit_code == 1, result.output
    doc = json.loads(result.stdout)
    assert doc["exit_code"] == 1
    web = [f for f in doc["findings"] if f["chart"] == "web"]
    assert [(f["rule"], f["environment"], f["object"], f["container"]) for f in web] == [
        ("GT-POD-005", env, "Deployment/web", "app") for env in ("dev", "prod")
    ]
    assert {f["fix"] for f in web} == {RULES["GT-POD-005"].fix}
    [waiver] = doc["waivers"]
    assert (waiver["chart"], waiver["rule"], waiver["reason"]) == (
        "waived",
        "GT-POD-005",
        "nginx writes its cache at start",
    )
    assert waiver["path"].startswith("charts/waived/Chart.yaml")
    assert {(f["chart"], f["rule"], f["environment"]) for f in doc["waived"]} == {
        ("waived", "GT-POD-005", env) for env in ("dev", "prod")
    }
    assert doc["summary"]["waived"] == 2


@needs_helm
def test_the_table_groups_findings_by_chart_with_fix_and_waivers(findings_tree):
    """The table is the product people read: findings by chart, the fix, the waivers."""
    result = invoke(findings_tree)
    assert result.exit_code == 1, result.output
    out = result.stdout
    assert "web: 2 findings" in out
    assert "GT-POD-005  [dev]  Deployment/web container app" in out
    assert "fix: set `readOnlyRootFilesystem: true`" in out
    assert "waived  GT-POD-005  (2 findings waived): nginx writes its cache at start" in out


@needs_helm
@pytest.mark.parametrize("fmt", ["table", "json"])
def test_a_secret_value_never_appears_in_output(findings_tree, fmt):
    result = invoke(findings_tree, "-o", fmt)
    assert result.exit_code == 1
    for secret in (SENTINEL, HMAC_SENTINEL):
        assert secret not in result.stdout and secret not in result.stderr
    assert "GT-SEC-001" in result.stdout and "GT-HELM-003" in result.stdout  # masked
    assert "webhook.hmacKey is set to a literal" in result.stdout
    if fmt == "json":
        doc = json.loads(result.stdout)
        assert {w["rule"] for w in doc["waivers"]} == {"GT-POD-005"}
        assert {f["chart"] for f in doc["waived"]} == {"waived"}


def test_unknown_chart_or_environment_exits_2_with_the_known_names(good_tree):
    result = invoke(good_tree, "webb")
    assert result.exit_code == 2
    assert "unknown chart 'webb'" in result.stderr
    assert "did you mean 'web'?" in result.stderr
    result = invoke(good_tree, "--env", "stage")
    assert result.exit_code == 2
    assert "known environments: dev, prod" in result.stderr


def test_helm_missing_exits_3_with_how_to_get_it(good_tree, tmp_path):
    empty = tmp_path / "no-helm"
    empty.mkdir()
    result = invoke(good_tree, helm=None, PATH=str(empty))
    assert result.exit_code == 3
    assert "helm not found" in result.stderr
    assert "ensure_helm.py" in result.stderr and "PATH" in result.stderr


def test_helm_crashing_exits_3(good_tree, tmp_path):
    shim = fake_helm(tmp_path / "bin", 'echo "panic: runtime error: nil map" >&2; exit 2')
    result = invoke(good_tree, "--jobs", "1", helm=str(shim))
    assert result.exit_code == 3
    assert "helm crashed on charts/web" in result.stderr


@pytest.fixture
def library_tree(tmp_path):
    """A chart using the library chart: validate runs `helm dependency build` on it."""
    root = chart_tree(tmp_path / "repo", ["web"])
    write_chart(root / "charts", "web", chart={"dependencies": [LIBRARY_DEP]})
    return root


@pytest.mark.parametrize(
    ("on_dependency", "how"),
    [
        ("kill -9 $$", "(killed by SIGKILL): (helm printed nothing)"),
        ('echo "panic: runtime error: nil map" >&2; exit 2', "(exit 2): panic: runtime error"),
        ('echo "unexpected fault address" >&2; exit 2', "(exit 2): unexpected fault address"),
    ],
)
def test_a_crashing_dependency_build_exits_3_with_helms_message(
    library_tree, tmp_path, on_dependency, how
):
    shim = fake_helm(tmp_path / "bin", f'if [ "$1" = dependency ]; then {on_dependency}; fi')
    result = invoke(library_tree, "--jobs", "1", helm=str(shim))
    assert result.exit_code == 3, result.output
    assert f"helm crashed on charts/web building its dependencies {how}" in result.stderr
    assert "GT-HELM-001" not in result.stdout


def test_a_dependency_error_helm_reports_is_a_finding_with_its_message(library_tree, tmp_path):
    error = "Error: no repository definition for file://../common. Please add the missing repos"
    shim = fake_helm(
        tmp_path / "bin", f'if [ "$1" = dependency ]; then echo "{error}" >&2; exit 1; fi'
    )
    result = invoke(library_tree, "--jobs", "1", "-o", "json", helm=str(shim))
    assert result.exit_code == 1, result.output
    found = json.loads(result.stdout)["findings"]
    assert [(f["rule"], f["chart"], f["message"]) for f in found] == [("GT-HELM-001", "web", error)]


@needs_helm
def test_a_mismatched_library_version_is_gt_helm_001_with_helms_message(tmp_path):
    root = chart_tree(tmp_path / "repo", ["web"])
    write_chart(
        root / "charts", "web", chart={"dependencies": [LIBRARY_DEP | {"version": "9.9.9"}]}
    )
    result = invoke(root, "-o", "json")
    assert result.exit_code == 1, result.output
    [found] = json.loads(result.stdout)["findings"]
    assert found["rule"] == "GT-HELM-001"
    assert found["message"].startswith("Error: can't get a valid version for 1 subchart(s)")
    assert '"common"' in found["message"] and "9.9.9" in found["message"]


def test_another_helm_major_version_exits_3(good_tree, tmp_path):
    shim = fake_helm(tmp_path / "bin", "exit 0", version="v3.15.2")
    result = invoke(good_tree, helm=str(shim))
    assert result.exit_code == 3
    assert "Argo CD renders these charts with Helm 4" in result.stderr


def test_no_helm_checks_structure_secrets_and_argocd_without_helm(good_tree, tmp_path):
    empty = tmp_path / "no-helm"
    empty.mkdir()
    result = invoke(good_tree, "--no-helm", helm=None, PATH=str(empty))
    assert result.exit_code == 0, result.output
    assert "helm not run" in result.stdout
    write_yaml(good_tree / "argocd" / "dev" / "applications" / "dev-web.yaml", BAD_APP)
    result = invoke(good_tree, "--no-helm", "-o", "json")
    assert result.exit_code == 1
    found = json.loads(result.stdout)["findings"]
    assert {(f["rule"], f["object"]) for f in found} >= {("GT-ARGO-002", "Application/dev-web")}


def test_unreadable_values_exit_2_and_still_report(good_tree):
    (good_tree / "charts" / "web" / "values-prod.yaml").write_text("a: 1\na: 2\n")
    result = invoke(good_tree, "--no-helm")
    assert result.exit_code == 2
    assert "values-prod.yaml:2:1: duplicate key 'a'" in result.stdout


def test_helm_runs_without_go_gc_unless_the_user_chose(good_tree, tmp_path, monkeypatch):
    seen = tmp_path / "seen"
    shim = fake_helm(tmp_path / "bin", f'echo "$GOGC $GOMEMLIMIT" >> "{seen}"; exit 1')
    monkeypatch.delenv("GOMEMLIMIT", raising=False)
    monkeypatch.setenv("GOGC", "50")
    invoke(good_tree, "--jobs", "1", helm=str(shim))
    assert set(seen.read_text().splitlines()) == {"50 512MiB"}
    assert "GOMEMLIMIT" not in os.environ  # restored afterwards
