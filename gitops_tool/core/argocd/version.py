"""Which Argo CD the rendered manifests need, and whether a server's version is enough.

Pure. The rendered AppProjects use `clusterResourceWhitelist[].name` (first in the 3.3
CRDs) and the Applications `syncPolicy.retry.refresh` (3.2): an older Argo CD refuses
them. Checked against the published 3.0, 3.2, 3.3, 3.4 and 3.5 CRDs.
"""

from __future__ import annotations

import re

TARGET = "3.6"  # the release whose API (swagger.json) and CRDs the tool is written against
MINIMUM = (3, 3, 0)
MINIMUM_TEXT = "3.3"
WHY = "the rendered AppProjects use clusterResourceWhitelist[].name, first in Argo CD 3.3"
_VERSION = re.compile(r"^v?(\d{1,6})\.(\d{1,6})(?:\.(\d{1,6}))?(?![.\d])")


def parse_version(text: str) -> tuple[int, int, int] | None:
    """(3, 6, 1) for "v3.6.1+abc1234" (the `Version` of GET /api/version); None when the
    text is no version."""
    match = _VERSION.match(text.strip())
    if not match:
        return None
    major, minor, patch = match.groups()
    return int(major), int(minor), int(patch or 0)


def version_problem(text: str) -> str | None:
    """Why an Argo CD of version `text` cannot run what render writes, or None."""
    version = parse_version(text)
    if version is None:
        return f"cannot tell the version from {text!r}; gitops-tool needs {MINIMUM_TEXT} or later"
    if version < MINIMUM:
        return f"below {MINIMUM_TEXT}, the oldest Argo CD gitops-tool supports ({WHY})"
    return None
