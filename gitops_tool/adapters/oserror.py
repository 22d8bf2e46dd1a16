"""What an OS error while writing means: which file, and whose doing it is.

One rule for files (render's output) and for stdout (cli/streams.py):

- the caller's doing -- permissions, a read-only filesystem, a closed stream, a reader
  that closed its pipe, a name that is too long -- is an InputError (exit 2);
- anything else -- a full disk, a quota, an I/O error -- is the system failing: an
  ExternalError (exit 3).

Never exit 1: CI reads 1 as "found something".
"""

from __future__ import annotations

import errno
import os

from gitops_tool.errors import ExternalError, GitopsError, InputError

CALLERS_DOING = frozenset(
    {
        errno.EACCES, errno.EPERM, errno.EROFS, errno.EBADF, errno.EPIPE, errno.ENOTDIR,
        errno.EISDIR, errno.EEXIST, errno.ENAMETOOLONG,
    }
)
_HINTS = {
    errno.ENOSPC: "free some space on that filesystem (df -h), then run again",
    errno.EDQUOT: "free some space within your disk quota, then run again",
    errno.EACCES: "make the folder writable (permissions), then run again",
    errno.EPERM: "make the folder writable (permissions), then run again",
    errno.EROFS: "the filesystem is read-only: run where you can write",
}


def error_class(code: int | None) -> type[GitopsError]:
    """InputError for what the caller can fix, ExternalError for the system failing."""
    return InputError if code in CALLERS_DOING else ExternalError


def write_error(exc: OSError, top: str, outcome: str) -> GitopsError:
    """The error for `exc` while writing under `top`: `<file>: cannot write: <why>;
    <outcome>`, the file shown relative to `top`."""
    where = os.fspath(exc.filename) if exc.filename else top
    shown = os.path.relpath(where, top) if os.path.isabs(where) else where
    return error_class(exc.errno)(
        f"{shown}: cannot write: {exc.strerror or exc}; {outcome}",
        hint=_HINTS.get(exc.errno or 0, "fix the cause, then run again"),
    )
