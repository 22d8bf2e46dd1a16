"""What a `git push` answered, classified: pushed, the remote moved, refused, unreachable.

Pure: reads `git push --porcelain` output and stderr (in the C locale). The strings are the
ones git and its remotes print (Kargo classifies the same way):

- the remote moved: `[rejected] (fetch first)`, `(non-fast-forward)`, `(stale info)`; and,
  when another push won the race inside the server, `[remote rejected] (failed to update
  ref)`, `cannot lock ref`, `incorrect old value provided`;
- refused by policy: any other `[remote rejected]` (a pre-receive hook, a protected branch);
- unreachable: no connection, name resolution, a dropped connection, a timeout.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum


class PushOutcome(StrEnum):
    PUSHED = "pushed"
    UP_TO_DATE = "up to date"
    MOVED = "remote moved"
    REFUSED = "refused"
    UNREACHABLE = "unreachable"
    FAILED = "failed"


MOVED_SIGNS = (
    "fetch first",
    "non-fast-forward",
    "stale info",
    "failed to update ref",
    "cannot lock ref",
    "incorrect old value provided",
    "failed to lock",
)
UNREACHABLE_SIGNS = (
    "could not resolve host",
    "connection refused",
    "couldn't connect to server",
    "failed to connect",
    "unable to connect",
    "unable to access",
    "could not read from remote repository",
    "connection timed out",
    "operation timed out",
    "connection reset",
    "the remote end hung up unexpectedly",
    "early eof",
    "network is unreachable",
    "no route to host",
    "temporary failure in name resolution",
)
_REF_LINE = re.compile(r"^([ +\-*!=])\t([^\t]*)\t(.*)$")


@dataclass(frozen=True, slots=True)
class PushAnswer:
    outcome: PushOutcome
    detail: str  # the ref line's summary, or the line of stderr that decided


def classify_push(status: int, stdout: str, stderr: str) -> PushAnswer:
    """The outcome of one `git push --porcelain` of a single ref."""
    for line in stdout.splitlines():
        match = _REF_LINE.match(line)
        if not match:
            continue
        flag, summary = match.group(1), match.group(3)
        if flag == "=":
            return PushAnswer(PushOutcome.UP_TO_DATE, summary)
        if flag in " +*" and status == 0:
            return PushAnswer(PushOutcome.PUSHED, summary)
        if flag == "!":
            text = f"{summary}\n{stderr}".lower()
            if any(sign in text for sign in MOVED_SIGNS):
                return PushAnswer(PushOutcome.MOVED, summary)
            if "[remote rejected]" in summary or "[rejected]" in summary:
                return PushAnswer(PushOutcome.REFUSED, summary)
            return PushAnswer(PushOutcome.FAILED, summary)
    lowered = stderr.lower()
    if status == 0:
        return PushAnswer(PushOutcome.PUSHED, "")
    if any(sign in lowered for sign in MOVED_SIGNS):
        return PushAnswer(PushOutcome.MOVED, _line_with(stderr, MOVED_SIGNS))
    if any(sign in lowered for sign in UNREACHABLE_SIGNS):
        return PushAnswer(PushOutcome.UNREACHABLE, _line_with(stderr, UNREACHABLE_SIGNS))
    return PushAnswer(PushOutcome.FAILED, stderr.strip().splitlines()[-1] if stderr.strip()
                      else f"git push exited {status}")


def unreachable(stderr: str) -> bool:
    """Whether a failed fetch or push could not reach the remote (worth retrying)."""
    lowered = stderr.lower()
    return any(sign in lowered for sign in UNREACHABLE_SIGNS)


def _line_with(text: str, signs: tuple[str, ...]) -> str:
    for line in text.splitlines():
        if any(sign in line.lower() for sign in signs):
            return line.strip()
    return text.strip()


def remote_messages(stderr: str) -> list[str]:
    """The lines the remote itself printed (`remote: ...`), e.g. a hook's reason."""
    return [line[len("remote:"):].strip() for line in stderr.splitlines()
            if line.startswith("remote:") and line[len("remote:"):].strip()]
