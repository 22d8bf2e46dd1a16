"""What helm's output means: its own message, a crash, its version, the rendered documents.

Pure: takes what helm printed and returns data; the helm adapter runs helm.
"""

from __future__ import annotations

import signal
from typing import Any

from gitops_tool.core.yamldoc import MAX_HELM_OUTPUT_BYTES, load_all_plain
from gitops_tool.errors import InputError

# The Helm major version Argo CD renders these charts with (scripts/ensure_helm.py fetches it).
ARGOCD_HELM_MAJOR = 4
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
    return (
        returncode < 0 or "panic:" in stderr or ("goroutine " in stderr and "[running]" in stderr)
    )


def chart_error(returncode: int, stdout: str, stderr: str) -> bool:
    """helm refused the chart: exit 1 with its own `Error:` line, and no crash. Anything else
    (a signal, a panic, another exit code, silence) is helm failing."""
    said = any(ln.startswith("Error:") for ln in f"{stdout}\n{stderr}".splitlines())
    return returncode == 1 and said and not crashed(returncode, stderr)


def exit_of(returncode: int) -> str:
    """How helm ended: "exit 2", or "killed by SIGKILL" for a negative return code."""
    if returncode >= 0:
        return f"exit {returncode}"
    try:
        return f"killed by {signal.Signals(-returncode).name}"
    except ValueError:
        return f"killed by signal {-returncode}"


def crash_detail(stdout: str, stderr: str) -> str:
    """What helm printed when it crashed: from its `panic:` line on, else the end of it."""
    text = stderr or stdout
    lines = text.strip().splitlines()
    panic = next((i for i, ln in enumerate(lines) if ln.startswith("panic:")), None)
    if panic is not None:
        return "\n".join(lines[panic : panic + MESSAGE_LINES])
    return tail(text) or "(helm printed nothing)"


def major_version(version: str) -> int | None:
    """4 for "v4.1.4"; None when it is not a version."""
    digits = version.strip().lstrip("v").split(".", 1)[0]
    return int(digits) if digits.isdigit() else None


def documents(manifest: str) -> list[Any]:
    """The non-empty documents of `helm template` output; ValueError when it is not YAML
    or past the YAML bounds (core.yamldoc; MAX_HELM_OUTPUT_BYTES for the whole output)."""
    try:
        documents = load_all_plain(manifest, "the output", MAX_HELM_OUTPUT_BYTES)
    except InputError as exc:
        raise ValueError(f"rendered invalid YAML: {exc.message}") from None
    return [d for d in documents if d]
