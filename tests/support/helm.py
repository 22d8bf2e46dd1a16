"""helm for the tests: the binary validate itself would run, or a shim that plays one."""

from __future__ import annotations

from pathlib import Path

from tests.support.repo import REPO


def helm_binary() -> str | None:
    """The helm the tests run: the one validate itself would pick (find_helm), or None."""
    from gitops_tool.adapters.helm import find_helm
    from gitops_tool.errors import HelmError

    try:
        return find_helm(REPO)
    except HelmError:
        return None


def fake_helm(folder: Path, body: str, version: str = "v4.1.4") -> Path:
    """A `helm` shim answering `version` with `version` and running `body` for anything else."""
    folder.mkdir(parents=True, exist_ok=True)
    shim = folder / "helm"
    shim.write_text(
        "#!/bin/sh\n"
        f'if [ "$1" = version ]; then echo {version}; exit 0; fi\n'
        f"{body}\n"
    )
    shim.chmod(0o755)
    return shim
