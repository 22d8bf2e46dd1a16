"""Every rendered Application, ApplicationSet and AppProject validates against its CRD.

The schemas are the openAPIV3Schema of ../shared/reference/argocd/*-crd.yaml, made
strict: an object that lists its properties admits no others (as `kubectl
--validate=strict` would), so a misspelt field fails here rather than being
dropped by the API server.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from gitops_tool.adapters.files import load_tree
from gitops_tool.core.render.rendering import Rendering, rendering_for
from gitops_tool.core.validate.argocd import closed_schema
from tests.support.repo import REPO
from tests.unit.render.parsed import documents

CRDS = {
    "Application": "application-crd.yaml",
    "ApplicationSet": "applicationset-crd.yaml",
    "AppProject": "appproject-crd.yaml",
}


@pytest.fixture(scope="session")
def validators(reference_dir: Path) -> dict[str, Any]:
    """One strict validator per kind (the CRDs are large: loaded once per session)."""
    import jsonschema

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    found = {}
    for kind, name in CRDS.items():
        crd = yaml.load((reference_dir / "argocd" / name).read_text(), Loader=loader)
        version = next(v for v in crd["spec"]["versions"] if v.get("storage"))
        schema = closed_schema(version["schema"]["openAPIV3Schema"])
        found[kind] = jsonschema.Draft7Validator(schema)
    return found


def _problems(rendering: Rendering, validators: dict[str, Any]) -> tuple[int, list[str]]:
    checked, problems = 0, []
    for path, docs in documents(rendering).items():
        for doc in docs:
            validator = validators.get(doc.get("kind"))
            if validator is None:
                continue
            checked += 1
            for error in validator.iter_errors(doc):
                where = "/".join(str(p) for p in error.absolute_path)
                problems.append(f"{path}: {where}: {error.message}")
    return checked, problems


def test_small_tree_manifests_match_the_crds(
    small_rendering: Rendering, validators: dict[str, Any]
) -> None:
    checked, problems = _problems(small_rendering, validators)
    assert checked == 3 * (5 + 1 + 1 + 1) + 1  # per env: apps, root, appset, project; root project
    assert problems == []


def test_this_repository_manifests_match_the_crds(validators: dict[str, Any]) -> None:
    if not any((REPO / "charts").glob("*/Chart.yaml")):
        pytest.skip("this repository has no charts yet")
    checked, problems = _problems(rendering_for(load_tree(REPO)), validators)
    assert checked > 0
    assert problems == []


def test_a_misspelt_field_is_caught(validators: dict[str, Any]) -> None:
    app = {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Application",
        "metadata": {"name": "x"},
        "spec": {"project": "p", "destination": {"namespace": "n"}, "syncPolicy": {"retries": 1}},
    }
    assert list(validators["Application"].iter_errors(app))
