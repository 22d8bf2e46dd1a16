"""What helm's output means: its own message, a crash, its version, the rendered documents.

Pure: takes what helm printed and returns data; the helm adapter runs helm.
"""

from __future__ import annotations

import re
import signal
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
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


def _marked(line: str) -> bool:
    return "[ERROR]" in line or "[WARNING]" in line or line.startswith("Error:")


def message(stdout: str, stderr: str) -> str:
    """helm's own message: each lint [ERROR]/[WARNING] line and its `Error:` line, with
    the lines that continue them (a values schema error lists its violations below its
    first line), or else the end of what it printed."""
    text = "\n".join(s for s in (stdout, stderr) if s)
    picked: list[str] = []
    inside = False
    for line in text.splitlines():
        if _marked(line):
            inside = True
            picked.append(line.strip())
        elif inside and line.strip() and not line.startswith("==>"):
            picked.append(line.rstrip())
        else:
            inside = False
    return "\n".join(picked[:MESSAGE_LINES]) if picked else tail(text)


SCHEMA_FAILED = "values don't meet the specifications of the schema"
_VIOLATION = re.compile(r"^- at '(?P<at>[^']*)': (?P<problem>.+)$")
_ADDITIONAL = re.compile(
    r"^additional propert(?:y|ies) (?P<names>'[^']*'(?:, '[^']*')*) not allowed"
)


@dataclass(frozen=True, slots=True)
class SchemaViolation:
    """One place where the values do not match the chart's values.schema.json."""

    key: str  # dotted values key, such as autoscaling.minReplica
    problem: str  # helm's words, such as "additional properties 'minReplica' not allowed"


def _key(pointer: str, name: str = "") -> str:
    parts = [p.replace("~1", "/").replace("~0", "~") for p in pointer.split("/") if p]
    if name:
        parts.append(name)
    key = ""
    for part in parts:
        key += f"[{part}]" if part.isdigit() else (f".{part}" if key else part)
    return key or "(top level)"


def schema_violations(text: str) -> list[SchemaViolation]:
    """The values schema violations helm lists (`- at '/a/b': problem`), each with the
    values key it is about: for an unknown key, that key itself."""
    if SCHEMA_FAILED not in text:
        return []
    found = []
    for line in text.splitlines():
        match = _VIOLATION.match(line.strip())
        if not match:
            continue
        at, problem = match["at"], match["problem"].strip()
        extra = _ADDITIONAL.match(problem)
        names = re.findall(r"'([^']*)'", extra["names"]) if extra else [""]
        found += [SchemaViolation(_key(at, name), problem) for name in names]
    return list(dict.fromkeys(found))


def other_lint_problems(said: str) -> bool:
    """Whether helm lint's message holds an [ERROR] or [WARNING] besides the values schema
    violations (which `helm template` of the same values reports too)."""
    return any(
        ("[ERROR]" in line or "[WARNING]" in line)
        and SCHEMA_FAILED not in line and "- at '" not in line
        for line in said.splitlines()
    )


def sets_key(values: Any, key: str) -> bool:
    """Whether parsed values set the dotted `key` (list indexes as `[0]`)."""
    node = values
    for part in re.findall(r"[^.\[\]]+|\[\d+\]", key):
        if part.startswith("["):
            index = int(part[1:-1])
            if not isinstance(node, list) or index >= len(node):
                return False
            node = node[index]
        elif isinstance(node, Mapping) and part in node:
            node = node[part]
        else:
            return False
    return True


def files_setting(key: str, values: Sequence[tuple[str, Any]]) -> list[str]:
    """The values files (name, parsed) that set `key`, the one helm applies last first."""
    return [name for name, data in reversed(values) if sets_key(data, key)]


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
