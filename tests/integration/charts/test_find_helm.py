"""find_helm with shim `helm` scripts on a temporary PATH: a helm 3 on PATH (GitHub's ubuntu
runners) is passed over for the project's helm v4, and the version probe runs only when it
decides something. No real helm needed."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from gitops_tool.adapters import helm
from gitops_tool.cli import app
from gitops_tool.errors import HelmError


def shim(folder: Path, version: str, log: Path) -> Path:
    """A `helm` that prints `version` to anything and notes each call in `log`."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "helm"
    path.write_text(f"#!/bin/sh\necho \"$@\" >> {str(log)!r}\nprintf '%s' {version}\n")
    path.chmod(0o755)
    return path


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repository root without .tools; PATH = an empty folder; no override."""
    monkeypatch.delenv("GITOPS_TOOL_HELM", raising=False)
    (tmp_path / "path").mkdir()
    monkeypatch.setenv("PATH", str(tmp_path / "path"))
    (tmp_path / "repo").mkdir()
    return tmp_path / "repo"


def _calls(log: Path) -> list[str]:
    return log.read_text().splitlines() if log.exists() else []


def test_a_v4_helm_on_path_wins_over_the_local_copy(root: Path, tmp_path: Path) -> None:
    on_path = shim(tmp_path / "path", "v4.0.5", tmp_path / "path.log")
    shim(root / ".tools" / "bin", "v4.1.4", tmp_path / "local.log")
    assert helm.find_helm(root) == str(on_path)
    assert _calls(tmp_path / "path.log") == ["version --template {{ .Version }}"]
    assert _calls(tmp_path / "local.log") == []


def test_a_v3_helm_on_path_is_passed_over_for_the_local_copy(root: Path, tmp_path: Path) -> None:
    shim(tmp_path / "path", "v3.14.4", tmp_path / "path.log")
    local = shim(root / ".tools" / "bin", "v4.1.4", tmp_path / "local.log")
    assert helm.find_helm(root) == str(local)


def test_a_broken_helm_on_path_is_passed_over_for_the_local_copy(
    root: Path, tmp_path: Path
) -> None:
    broken = tmp_path / "path" / "helm"
    broken.write_text("#!/bin/sh\nexit 1\n")
    broken.chmod(0o755)
    local = shim(root / ".tools" / "bin", "v4.1.4", tmp_path / "local.log")
    assert helm.find_helm(root) == str(local)


def test_without_a_local_copy_the_path_helm_is_taken_unprobed(root: Path, tmp_path: Path) -> None:
    on_path = shim(tmp_path / "path", "v3.14.4", tmp_path / "path.log")
    assert helm.find_helm(root) == str(on_path)  # validate then refuses it, with its hint
    assert _calls(tmp_path / "path.log") == [], "nothing to choose between: no probe"


def test_only_a_local_copy_is_taken_unprobed(root: Path, tmp_path: Path) -> None:
    local = shim(root / ".tools" / "bin", "v4.1.4", tmp_path / "local.log")
    assert helm.find_helm(root) == str(local)
    assert _calls(tmp_path / "local.log") == []


def test_the_override_wins_unprobed(
    root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shim(tmp_path / "path", "v4.0.5", tmp_path / "path.log")
    shim(root / ".tools" / "bin", "v4.1.4", tmp_path / "local.log")
    chosen = shim(tmp_path / "other", "v3.14.4", tmp_path / "other.log")
    monkeypatch.setenv("GITOPS_TOOL_HELM", str(chosen))
    assert helm.find_helm(root) == str(chosen)
    assert _calls(tmp_path / "path.log") == _calls(tmp_path / "other.log") == []


def test_no_helm_at_all_says_how_to_get_helm_v4(root: Path) -> None:
    with pytest.raises(HelmError, match="helm not found") as caught:
        helm.find_helm(root)
    assert "ensure_helm.py" in (caught.value.hint or "") and "v4" in (caught.value.hint or "")


def _cli(root: Path, *args: str) -> int:
    result = CliRunner().invoke(app, ["--repo", str(root), *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code


def test_help_and_render_never_run_helm(root: Path, tmp_path: Path, tree_copy: Path) -> None:
    shim(tmp_path / "path", "v3.14.4", tmp_path / "path.log")
    shim(tree_copy / ".tools" / "bin", "v4.1.4", tmp_path / "local.log")
    assert _cli(tree_copy, "--help") == 0
    assert _cli(tree_copy, "validate", "--help") == 0
    assert _cli(tree_copy, "render", "--check") in (0, 1)  # rendered: up to date, or drift
    assert _calls(tmp_path / "path.log") == _calls(tmp_path / "local.log") == []


def test_validate_refuses_a_v3_path_helm_when_there_is_no_local_copy(
    root: Path, tmp_path: Path, tree_copy: Path
) -> None:
    shim(tmp_path / "path", "v3.14.4", tmp_path / "path.log")
    result = CliRunner().invoke(app, ["--repo", str(tree_copy), "validate", "audit-logger"])
    assert result.exit_code == 3, result.output
    assert "is helm v3.14.4" in result.stderr and "make helm" in result.stderr
