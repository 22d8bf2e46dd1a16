"""Wave order: every infrastructure wave < every control-plane wave < every app-plane wave."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from gitops_tool.core import manifests as m
from gitops_tool.core import names
from gitops_tool.core.model import Plane, Service, Settings, Tree
from gitops_tool.core.render import Rendering
from gitops_tool.core.waves import waves_of
from tests.unit.render.conftest import documents

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


@settings(max_examples=50, deadline=None)
@given(
    waves=st.lists(st.integers(-100, 100), min_size=3, max_size=3, unique=True).map(sorted),
    planes=st.lists(st.sampled_from(ORDER), min_size=1, max_size=12),
)
def test_property_wave_annotations_order_the_planes(waves: list[int], planes: list[str]) -> None:
    settings_ = Settings(
        planes=tuple(Plane(n, w) for n, w in zip(ORDER, waves, strict=True)), promotion=("dev",)
    )
    services = [Service(f"svc-{i}", plane, f"charts/svc-{i}") for i, plane in enumerate(planes)]
    env = _env(services)
    wave_of = {
        s.plane: int(
            m.application_for(settings_, env, s)["metadata"]["annotations"][
                names.ANNOTATION_SYNC_WAVE
            ]
        )
        for s in services
    }
    ranked = sorted(wave_of, key=ORDER.index)
    assert [wave_of[p] for p in ranked] == sorted(wave_of.values())


def _env(services: list[Service]):
    from gitops_tool.core.model import Environment, Release, SyncPolicy

    return Environment(
        name="dev",
        source="environments/dev.yaml",
        namespace="ns",
        domain="x",
        project="p",
        argocd_namespace="argocd",
        repo_url="https://git.example.com/r.git",
        branch="main",
        revision="main",
        sync_policy=SyncPolicy(automated=True),
        server="https://kubernetes.default.svc",
        releases={s.name: Release(s.name, "1.0.0") for s in services},
    )
