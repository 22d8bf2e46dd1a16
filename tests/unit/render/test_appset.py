"""The ApplicationSet generates exactly the rendered Applications, plane after plane."""

from __future__ import annotations

import yaml

from gitops_tool.core import names
from gitops_tool.core.render.rendering import Rendering
from gitops_tool.core.waves import waves_of
from tests.unit.render.parsed import (
    applicationset_of,
    assert_applicationset_generates_the_applications,
    environments_of,
    instantiate,
)


def test_template_with_each_element_is_the_rendered_application(
    small_rendering: Rendering,
) -> None:
    for env in ("dev", "staging", "prod"):
        assert assert_applicationset_generates_the_applications(small_rendering.files, env) == 5


def test_this_repositorys_committed_applicationsets_generate_its_applications(
    committed_output: dict[str, str],
) -> None:
    """The same on argocd/ as committed here: what Argo CD would really read."""
    envs = environments_of(committed_output)
    assert envs, "argocd/ has no ApplicationSet"
    for env in envs:
        assert assert_applicationset_generates_the_applications(committed_output, env) > 0


def test_every_element_matches_exactly_one_step_in_wave_order(
    small_rendering: Rendering, small_tree
) -> None:
    for env in ("dev", "staging", "prod"):
        spec = applicationset_of(small_rendering.files, env)["spec"]
        assert spec["strategy"]["type"] == "RollingSync"
        steps = spec["strategy"]["rollingSync"]["steps"]
        planes = [w.plane for w in waves_of(small_tree)]
        assert [s["matchExpressions"][0]["values"] for s in steps] == [[p] for p in planes]
        for element in spec["generators"][0]["list"]["elements"]:
            labels = instantiate(spec["template"]["metadata"]["labels"], element)
            matching = [
                i
                for i, step in enumerate(steps)
                if all(
                    e["operator"] == "In" and labels.get(e["key"]) in e["values"]
                    for e in step["matchExpressions"]
                )
            ]
            assert len(matching) == 1, element
            assert steps[matching[0]]["matchExpressions"][0]["key"] == names.LABEL_PLANE


def test_generated_applications_keep_the_finalizer(small_rendering: Rendering) -> None:
    spec = applicationset_of(small_rendering.files, "prod")["spec"]
    assert spec["syncPolicy"] == {"preserveResourcesOnDeletion": False}
    assert spec["template"]["metadata"]["finalizers"] == [names.RESOURCES_FINALIZER]
    # deletionOrder: Reverse would make the controller delete the generated Applications
    # (and, through their finalizer, every workload) even on `--cascade=orphan`
    assert "deletionOrder" not in spec["strategy"]


def test_manual_environment_steps_are_gated_and_automated_ones_are_not(
    small_rendering: Rendering, small_tree
) -> None:
    # RollingSync syncs by itself; maxUpdate: 0 on every step is the manual gate (pitfall 5)
    for env in small_tree.environments:
        spec = applicationset_of(small_rendering.files, env.name)["spec"]
        steps = spec["strategy"]["rollingSync"]["steps"]
        assert steps
        for step in steps:
            if env.sync_policy.automated:
                assert "maxUpdate" not in step
            else:
                assert step["maxUpdate"] == 0
    assert any(not env.sync_policy.automated for env in small_tree.environments)


def test_the_applicationset_is_outside_the_root_application_and_kustomization(
    small_rendering: Rendering,
) -> None:
    for env in ("dev", "staging", "prod"):
        root = yaml.safe_load(small_rendering.files[f"argocd/{env}/root.yaml"])
        assert root["spec"]["source"]["path"] == f"argocd/{env}/applications"
        kustomization = yaml.safe_load(small_rendering.files[f"argocd/{env}/kustomization.yaml"])
        assert kustomization["resources"] == ["project.yaml", "root.yaml"]
