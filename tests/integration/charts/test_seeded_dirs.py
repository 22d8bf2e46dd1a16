"""seededDirs: folders that must be writable but start with the image's content (the temporal
server renders its config into /etc/temporal/config at start, on a read-only root filesystem).
Each is an emptyDir mounted over the folder, filled first by an init container on the same image.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from gitops_tool.adapters import helm
from tests.support.repo.helm import Rendered, parse

from .objects import CHARTS_DIR, pod_spec, quantity, values_files
from .spec import (
    CASE_IDS,
    CASES,
    CHARTS,
    CONTAINER_SECURITY_CONTEXT,
    NAMESPACE,
    PINNED_TAG,
    SUMMARY_RESOURCES,
    resource_name,
)

pytestmark = pytest.mark.helm


def _seed_name(path: str) -> str:
    """The library's name for a seeded folder's volume and init container (short paths)."""
    return f"seed-{re.sub(r'[^a-z0-9]+', '-', path.strip('/').lower())}"[:63].rstrip("-")


def _init_for(pod: dict[str, Any], volume: str) -> dict[str, Any]:
    [init] = [
        c
        for c in pod.get("initContainers", [])
        if volume in {m["name"] for m in c.get("volumeMounts", [])}
    ]
    return init


@pytest.mark.parametrize(("chart", "env"), CASES, ids=CASE_IDS)
def test_seeded_dirs_are_emptydirs_an_init_container_fills_from_the_image(
    rendered: Rendered, chart: str, env: str
) -> None:
    r, spec = rendered(chart, env), CHARTS[chart]
    for component, comp in spec.components.items():
        pod = pod_spec(r.get(comp.kind, resource_name(chart, component)))
        inits = pod.get("initContainers", [])
        assert len(inits) == len(comp.seeded), "init containers only for seededDirs"
        if not comp.seeded:
            continue
        [main] = pod["containers"]
        volumes = {v["name"]: v for v in pod["volumes"]}
        mounts = {m["mountPath"]: m for m in main["volumeMounts"]}
        for path in comp.seeded:
            volume = mounts[path]["name"]
            assert not mounts[path].get("readOnly"), "the process writes there"
            assert volume == _seed_name(path), "a stable name, derived from the path"
            assert volumes[volume] == {"name": volume, "emptyDir": {}}
            init = _init_for(pod, volume)
            assert init["name"] == volume and len(init["name"]) <= 63
            [scratch] = init["volumeMounts"]
            assert scratch["name"] == volume and not scratch.get("readOnly")
            assert scratch["mountPath"] != path, "the image's folder stays visible to the copy"
            assert init["command"] == ["sh", "-c", f"cp -R {path}/. {scratch['mountPath']}/"]
            assert "args" not in init
            assert (init["image"], init["imagePullPolicy"]) == (
                main["image"],
                main["imagePullPolicy"],
            )
            assert init["securityContext"] == CONTAINER_SECURITY_CONTEXT
            assert init["securityContext"] == main["securityContext"]
            assert not {"env", "envFrom", "ports"} & init.keys()
            resources = init["resources"]
            for bound in ("requests", "limits"):
                assert set(resources[bound]) == {"cpu", "memory"}
                for resource in ("cpu", "memory"):
                    small = quantity(resources[bound][resource])
                    assert 0 < small <= quantity(SUMMARY_RESOURCES["requests"][resource])
            for resource in ("cpu", "memory"):
                assert quantity(resources["requests"][resource]) <= quantity(
                    resources["limits"][resource]
                )


def test_only_the_temporal_server_seeds_folders() -> None:
    seeded = {
        (chart, component)
        for chart, spec in CHARTS.items()
        for component, comp in spec.components.items()
        if comp.seeded
    }
    assert seeded == {("temporal", c) for c in ("frontend", "history", "matching", "worker")}


def _render_temporal(built: str, tmp_path: Path, web: dict[str, Any]) -> helm.HelmRun:
    extra = tmp_path / "values-extra.yaml"
    extra.write_text(yaml.safe_dump({"components": {"web": web}}), encoding="utf-8")
    chart_dir = CHARTS_DIR / "temporal"
    files = [*values_files(chart_dir, "prod"), extra]
    return helm.template(
        built, chart_dir, "temporal", NAMESPACE["prod"], files, {"image.tag": PINNED_TAG}
    )


def test_long_seeded_paths_get_distinct_names_of_63_characters(built: str, tmp_path: Path) -> None:
    long = "/" + "a" * 40 + "/" + "b" * 40
    r = parse(_render_temporal(built, tmp_path, {"seededDirs": [f"{long}/one", f"{long}/two"]}))
    pod = pod_spec(r.get("Deployment", "temporal-web"))
    names = [c["name"] for c in pod["initContainers"]]
    assert len(set(names)) == 2, names
    assert all(len(n) <= 63 and n.startswith("seed-a") and not n.endswith("-") for n in names)
    assert {v["name"] for v in pod["volumes"]} >= set(names)
    again = parse(_render_temporal(built, tmp_path, {"seededDirs": [f"{long}/one"]}))
    [init] = pod_spec(again.get("Deployment", "temporal-web"))["initContainers"]
    assert init["name"] in names, "a name depends on its path only"


@pytest.mark.parametrize(
    ("web", "message"),
    [
        ({"seededDirs": ["/tmp"]}, "/tmp is in writableDirs and seededDirs"),
        ({"seededDirs": ["/a"], "writableDirs": ["/tmp", "/seed/a"]}, "colliding volume names"),
        ({"seededDirs": ["/etc/x;rm"]}, "does not match pattern"),
        ({"seededDirs": ["/"]}, "does not match pattern"),
        ({"seedDirs": ["/a"]}, "additional properties"),
    ],
)
def test_seeded_dirs_refuse_what_would_break_the_pod(
    built: str, tmp_path: Path, web: dict[str, Any], message: str
) -> None:
    run = _render_temporal(built, tmp_path, web)
    assert not run.ok and message in run.stderr, run.stderr
