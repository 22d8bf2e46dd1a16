"""Atomic writes: a failure anywhere leaves argocd/ exactly as it was, with no temp files.

Faults are injected into the OS calls the writer makes (os.replace, os.open, os.write,
os.link), on the Nth call, on a real folder: nothing of ours is mocked.
"""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
import signal
from collections.abc import Callable
from pathlib import Path

import pytest

from gitops_tool.commands.render import RenderOptions, run
from gitops_tool.errors import InputError
from tests.support.signals import default_sigint
from tests.support.trees import small_spec, write_tree


def state(root: Path) -> dict[str, str]:
    """Every file and folder under argocd/ (hidden ones too), with a hash of each file."""
    out = root / "argocd"
    found = {}
    for path in sorted(out.rglob("*")):
        rel = path.relative_to(root).as_posix()
        found[rel] = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "dir"
    return found


def leftovers(root: Path) -> list[str]:
    return [p.name for p in (root / "argocd").rglob("*") if "gitops-tool-" in p.name]


@pytest.fixture
def changed_tree(tmp_path: Path) -> Path:
    """A rendered tree whose inputs then changed: files to write, add and remove."""
    root = write_tree(tmp_path / "repo", small_spec())
    run(RenderOptions(root=root))
    dev = root / "environments" / "dev.yaml"
    dev.write_text(dev.read_text().replace('"1.0.0"', '"1.0.1"'))  # every dev app changes
    shutil.rmtree(root / "charts" / "worker")  # 3 apps to remove
    for env in ("dev", "staging", "prod"):
        path = root / "environments" / f"{env}.yaml"
        path.write_text(path.read_text().replace("  worker:\n    image: \"1.0.1\"\n", "")
                        .replace("  worker:\n    image: \"1.0.0\"\n", ""))
    (root / "argocd" / "dev" / "applications" / "stray.yaml").write_text("x: 1\n")
    shutil.copytree(root / "argocd", tmp_path / "before")
    return root


def count_calls(root: Path, name: str) -> tuple[int, dict[str, str]]:
    """How many times a successful render of a copy of `root` calls os.<name>, and the
    state it leaves."""
    copy = root.parent / "count"
    shutil.copytree(root, copy)
    real = getattr(os, name)
    calls = 0

    def counting(*args, **kwargs):
        nonlocal calls
        calls += 1
        return real(*args, **kwargs)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(os, name, counting)
        run(RenderOptions(root=copy))
    after = state(copy)
    shutil.rmtree(copy)
    return calls, after


def failing_on(n: int, real: Callable, error: BaseException) -> Callable:
    calls = 0

    def fail(*args, **kwargs):
        nonlocal calls
        calls += 1
        if calls == n:
            raise error
        return real(*args, **kwargs)

    return fail


def test_a_successful_render_changes_what_it_should(changed_tree: Path) -> None:
    result = run(RenderOptions(root=changed_tree))
    assert {p for p, _ in result.plan.write} >= {"argocd/dev/applications/dev-portal.yaml"}
    assert "argocd/dev/applications/stray.yaml" in result.plan.remove
    assert "argocd/prod/applications/prod-worker.yaml" in result.plan.remove
    assert not (changed_tree / "argocd/prod/applications/prod-worker.yaml").exists()
    assert leftovers(changed_tree) == []


@pytest.mark.parametrize("call", ["replace", "open", "write", "link"])
def test_failure_at_every_step_leaves_argocd_as_it_was_or_complete(
    changed_tree: Path, monkeypatch: pytest.MonkeyPatch, call: str
) -> None:
    """All or nothing: a failing OS call either fails the render with argocd/ untouched, or
    is one the writer can do without (a hard link; fsync of a folder) and the render
    completes."""
    total, complete = count_calls(changed_tree, call)
    assert total > 3
    before = state(changed_tree)
    failed = 0
    for n in range(1, total + 1):
        error = OSError(errno.ENOSPC, "No space left on device", "somewhere")
        with monkeypatch.context() as mp:
            mp.setattr(os, call, failing_on(n, getattr(os, call), error))
            try:
                run(RenderOptions(root=changed_tree))
            except InputError as exc:
                assert "cannot write: No space left on device" in exc.message
                assert state(changed_tree) == before, f"os.{call} failing on call {n}/{total}"
                failed += 1
            else:
                assert state(changed_tree) == complete, f"os.{call} failing on call {n}/{total}"
                shutil.rmtree(changed_tree / "argocd")
                shutil.copytree(changed_tree.parent / "before", changed_tree / "argocd")
        assert leftovers(changed_tree) == []
    assert failed or call == "link"


