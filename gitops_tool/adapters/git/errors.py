"""What the git adapter raises, and `scrub`: no message it builds quotes a credential of a
remote URL (`https://user:token@host/...`)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from urllib.parse import unquote

from gitops_tool.core.urls import masked_urls
from gitops_tool.errors import GitError, InputError


class NotARepository(InputError):
    """The repository is not a git clone (or not its top folder)."""


class NotTopFolder(NotARepository):
    """The folder is inside a git repository, but not its top folder: not a clone of its own.
    `top` is the enclosing repository's top folder ("" for a bare one)."""

    def __init__(self, message: str, hint: str | None = None, top: str = "") -> None:
        super().__init__(message, hint)
        self.top = top


class GitIdentityMissing(InputError):
    """git has no author identity to commit with."""


class RemoteUnreachable(GitError):
    """A fetch or push could not reach the remote."""


# The user information of a URL: git remotes carry tokens there (https://TOKEN@host/...) in
# shapes no pattern can tell from a user name, so a git message keeps none of it.
_USERINFO = re.compile(r"(?i)(?<![a-z0-9+.-])([a-z][a-z0-9+.-]{0,31}://)[^/@\s'\"]+@")


def scrub(text: str, secrets: Sequence[str] = ()) -> str:
    """`text` without the user information of any URL in it, its secret query parameters,
    nor any of `secrets` (the credentials of the clone's remotes, raw and percent-decoded,
    wherever git quotes them)."""
    text = _USERINFO.sub(lambda m: f"{m.group(1)}***@", masked_urls(text))
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text


def secrets_of(url: str) -> list[str]:
    """The credentials written into a remote URL, raw and percent-decoded."""
    match = re.match(r"(?i)^[a-z][a-z0-9+.-]*://([^/@\s]+)@", url)
    if not match:
        return []
    found = []
    for part in match.group(1).split(":"):
        if len(part) >= 3:
            found += [part, unquote(part)]
    return found
