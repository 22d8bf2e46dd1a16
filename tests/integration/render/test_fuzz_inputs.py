"""Matrix row 24: whatever a person does to an environment, settings or values file, render
either works or exits 2 with a message; it never crashes, and `--check` never writes."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gitops_tool.commands.render import RenderOptions, run
from gitops_tool.errors import GitopsError
from tests.support.repo import copy_tree

FILES = (
    "environments/prod.yaml",
    "gitops-tool.yaml",
    "charts/admin-app/values-prod.yaml",
    "charts/admin-app/Chart.yaml",
)
# Characters that break YAML in the ways people do: structure, quoting, tabs, anchors.
NOISE = st.sampled_from([*":-\t []{}#'\"\n,&*!|>%@`", "  ", "\n  ", "<<: *x", "\xff"])


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_tree(tmp_path_factory.mktemp("fuzz") / "repo")


def _digest(root: Path) -> str:
    h = hashlib.sha256()
    for path in sorted((root / "argocd").rglob("*")):
        h.update(path.as_posix().encode())
        if path.is_file():
            h.update(path.read_bytes())
    return h.hexdigest()


@st.composite
def mutation(draw: st.DrawFn) -> tuple[str, int, str, int]:
    """A file, a position (as a fraction of its length), text to insert, chars to delete."""
    return (
        draw(st.sampled_from(FILES)),
        draw(st.integers(0, 10_000)),
        draw(NOISE),
        draw(st.integers(0, 3)),
    )


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutations=st.lists(mutation(), min_size=1, max_size=3))
def test_mutated_inputs_render_or_fail_cleanly_and_check_writes_nothing(repo, mutations):
    originals = {rel: (repo / rel).read_bytes() for rel in FILES}
    before = _digest(repo)
    try:
        for rel, where, insert, delete in mutations:
            data = (repo / rel).read_bytes()
            at = where % (len(data) + 1)
            (repo / rel).write_bytes(data[:at] + insert.encode("latin-1") + data[at + delete:])
        try:
            result = run(RenderOptions(root=repo, check=True))
        except GitopsError as exc:
            assert exc.exit_code == 2, exc.message
            assert exc.message.strip() and "\n" not in exc.message.strip()
        else:
            assert result.exit_code in (0, 1)
        assert _digest(repo) == before
    finally:
        for rel, data in originals.items():
            (repo / rel).write_bytes(data)
