"""Refuse credentials written into the files people write (environments, gitops-tool.yaml).

Pure. Run on the parsed file before any other check, so that no later error message can
echo a value holding a password.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from gitops_tool.core.urls import masked_url, url_credentials, urls_in
from gitops_tool.core.validate.shapes import shapes_in
from gitops_tool.core.yamldoc import line_of
from gitops_tool.errors import InputError

HINT = (
    "write the URL without credentials: Argo CD reads repository credentials from its own "
    "Secrets (label argocd.argoproj.io/secret-type: repository or repo-creds), created "
    "outside git; git asks its credential helper"
)
_STARTS_WITH_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


def strings_of(
    data: Any, path: str = "", line: int | None = None
) -> Iterator[tuple[str, str, int | None]]:
    """(dotted path, string, line) of every string key and value in `data`, with the line of
    the nearest key (a list item has its list's line)."""
    if isinstance(data, dict):
        for key, value in data.items():
            here = f"{path}.{key}" if path else str(key)
            if isinstance(key, str):
                yield here, key, line_of(data, key) or line
            yield from strings_of(value, here, line_of(data, key) or line)
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from strings_of(value, f"{path}[{i}]", line)
    elif isinstance(data, str):
        yield path, data, line


def _candidates(value: str) -> list[str]:
    """The URLs in `value`: those with a scheme, and the whole value when it is one URL
    (also `user:password@host` without a scheme, or a password holding white space)."""
    found = urls_in(value)
    text = value.strip()
    whole = _STARTS_WITH_SCHEME.match(text) or not any(c.isspace() for c in text)
    if "@" in text and whole and text not in found:
        found.append(text)
    return found


def refuse_url_credentials(data: Any, source: str) -> None:
    """Raise InputError naming `source:line` and the key when any URL in `data` carries a
    credential; the URL is shown masked. A password that looks like a placeholder (`$VAR`)
    counts: nothing expands the settings or environment files, whose URLs render copies into
    argocd/ as written."""
    for path, value, line in strings_of(data):
        for url in _candidates(value):
            if problem := url_credentials(url, placeholders=False):
                where = f"{source}:{line}" if line else source
                raise InputError(
                    f"{where}: {path}: the URL {masked_url(url, placeholders=False)!r} "
                    f"holds {problem}; "
                    "credentials do not belong in the repository",
                    hint=HINT,
                )



def refuse_credentials(data: Any, source: str) -> None:
    """Raise InputError naming `source:line` and the key when a value of `data` has the shape
    of a credential (for files that hold only names and paths, such as gitops-tool.yaml)."""
    for path, value, line in strings_of(data):
        if hits := shapes_in(value):
            where = f"{source}:{line}" if line else source
            raise InputError(
                f"{where}: {path}: holds {hits[0].name} (****); {source} holds names and "
                "paths, never credentials",
                hint="remove it, and revoke it if it was ever committed",
            )
