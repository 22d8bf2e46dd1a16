"""Wave order: every infrastructure wave < every control-plane wave < every app-plane wave."""

from __future__ import annotations

import itertools

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from gitops_tool.core import names
from gitops_tool.core.model import Tree
from gitops_tool.core.render.rendering import Rendering, rendering_for
from gitops_tool.core.waves import waves_of
from gitops_tool.errors import InputError
from tests.support.trees import EnvSpec, TreeSpec, tree_from_spec
from tests.unit.render.parsed import documents

ORDER = ("infrastructure", "control-plane", "app-plane")


def _waves_by_plane(rendering: Rendering) -> dict[tuple[str, str], list[int]]:
    found: dict[tuple[str, str], list[int]] = {}
    for path, docs in documents(rendering).items():
        if "/applications/" not in path:
            continue
        meta = docs[0]["metadata"]
        env, plane = meta["labels"][names.LABEL_ENVIRONMENT], meta["labels"][names.LABEL_PLANE]
        wave = int(meta["annotations"][names.ANNOTATION_SYNC_WAVE])
        found.setdefault((env, plane), []).append(wave)
    return found


def test_rendered_waves_follow_the_planes(small_rendering: Rendering) -> None:
    found = _waves_by_plane(small_rendering)
    for env in ("dev", "staging", "prod"):
        infra, control, app = (found[(env, plane)] for plane in ORDER)
        assert max(infra) < min(control)
        assert max(control) < min(app)


def test_waves_of_lists_planes_in_wave_order(small_tree: Tree) -> None:
    waves = waves_of(small_tree)
    assert [w.plane for w in waves] == list(ORDER)
    assert [w.wave for w in waves] == sorted(w.wave for w in waves)
    assert {s.name for w in waves for s in w.services} == {s.name for s in small_tree.services}


@settings(max_examples=100, deadline=None)
@given(
    order=st.permutations(ORDER),
    # any three waves; half of the time three distinct ones in rising order, so that both
    # outcomes (refused, rendered) are common
    waves=st.lists(st.integers(-100, 100), min_size=3, max_size=3)
    | st.lists(st.integers(-100, 100), min_size=3, max_size=3, unique=True).map(sorted),
    planes=st.lists(st.sampled_from(ORDER), min_size=1, max_size=12),
)
def test_property_wave_annotations_order_the_planes(
    order: list[str], waves: list[int], planes: list[str]
) -> None:
    """Planes declared in any order with any waves: loading refuses exactly the declarations
    whose waves do not rise; otherwise every rendered Application of a plane declared earlier
    has a lower sync wave than every one of a plane declared later, and the RollingSync steps
    follow the same order."""
    declared = list(zip(order, waves, strict=True))
    rising = all(a < b for a, b in itertools.pairwise(waves))
    spec = TreeSpec(
        charts=tuple((f"svc-{i}", plane) for i, plane in enumerate(planes)),
        environments=(EnvSpec("dev"),),
        planes=tuple(declared),
    )
    try:
        tree = tree_from_spec(spec)
    except InputError as exc:
        assert not rising, exc.message
        assert "planes: wave of" in exc.message
        return
    assert rising, f"accepted waves that do not rise: {declared}"
    rendering = rendering_for(tree)
    found = _waves_by_plane(rendering)
    present = [name for name in order if ("dev", name) in found]
    assert {plane for _, plane in found} == set(planes)
    for earlier, later in itertools.pairwise(present):
        assert max(found[("dev", earlier)]) < min(found[("dev", later)]), (earlier, later)
    appset = yaml.safe_load(rendering.files["argocd/dev/applicationset/applicationset.yaml"])
    steps = appset["spec"]["strategy"]["rollingSync"]["steps"]
    stepped = [step["matchExpressions"][0]["values"][0] for step in steps]
    assert [p for p in stepped if p in present] == present

