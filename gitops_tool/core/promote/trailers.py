"""The trailers gitops-tool writes at the end of its commit messages, and reads back.

Git trailers (`Key: value` lines in the message's last paragraph, as `git interpret-trailers`
reads them) make each commit machine-readable: `history` lists promotions from them,
`rollback --to ID` finds one by its id, and a re-run recognises its own commit still waiting
to be pushed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

PROMOTION = "Gitops-Tool-Promotion"  # the id of a promotion or a rollback
RENDER = "Gitops-Tool-Render"  # the id of a `render --commit`
ENVIRONMENT = "Gitops-Tool-Environment"  # the environment whose file the commit changed
SOURCE = "Gitops-Tool-Source"  # the environment promoted from
SOURCE_REVISION = "Gitops-Tool-Source-Revision"  # the commit SOURCE ran
GATE = "Gitops-Tool-Gate"  # passed | skipped: <reason> | not checked
GATE_SKIPPED = "Gitops-Tool-Gate-Skipped"  # the reason alone, when the gate was skipped
ROLLBACK_OF = "Gitops-Tool-Rollback-Of"  # the promotion id or commit a rollback restores
PREFIX = "Gitops-Tool-"

GATE_PASSED = "passed"
GATE_NOT_CHECKED = "not checked"
GATE_SKIPPED_PREFIX = "skipped: "

_TRAILER = re.compile(r"^([A-Za-z0-9][A-Za-z0-9-]*): (.*)$")


def one_line(value: str) -> str:
    """A trailer value: one line, no surrounding blanks."""
    return " ".join(value.split())


def trailer_lines(trailers: Sequence[tuple[str, str]]) -> list[str]:
    return [f"{key}: {one_line(value)}" for key, value in trailers if value]


def parse_trailers(message: str) -> dict[str, list[str]]:
    """The trailers of a commit message: key -> values, in order (its last paragraph's
    `Key: value` lines; other lines there are ignored)."""
    paragraphs = [p for p in re.split(r"\n\s*\n", message.strip()) if p.strip()]
    if len(paragraphs) < 2:
        return {}
    found: dict[str, list[str]] = {}
    for line in paragraphs[-1].splitlines():
        match = _TRAILER.match(line.strip())
        if match:
            found.setdefault(match.group(1), []).append(match.group(2).strip())
    return found


def first(trailers: Mapping[str, Sequence[str]], key: str) -> str:
    values = trailers.get(key) or ()
    return values[0] if values else ""


def is_ours(trailers: Mapping[str, Sequence[str]]) -> bool:
    """Whether gitops-tool made the commit (a promotion, a rollback or a render)."""
    return bool(first(trailers, PROMOTION) or first(trailers, RENDER))


def gate_value(status: str, reason: str = "") -> str:
    """The Gitops-Tool-Gate value for a gate `status` (passed, skipped, not checked)."""
    if status == "skipped":
        return GATE_SKIPPED_PREFIX + one_line(reason)
    return status
