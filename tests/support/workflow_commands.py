"""What the GitHub Actions runner reads as a workflow command in a step's output."""

from __future__ import annotations

import re


def commands_read(stdout: str) -> list[str]:
    """The lines the Actions runner would read as workflow commands: every line that starts
    with `::` after leading spaces, and every line holding `##[`, outside a
    ::stop-commands:: block."""
    seen, token = [], None
    for line in stdout.splitlines():
        stripped = line.lstrip()
        if token is not None:
            if stripped == f"::{token}::":
                token = None
            continue
        if stripped.startswith("::stop-commands::"):
            token = stripped[len("::stop-commands::"):]
            continue
        if stripped.startswith("::") or "##[" in line:
            seen.append(stripped)
    assert token is None, "stop-commands was never ended"
    return seen


_ANNOTATION = re.compile(r"::(error|warning|notice)( [^:]*)?::(?P<message>.*)")


def annotations_only(*outputs: str) -> list[str]:
    """The commands read in `outputs` (stdout, stderr), each checked to be one annotation
    whose message starts no other command: no `::` and no `##[` in it."""
    seen = [line for text in outputs for line in commands_read(text)]
    for line in seen:
        match = _ANNOTATION.fullmatch(line)
        assert match, f"not an annotation: {line!r}"
        assert "::" not in match["message"] and "##[" not in line, line
    return seen
