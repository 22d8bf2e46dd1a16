"""`-o json` on every command, in its success and failure cases: stdout is always one JSON
document a CI step can parse, with `exit_code` equal to the exit code; bad input and
external failures are `{"error", "hint", "exit_code"}`; revisions are full 40-character
SHAs and waves integers wherever they appear."""

from __future__ import annotations

import json
import os
import stat
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from gitops_tool.adapters.argocd.runtime import Runtime
from gitops_tool.cli import app
from gitops_tool.cli.app import GlobalOptions
from tests.support.argocd.apps import populate
from tests.support.argocd.fixtures import ANSWERING, assert_no_token
from tests.support.trees import PINNED

pytestmark = pytest.mark.timeout(60)
ERROR_KEYS = {"error", "hint", "exit_code"}


@pytest.fixture
def run(argo_env, clock, monkeypatch, tmp_path):
    """gitops-tool ARGS -o json against the fake; returns (exit code, parsed stdout)."""
    for key in ("ARGOCD_SERVER", "ARGOCD_AUTH_TOKEN", "ARGOCD_OPTS", "ARGOCD_CONFIG_DIR"):
        monkeypatch.delenv(key, raising=False)
    for key, value in argo_env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("HOME", str(tmp_path))
    bin_dir = tmp_path / "bin"  # a helm reporting the major version the fake reports
    bin_dir.mkdir()
    (bin_dir / "helm").write_text("#!/bin/sh\necho v4.1.4\n")
    (bin_dir / "helm").chmod(0o755 | stat.S_IEXEC)
    monkeypatch.delenv("GITOPS_TOOL_HELM", raising=False)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")

    def invoke(*args: str) -> tuple[int, Any]:
        runtime = Runtime(clock=clock, policy=ANSWERING, new_id=lambda: "run-1")
        result = CliRunner().invoke(app, [*args, "-o", "json"],
                                    obj=GlobalOptions(runtime=runtime))
        assert_no_token(result.stdout, result.stderr)
        data = json.loads(result.stdout)  # one document, whatever happened
        assert data["exit_code"] == result.exit_code, result.stderr
        _check_shape(data)
        if set(data) >= ERROR_KEYS:
            assert data["error"] and data["hint"]
        if set(data) == ERROR_KEYS:  # an error, not a result: humans still read it on stderr
            assert data["error"] in result.stderr
        return result.exit_code, data

    return invoke


def _check_shape(data: Any) -> None:
    """Waves are integers and revisions that are SHAs are whole, at every depth."""
    if isinstance(data, dict):
        for key, value in data.items():
            if key == "wave":
                assert value is None or isinstance(value, int), data
            if key in ("revision", "target_revision") and value and value != "main":
                assert len(value) == 40, data
            _check_shape(value)
    elif isinstance(data, list):
        for item in data:
            _check_shape(item)


@pytest.fixture
def dev(fake, tree):
    populate(fake, tree, "dev")
    return fake


def test_render(run, tree_root):
    code, data = run("render", "--repo", str(tree_root))
    assert code == 0 and data["applied"] and data["environments"][0]["environment"] == "dev"
    code, data = run("render", "--check", "--repo", str(tree_root))
    assert code == 0 and not data["changed"] and data["diff"] == ""
    prod = tree_root / "environments" / "prod.yaml"
    prod.write_text(prod.read_text().replace('"1.0.0"', '"1.0.9"'))
    code, data = run("render", "--check", "--repo", str(tree_root))
    assert code == 1 and data["update"] and "+" in data["diff"]
    code, data = run("render", "qa", "--repo", str(tree_root))
    assert (code, set(data)) == (2, ERROR_KEYS)
    assert data["error"] == "unknown environment 'qa'"


def test_validate(run, tree_root):
    code, data = run("validate", "--no-helm", "--repo", str(tree_root))
    assert code == data["exit_code"] and "findings" in data and "summary" in data
    code, data = run("validate", "nope", "--no-helm", "--repo", str(tree_root))
    assert (code, set(data)) == (2, ERROR_KEYS) and "unknown chart 'nope'" in data["error"]


def test_status(run, dev, tree_root):
    code, data = run("status", "dev", "--repo", str(tree_root))
    assert code == 0 and [a["wave"] for a in data["apps"]] == [10, 10, 20, 20, 30]
    assert all(len(a["revision"]) == 40 for a in data["apps"])
    dev.apps["dev-api"].health = "Degraded"
    code, data = run("status", "dev", "--repo", str(tree_root))
    assert code == 1 and not data["ok"]