def test_ctrl_c_midway_leaves_argocd_as_it_was(
    changed_tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    total, _ = count_calls(changed_tree, "replace")
    before = state(changed_tree)
    for n in (1, total // 2, total):
        with monkeypatch.context() as mp:
            mp.setattr(os, "replace", failing_on(n, os.replace, KeyboardInterrupt()))
            with pytest.raises(KeyboardInterrupt):
                run(RenderOptions(root=changed_tree))
        assert state(changed_tree) == before
        assert leftovers(changed_tree) == []


def test_ctrl_c_during_the_commit_waits_for_it_to_finish(
    changed_tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A real SIGINT in the middle of the renames: the commit completes, then Ctrl-C."""
    real_replace = os.replace
    sent = False

    def replace_and_interrupt(*args, **kwargs):
        nonlocal sent
        if not sent:
            sent = True
            os.kill(os.getpid(), signal.SIGINT)
        return real_replace(*args, **kwargs)

    monkeypatch.setattr(os, "replace", replace_and_interrupt)
    with default_sigint(), pytest.raises(KeyboardInterrupt):
        run(RenderOptions(root=changed_tree))
    monkeypatch.undo()
    assert run(RenderOptions(root=changed_tree, check=True)).exit_code == 0  # fully new
    assert leftovers(changed_tree) == []


def test_new_folders_are_removed_when_the_render_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write_tree(tmp_path / "repo", small_spec())
    monkeypatch.setattr(os, "replace", failing_on(5, os.replace, OSError(errno.EIO, "I/O")))
    with pytest.raises(InputError):
        run(RenderOptions(root=root))
    assert not (root / "argocd").exists()


def test_rendering_some_environments_keeps_the_others(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "repo", small_spec())
    run(RenderOptions(root=root))
    stray_prod = root / "argocd" / "prod" / "applications" / "keep-me.yaml"
    stray_dev = root / "argocd" / "dev" / "applications" / "drop-me.yaml"
    stray_prod.write_text("x\n")
    stray_dev.write_text("x\n")
    before = state(root)
    result = run(RenderOptions(root=root, environments=("dev",)))
    assert result.plan.remove == ("argocd/dev/applications/drop-me.yaml",)
    assert stray_prod.exists() and not stray_dev.exists()
    after = state(root)
    assert {p: h for p, h in after.items() if "/prod/" in p} == {
        p: h for p, h in before.items() if "/prod/" in p
    }


def test_an_environment_that_went_away_loses_its_folder(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "repo", small_spec())
    run(RenderOptions(root=root))
    (root / "environments" / "prod.yaml").unlink()
    settings = root / "gitops-tool.yaml"
    settings.write_text(settings.read_text().replace(", prod]", "]"))
    run(RenderOptions(root=root))
    assert not (root / "argocd" / "prod").exists()
    assert (root / "argocd" / "staging" / "root.yaml").exists()


def test_temp_files_of_a_killed_run_are_cleaned_up(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "repo", small_spec())
    run(RenderOptions(root=root))
    junk = root / "argocd" / "dev" / ".dev-portal.yaml.gitops-tool-99999.tmp"
    junk.write_text("half")
    result = run(RenderOptions(root=root))
    assert result.plan.remove == ("argocd/dev/.dev-portal.yaml.gitops-tool-99999.tmp",)
    assert leftovers(root) == []


def test_a_symlinked_output_folder_is_refused(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "repo", small_spec())
    outside = tmp_path / "outside"
    outside.mkdir()
    (root / "argocd").symlink_to(outside)
    with pytest.raises(InputError, match="argocd: a file or link stands where render writes"):
        run(RenderOptions(root=root))
    assert list(outside.iterdir()) == []


def test_a_symlinked_output_folder_inside_the_repository_is_refused_too(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "repo", small_spec())
    (root / "elsewhere").mkdir()
    (root / "argocd").symlink_to(root / "elsewhere")
    for environments in ((), ("dev",)):
        with pytest.raises(InputError, match="argocd: a file or link stands where render"):
            run(RenderOptions(root=root, environments=environments))
    assert list((root / "elsewhere").iterdir()) == []
