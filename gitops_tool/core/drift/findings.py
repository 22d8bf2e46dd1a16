"""Drift findings, the parts that could not be checked, and the exit code they give.

Pure. A finding is a result, not an error: one thing that differs, named by its kind,
environment, Application and file. An `Unknown` is a part of the check that could not be
made (Argo CD did not answer): it is never reported as "no drift".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from gitops_tool.errors import EXIT_EXTERNAL, EXIT_FOUND, EXIT_OK

# The three parts of a drift check.
REPO, LIVE, ENVIRONMENT = "repo", "live", "environment"
PARTS = (REPO, LIVE, ENVIRONMENT)

# Finding kinds, by part.
KIND_REPO = "repo"  # a file under argocd/ differs from what render produces
KIND_OUT_OF_SYNC = "out-of-sync"  # Argo CD's sync status is not Synced
KIND_HEALTH = "health"  # Degraded, Missing or Unknown
KIND_REVISION = "revision"  # targets or is synced to another revision than git pins
KIND_IMAGE_TAG = "image-tag"  # its image.tag parameter is not the release pin
KIND_MISSING = "missing"  # git declares it, Argo CD does not have it
KIND_ORPHAN = "orphan"  # Argo CD has it with the environment's label, git does not declare it
KIND_PROJECT = "project"  # Argo CD has it in another project than git declares
KIND_BEHIND = "behind"  # a stage lacks a pin its predecessor has
KINDS = {
    REPO: (KIND_REPO,),
    LIVE: (KIND_OUT_OF_SYNC, KIND_HEALTH, KIND_REVISION, KIND_IMAGE_TAG, KIND_MISSING,
           KIND_ORPHAN, KIND_PROJECT),
    ENVIRONMENT: (KIND_BEHIND,),
}


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing that differs. `drift` is False for what is reported but does not count
    (a stage behind its predecessor for less than --max-lag)."""

    kind: str
    part: str
    environment: str  # "" for what belongs to no environment (argocd/bootstrap/)
    app: str  # the Application, or ""
    file: str  # the repository file to blame, or ""
    message: str
    line: int | None = None
    drift: bool = True
    since: datetime | None = None  # KIND_BEHIND: when the earlier stage got the value
    expected: str = ""  # what git says (a pin, a revision, Synced), when there is one value
    actual: str = ""  # what was found instead
    details: str = ""  # with --details: a unified diff


@dataclass(frozen=True, slots=True)
class Unknown:
    """A part that could not be checked, and why."""

    part: str
    environment: str
    message: str
    app: str = ""


def exit_code_of(findings: Sequence[Finding], unknown: Sequence[Unknown],
                 live_required_but_skipped: bool = False) -> int:
    """3 when anything could not be checked (never green on an unknown state), else 1 when
    a finding counts as drift, else 0."""
    if unknown or live_required_but_skipped:
        return EXIT_EXTERNAL
    if any(f.drift for f in findings):
        return EXIT_FOUND
    return EXIT_OK
