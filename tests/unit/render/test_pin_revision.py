"""A release pin's own `revision`: the commit its chart is deployed from (a per-service
promotion). It reaches that service's Application and ApplicationSet element only; without
one, nothing in the output changes."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from gitops_tool.adapters.files import load_tree
from gitops_tool.core.apps import app_target
from gitops_tool.core.render.rendering import rendering_for
from gitops_tool.errors import InputError
from tests.support.trees import small_spec, write_tree
from tests.unit.render.parsed import assert_applicationset_generates_the_applications

OWN = "e" * 40


def _with_pin_revision(root: Path, env: str, service: str, revision: str) -> None:
    path = root / "environments" / f"{env}.yaml"
    text = path.read_text()
    pin = f'  {service}:\n    image: "1.0.0"\n'
    assert pin in text
    path.write_text(text.replace(pin, f"{pin}    revision: {revision}\n"))


def test_a_pin_revision_reaches_its_application_and_element_only(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "repo", small_spec())
    before = rendering_for(load_tree(root)).files
    _with_pin_revision(root, "staging", "portal", OWN)
    tree = load_tree(root)
    after = rendering_for(tree).files
    changed = sorted(p for p in after if after[p] != before[p])
    assert changed == [
        "argocd/staging/applications/staging-portal.yaml",
        "argocd/staging/applicationset/applicationset.yaml",
    ]
    app = yaml.safe_load(after["argocd/staging/applications/staging-portal.yaml"])
    assert app["spec"]["source"]["targetRevision"] == OWN
    other = yaml.safe_load(after["argocd/staging/applications/staging-worker.yaml"])
    assert other["spec"]["source"]["targetRevision"] == "c" * 40
    appset = yaml.safe_load(after["argocd/staging/applicationset/applicationset.yaml"])
    elements = {e["chart"]: e for e in appset["spec"]["generators"][0]["list"]["elements"]}
    assert elements["portal"]["revision"] == OWN
    assert elements["worker"]["revision"] == "c" * 40
    assert appset["spec"]["template"]["spec"]["source"]["targetRevision"] == "{{.revision}}"
    assert assert_applicationset_generates_the_applications(after, "staging") == 5
    env = tree.environment("staging")
    service = tree.service("portal")
    assert env is not None and service is not None
    assert app_target(tree.settings, env, service).revision == OWN  # status and sync expect it


@pytest.mark.parametrize("bad", ["main", "E" * 40, "e" * 39, "abc"])
def test_a_pin_revision_must_be_a_full_commit(tmp_path: Path, bad: str) -> None:
    root = write_tree(tmp_path / "repo", small_spec())
    _with_pin_revision(root, "prod", "redis", bad)
    with pytest.raises(InputError) as caught:
        load_tree(root)
    assert "environments/prod.yaml:" in caught.value.message
    assert "releases.redis.revision" in caught.value.message
