"""What a `git push` answered, classified: pushed, the remote moved, refused, unreachable.

Pure: reads `git push --porcelain` output and stderr (in the C locale). The ref's own
status line decides whenever git printed one; stderr is read only when it did not (git never
reached the point of pushing the ref), because a remote's hook may say anything there,
"non-fast-forward" included. The strings are the ones git and its remotes print (Kargo
classifies the same way):

- the remote moved: `[rejected] (fetch first)`, `(non-fast-forward)`, `(stale info)`; and,
  when another push won the race inside the server, `[remote rejected] (failed to update
  ref)`, `(cannot lock ref ...)`, `(incorrect old value provided)`;
- refused by policy: any other `[rejected]` or `[remote rejected]` (a pre-receive hook, a
  protected branch);
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
        if flag in " +*-":  # the ref was updated (the exit status may be about something else)
            return PushAnswer(PushOutcome.PUSHED, summary)
        if flag == "!":
            return PushAnswer(_rejected(summary), summary)
    lowered = stderr.lower()
    if status == 0:
        return PushAnswer(PushOutcome.PUSHED, "")
    if any(sign in lowered for sign in MOVED_SIGNS):
        return PushAnswer(PushOutcome.MOVED, _line_with(stderr, MOVED_SIGNS))
    if any(sign in lowered for sign in UNREACHABLE_SIGNS):
        return PushAnswer(PushOutcome.UNREACHABLE, _line_with(stderr, UNREACHABLE_SIGNS))
    return PushAnswer(PushOutcome.FAILED, stderr.strip().splitlines()[-1] if stderr.strip()
                      else f"git push exited {status}")


def _rejected(summary: str) -> PushOutcome:
    """What a `!` ref line means, from its summary alone: `[rejected] (reason)`,
    `[remote rejected] (reason)`, `[remote failure] (...)`, `[no match]`..."""
    lowered = summary.lower()
    if not lowered.startswith(("[rejected]", "[remote rejected]")):
        return PushOutcome.FAILED
    reason = lowered.partition("]")[2]
    if any(sign in reason for sign in MOVED_SIGNS):
        return PushOutcome.MOVED
    return PushOutcome.REFUSED


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
