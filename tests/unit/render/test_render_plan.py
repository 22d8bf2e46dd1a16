"""The write plan: what to write, leave and remove, decided before anything is touched."""

from __future__ import annotations

import pytest

from gitops_tool.core.render.plan import diff_for, plan_for
from gitops_tool.errors import InputError

OWNED_ALL = ("argocd/",)


def test_new_changed_unchanged_and_stray_files() -> None:
    files = {"argocd/dev/a.yaml": "a: 1\n", "argocd/dev/b.yaml": "b: 2\n", "argocd/c.yaml": "c\n"}
    existing = {
        "argocd/dev/a.yaml": b"a: 1\n",  # unchanged
        "argocd/dev/b.yaml": b"b: 1\n",  # changed
        "argocd/dev/old.yaml": b"old\n",  # stray
        "argocd/.x.tmp": None,  # not a regular file: stray too
    }
    plan = plan_for(files, OWNED_ALL, existing)
    assert [p for p, _ in plan.write] == ["argocd/c.yaml", "argocd/dev/b.yaml"]
    assert plan.new == {"argocd/c.yaml"}
    assert plan.unchanged == ("argocd/dev/a.yaml",)
    assert plan.remove == ("argocd/.x.tmp", "argocd/dev/old.yaml")
    assert plan.changed


def test_nothing_to_do_when_everything_matches() -> None:
    files = {"argocd/dev/a.yaml": "a\n"}
    plan = plan_for(files, OWNED_ALL, {"argocd/dev/a.yaml": b"a\n"})
    assert not plan.changed and plan.unchanged == ("argocd/dev/a.yaml",)


def test_only_owned_folders_lose_files() -> None:
    owned = ("argocd/bootstrap/", "argocd/dev/")
    existing = {"argocd/dev/x.yaml": b"x", "argocd/prod/y.yaml": b"y", "argocd/top.md": b"t"}
    plan = plan_for({"argocd/dev/a.yaml": "a"}, owned, existing)
    assert plan.remove == ("argocd/dev/x.yaml",)


def test_a_file_where_a_folder_goes_is_bad_input() -> None:
    with pytest.raises(InputError, match="argocd/dev: a file or link stands"):
        plan_for({"argocd/dev/a.yaml": "a"}, OWNED_ALL, {"argocd/dev": None})


def test_diff_shows_changes_new_files_and_removals() -> None:
    existing = {"argocd/a.yaml": b"x: 1\ny: 2\n", "argocd/gone.yaml": b"g\n"}
    files = {"argocd/a.yaml": "x: 1\ny: 3\n", "argocd/new.yaml": "n: 1"}
    plan = plan_for(files, OWNED_ALL, existing)
    diff = diff_for(plan, existing)
    assert "--- a/argocd/a.yaml\n+++ b/argocd/a.yaml\n" in diff
    assert "-y: 2\n+y: 3\n" in diff
    assert "--- /dev/null\n+++ b/argocd/new.yaml\n" in diff
    assert "+n: 1\n\\ No newline at end of file\n" in diff
    assert "--- a/argocd/gone.yaml\n+++ /dev/null\n" in diff and "-g\n" in diff
