"""Rollout planning: root first, then waves from the planes, `--app` limits."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gitops_tool.core.argocd.rollout import expected_apps, plan_rollout
from gitops_tool.core.names import ROOT_PROJECT
from gitops_tool.errors import InputError
from tests.support.trees import PLANES
from tests.support.trees import memory_tree as make_tree

TREE = make_tree({"cert-manager": "infrastructure", "api": "control-plane",
                  "worker": "control-plane", "portal": "app-plane"})


def test_the_root_goes_first_then_the_planes_in_wave_order():
    plan = plan_rollout(TREE, "dev")
    assert (plan.root.name, plan.root.project, plan.root.revision) == (
        "dev-root", ROOT_PROJECT, "main")
    assert [(w.number, w.plane, [a.name for a in w.apps]) for w in plan.waves] == [
        (10, "infrastructure", ["dev-cert-manager"]),
        (20, "control-plane", ["dev-api", "dev-worker"]),
        (30, "app-plane", ["dev-portal"]),
    ]
    api = plan.waves[1].apps[0]
    assert (api.project, api.namespace, api.revision, api.image_tag) == (
        "ananta-dev", "argocd", "main", "1.0.0")  # argocd_spec pins the n-th name to 1.<n>.0


def test_app_limits_by_service_or_application_name():
    plan = plan_rollout(TREE, "dev", ("worker", "dev-portal"))
    assert [a.name for a in plan.apps] == ["dev-worker", "dev-portal"]
    assert [w.number for w in plan.waves] == [20, 30]


def test_unknown_app_and_environment_are_input_errors():
    with pytest.raises(InputError, match="unknown application 'nope'") as info:
        plan_rollout(TREE, "dev", ("nope",))
    assert "cert-manager" in info.value.hint
    with pytest.raises(InputError, match="unknown environment 'prd'"):
        plan_rollout(TREE, "prd")


@settings(max_examples=60, deadline=None)
@given(
    st.dictionaries(
        st.from_regex(r"[a-z][a-z0-9]{0,8}", fullmatch=True),
        st.sampled_from([name for name, _ in PLANES]),
        min_size=1, max_size=12,
    ),
    st.data(),
)
def test_waves_partition_the_selection_in_increasing_order(services, data):
    tree = make_tree(services)
    chosen = data.draw(st.lists(st.sampled_from(sorted(services)), unique=True))
    plan = plan_rollout(tree, "dev", tuple(chosen))
    numbers = [w.number for w in plan.waves]
    assert numbers == sorted(set(numbers))
    waves = dict(PLANES)
    for wave in plan.waves:
        assert wave.apps and all(waves[a.plane] == wave.number for a in wave.apps)
    expected = {a.name for a in expected_apps(tree, tree.environments[0])
                if not chosen or a.service in chosen}
    names = [a.name for a in plan.apps]
    assert sorted(names) == sorted(expected) and len(names) == len(set(names))
