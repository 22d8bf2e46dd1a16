"""What helm's output means: its own message, a crash, its version, the rendered documents.

Pure: takes what helm printed and returns data; the helm adapter runs helm.
"""

from __future__ import annotations

from typing import Any

MESSAGE_LINES = 20  # at most this many lines of helm's message in a finding


def tail(text: str, lines: int = MESSAGE_LINES) -> str:
    """The last non-blank lines of `text`."""
    kept = [ln for ln in text.strip().splitlines() if ln.strip()]
    return "\n".join(kept[-lines:])


def message(stdout: str, stderr: str) -> str:
    """helm's own message: the lint [ERROR]/[WARNING] lines and its `Error:` line, or
    else the end of what it printed."""
    text = "\n".join(s for s in (stdout, stderr) if s)
    picked = [
        ln.strip()
        for ln in text.splitlines()
        if "[ERROR]" in ln or "[WARNING]" in ln or ln.startswith("Error:")
    ]
    return "\n".join(picked[:MESSAGE_LINES]) if picked else tail(text)


def crashed(returncode: int, stderr: str) -> bool:
    """helm killed by a signal, or a Go panic: helm failing, not the chart."""
    return returncode < 0 or "panic:" in stderr or (
        "goroutine " in stderr and "[running]" in stderr
    )


def major_version(version: str) -> int | None:
    """4 for "v4.1.4"; None when it is not a version."""
    digits = version.strip().lstrip("v").split(".", 1)[0]
    return int(digits) if digits.isdigit() else None


def documents(manifest: str) -> list[Any]:
    """The non-empty documents of `helm template` output; ValueError when it is not YAML."""
    import yaml

    try:
        return [d for d in yaml.load_all(manifest, Loader=yaml.CSafeLoader) if d]
    except yaml.YAMLError as exc:
        raise ValueError(f"rendered invalid YAML: {exc}") from None
