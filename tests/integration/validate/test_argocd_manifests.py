"""GT-ARGO-001 through the command: `gitops-tool render` writes argocd/ for a fixture tree,
validate checks it against the CRD schemas that ship in the package (no ../shared needed);
a misspelled field is exactly GT-ARGO-001; a missing schema is a warning."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from gitops_tool.commands import render
from gitops_tool.commands import validate as command
from gitops_tool.commands.validate.argocd import schema_file
from gitops_tool.output import validate as present
from tests.support.charts import chart_tree, write_chart, write_yaml

WINDOW = {"kind": "allow", "schedule": "0 9 * * 2-4", "duration": "6h", "timeZone": "UTC"}


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


def _validate(root: Path) -> command.ValidateResult:
    """validate with its defaults: the CRD schemas that ship in the package."""
    return command.run(command.ValidateOptions(root=root, helm=False))


def _edit(path: Path, change) -> None:
    doc = yaml.safe_load(path.read_text())
    change(doc)
    write_yaml(path, doc)


def test_rendered_manifests_match_the_crd_schemas(rendered):
    result = _validate(rendered)
    assert result.findings == ()
    assert result.schemas == ("AppProject", "Application", "ApplicationSet")


def test_a_misspelled_field_is_gt_argo_001_alone(rendered):
    app = rendered / "argocd" / "dev" / "applications" / "dev-web.yaml"
    _edit(app, lambda d: d["spec"].setdefault("syncPolicy", {}).update(automatd={"prune": True}))
    project = rendered / "argocd" / "prod" / "project.yaml"
    _edit(project, lambda d: d["spec"].update(sourceRepo=["https://example.org/x.git"]))
    result = _validate(rendered)
    found = {(f.rule, f.object, f.path) for f in result.findings}
    assert found == {
        ("GT-ARGO-001", "Application/dev-web", "argocd/dev/applications/dev-web.yaml"),
        ("GT-ARGO-001", "AppProject/demo-prod", "argocd/prod/project.yaml"),
    }
    messages = " ".join(f.message for f in result.findings)
    assert "automatd" in messages and "sourceRepo" in messages
    assert result.exit_code == 1


def test_a_missing_crd_schema_is_a_warning_not_silence(rendered, tmp_path):
    partial = tmp_path / "schemas"
    partial.mkdir()
    for kind in ("Application", "AppProject"):  # ApplicationSet's is missing
        (partial / schema_file(kind).name).write_bytes(schema_file(kind).read_bytes())
    result = command.run(command.ValidateOptions(root=rendered, helm=False),
                         command.ValidateDeps(schema_dir=partial))
    assert result.schemas == ("AppProject", "Application")
    assert len(result.warnings) == 1 and result.exit_code == 0
    assert result.warnings[0].startswith("the CRD schema of ApplicationSet is missing (")
    report = present.report(result)
    assert f"warning: {result.warnings[0]}" in report
    assert "(CRD schemas: AppProject, Application; some missing: see the warnings)" in report
    assert json.loads(present.as_json(result))["warnings"] == list(result.warnings)
