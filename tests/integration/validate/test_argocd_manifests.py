"""GT-ARGO-001 through the command: `gitops-tool render` writes argocd/ for a fixture tree,
validate checks it against the real CRD schemas; a misspelled field is exactly GT-ARGO-001."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from gitops_tool.commands import render
from gitops_tool.commands import validate as command
from tests.support.charts import chart_tree, write_chart, write_yaml

WINDOW = {"kind": "allow", "schedule": "0 9 * * 2-4", "duration": "6h", "timeZone": "UTC"}


@pytest.fixture(scope="module")
def cache(tmp_path_factory) -> Path:
    """The parsed CRD schemas, shared by the tests (parsing them costs a second)."""
    return tmp_path_factory.mktemp("crd-cache")


@pytest.fixture
def rendered(tmp_path: Path) -> Path:
    root = chart_tree(tmp_path / "repo", ["web"])
    write_chart(root / "charts", "web")
    prod = root / "environments" / "prod.yaml"
    env = yaml.safe_load(prod.read_text())
    env["syncPolicy"]["windows"] = [WINDOW]  # GT-ARGO-008 wants one in production
    write_yaml(prod, env)
    assert render.run(render.RenderOptions(root=root)).exit_code == 0
    return root


def _validate(root: Path, reference_dir: Path, cache: Path) -> command.ValidateResult:
    deps = command.ValidateDeps(reference_dir=reference_dir / "argocd", cache_dir=cache)
    return command.run(command.ValidateOptions(root=root, helm=False), deps)


def _edit(path: Path, change) -> None:
    doc = yaml.safe_load(path.read_text())
    change(doc)
    write_yaml(path, doc)


def test_rendered_manifests_match_the_crd_schemas(rendered, reference_dir, cache):
    result = _validate(rendered, reference_dir, cache)
    assert result.findings == ()
    assert result.schemas == ("AppProject", "Application", "ApplicationSet")


def test_a_misspelled_field_is_gt_argo_001_alone(rendered, reference_dir, cache):
    app = rendered / "argocd" / "dev" / "applications" / "dev-web.yaml"
    _edit(app, lambda d: d["spec"].setdefault("syncPolicy", {}).update(automatd={"prune": True}))
    project = rendered / "argocd" / "prod" / "project.yaml"
    _edit(project, lambda d: d["spec"].update(sourceRepo=["https://example.org/x.git"]))
    result = _validate(rendered, reference_dir, cache)
    found = {(f.rule, f.object, f.path) for f in result.findings}
    assert found == {
        ("GT-ARGO-001", "Application/dev-web", "argocd/dev/applications/dev-web.yaml"),
        ("GT-ARGO-001", "AppProject/demo-prod", "argocd/prod/project.yaml"),
    }
    messages = " ".join(f.message for f in result.findings)
    assert "automatd" in messages and "sourceRepo" in messages
    assert result.exit_code == 1
