"""Determinism: the same inputs always give byte-identical files, whatever their order.

The property runs on the pure core (`rendering_for` over trees built in memory by the core's
loaders); one example goes through the disk and `gitops-tool render` to show that what the
command writes is exactly what the core renders.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from gitops_tool.commands.render import RenderOptions, run
from gitops_tool.core.render.rendering import rendering_for
from tests.support.trees import (
    PLANES,
    EnvSpec,
    TreeSpec,
    small_spec,
    tree_from_spec,
    write_tree,
)

chart_names = st.from_regex(r"[a-z][a-z0-9-]{0,14}[a-z0-9]", fullmatch=True).filter(
    lambda n: n != "common" and "--" not in n
)
tags = st.from_regex(
    r"(v?[0-9]{1,2}\.[0-9]{1,2}(\.[0-9]{1,3})?|sha-[0-9a-f]{7}|1\.10)", fullmatch=True
)
revisions = st.one_of(st.just("main"), st.from_regex(r"[0-9a-f]{40}", fullmatch=True))


@st.composite
def tree_specs(draw: st.DrawFn) -> TreeSpec:
    charts = draw(st.lists(chart_names, min_size=1, max_size=8, unique=True))
    planes = [draw(st.sampled_from([p for p, _ in PLANES])) for _ in charts]
    names = draw(
        st.lists(st.sampled_from(["dev", "qa", "staging", "prod", "perf"]), min_size=1,
                 max_size=4, unique=True)
    )
    envs = tuple(
        EnvSpec(
            name=name,
            automated=draw(st.booleans()),
            server="" if (by_name := draw(st.booleans())) else f"https://{name}.example.com",
            cluster=name if by_name else "",
            revision=draw(revisions),
            windows=draw(st.booleans()),
        )
        for name in names
    )
    pins = {(e.name, c): draw(tags) for e in envs for c in charts}
    return TreeSpec(charts=tuple(zip(charts, planes, strict=True)), environments=envs, tags=pins)


def reordered(spec: TreeSpec) -> TreeSpec:
    """The same repository listed the other way round: charts, environments and the pins in
    each environment file. The promotion chain is declared once: it keeps its order."""
    return replace(
        spec,
        charts=tuple(reversed(spec.charts)),
        environments=tuple(reversed(spec.environments)),
        promotion=tuple(e.name for e in spec.environments),
    )


@settings(max_examples=60, deadline=None)
@given(tree_specs())
def test_property_rendering_is_identical_and_order_independent(spec: TreeSpec) -> None:
    files = rendering_for(tree_from_spec(spec)).files
    assert any(path.endswith("/root.yaml") for path in files)
    assert rendering_for(tree_from_spec(spec)).files == files  # again: the same text
    assert rendering_for(tree_from_spec(reordered(spec))).files == files


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under root/argocd: path -> bytes."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted((root / "argocd").rglob("*"))
        if p.is_file()
    }


def test_the_command_writes_exactly_the_core_rendering_whatever_the_disk_order(
    tmp_path: Path,
) -> None:
    spec = replace(small_spec(), tags={("dev", "portal"): "1.10", ("prod", "redis"): "v7.2"})
    first = write_tree(tmp_path / "a", spec)
    result = run(RenderOptions(root=first))
    assert result.plan.changed and not result.plan.unchanged
    files = snapshot(first)
    expected = rendering_for(tree_from_spec(spec)).files
    assert files == {path: text.encode() for path, text in expected.items()}
    # again: nothing to write, nothing changes
    assert not run(RenderOptions(root=first)).plan.changed
    assert snapshot(first) == files
    # the same repository written in another order renders the same bytes
    second = write_tree(tmp_path / "b", reordered(spec))
    run(RenderOptions(root=second))
    assert snapshot(second) == files
    # and --check agrees that nothing drifted
    assert run(RenderOptions(root=second, check=True)).exit_code == 0
