"""Determinism: the same inputs always give byte-identical files, whatever the disk order."""

from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gitops_tool.commands.render import RenderOptions, run
from tests.support.trees import PLANES, EnvSpec, TreeSpec, write_tree


def snapshot(root: Path) -> dict[str, str]:
    """Every file under root/argocd: path -> sha256."""
    out = root / "argocd"
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(out.rglob("*"))
        if p.is_file()
    }


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


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tree_specs())
def test_property_rendering_is_byte_identical_and_order_independent(spec: TreeSpec) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        first = write_tree(Path(tmp) / "a", spec)
        result = run(RenderOptions(root=first))
        assert result.plan.changed and not result.plan.unchanged
        files = snapshot(first)
        # again: nothing to write, nothing changes
        again = run(RenderOptions(root=first))
        assert not again.plan.changed
        assert snapshot(first) == files
        # the same tree written to disk in another order renders the same bytes
        reordered = TreeSpec(
            charts=tuple(reversed(spec.charts)),
            environments=tuple(reversed(spec.environments)),
            tags=spec.tags,
        )
        second = write_tree(Path(tmp) / "b", reordered)
        # the promotion chain is declared once: keep the first tree's order
        (second / "gitops-tool.yaml").write_text((first / "gitops-tool.yaml").read_text())
        run(RenderOptions(root=second))
        assert snapshot(second) == files
        # and --check agrees that nothing drifted
        assert run(RenderOptions(root=second, check=True)).exit_code == 0