def test_status_failures(run, fake, tree_root, monkeypatch):
    monkeypatch.delenv("ARGOCD_AUTH_TOKEN")
    code, data = run("status", "dev", "--repo", str(tree_root))
    assert (code, set(data)) == (2, ERROR_KEYS) and "no Argo CD token" in data["error"]
    monkeypatch.setenv("ARGOCD_AUTH_TOKEN", "tok-SENTINEL-x")
    fake.stop()
    code, data = run("status", "dev", "--repo", str(tree_root))
    assert (code, set(data)) == (3, ERROR_KEYS) and "cannot reach Argo CD" in data["error"]


def test_sync(run, fake, tree, tree_root):
    populate(fake, tree, "prod")
    code, data = run("sync", "prod", "--dry-run", "--repo", str(tree_root))
    assert (code, data["outcome"]) == (0, "planned") and fake.posts() == []
    assert data["waves"][0]["apps"][0]["revision"] == PINNED
    code, data = run("sync", "prod", "--repo", str(tree_root))
    assert (code, data["outcome"], data["sync_id"]) == (0, "done", "run-1")
    assert [w["wave"] for w in data["waves"]] == [10, 20, 30]
    fake.apps["prod-api"].outcome = "degraded"
    code, data = run("sync", "prod", "--repo", str(tree_root))
    assert (code, data["outcome"]) == (1, "failed") and data["failure"]["app"] == "prod-api"
    code, data = run("sync", "prod", "--app", "apii", "--repo", str(tree_root))
    assert (code, set(data)) == (2, ERROR_KEYS) and data["hint"].startswith(
        "did you mean 'api'?")
    fake.apps["prod-root"].window_open = False
    code, data = run("sync", "prod", "--repo", str(tree_root))
    assert (code, set(data)) == (3, ERROR_KEYS) and "sync window" in data["error"]


def test_doctor(run, dev, tree_root, monkeypatch):
    code, data = run("doctor", "dev", "--repo", str(tree_root))
    assert code == 0 and data["ok"] and data["contacted"]
    dev.version["Version"] = "v3.2.4+abcdef0"
    code, data = run("doctor", "dev", "--repo", str(tree_root))
    assert code == 1 and [c["name"] for c in data["checks"] if not c["ok"]] == [
        "Argo CD server"]
    monkeypatch.delenv("ARGOCD_AUTH_TOKEN")
    code, data = run("doctor", "dev", "--repo", str(tree_root))
    assert code == 2 and not data["contacted"] and set(data) >= ERROR_KEYS


@pytest.mark.parametrize("args", [
    ("status",), ("sync", "dev", "--timeout", "soon"), ("doctor", "dev", "--nope"),
    ("render", "--repo", "/no/such/folder"), ("validate", "--repo", "/no/such/folder"),
])
def test_usage_errors_and_bad_input_are_json_too(run, args):
    code, data = run(*args)
    assert (code, set(data)) == (2, ERROR_KEYS)


def test_a_broken_environment_file_is_json_with_its_line(run, tree_root):
    dev = tree_root / "environments" / "dev.yaml"
    doc = yaml.safe_load(dev.read_text())
    doc["releases"]["api"] = {"image": 2.1}
    dev.write_text(yaml.safe_dump(doc).replace("image: 2.1", "image: 2.10"))
    code, data = run("render", "--repo", str(tree_root))
    assert code == 2
    assert data["error"].endswith("releases.api.image: expected a string, got float 2.1")
    assert data["hint"] == 'quote it: `image: "2.10"` (unquoted, YAML reads 2.10 as float 2.1)'


def test_drift(run, dev, tree_root, monkeypatch):
    code, data = run("drift", "dev", "--repo", str(tree_root))
    assert code == data["exit_code"] and isinstance(data["findings"], list)
    assert all({"kind", "environment", "app", "file", "message"} <= set(f)
               for f in data["findings"])
    code, data = run("drift", "qa", "--repo", str(tree_root))
    assert (code, set(data)) == (2, ERROR_KEYS) and "unknown environment 'qa'" in data["error"]
    dev.stop()
    code, data = run("drift", "dev", "--repo", str(tree_root))
    assert code == 3 and data["exit_code"] == 3
