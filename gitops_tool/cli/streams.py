"""Standard streams that cannot be written: handled once, here, for every command.

`main()` (cli/__init__.py) calls `guard()` before the app runs and `finish()` after it.

- **stdout** is the product (tables, JSON, diffs). When it cannot be written -- closed
  (`>&-`), a reader that closed its pipe (`| head`), a full disk or `/dev/full` -- the
  command's work is done or not as usual, and the process says so in one line on stderr
  and exits **2** when it is the caller's doing (a closed stdout, a closed pipe, no
  permission) or **3** when the system failed (no space, an I/O error). Never 1, which CI
  reads as "found something"; never a traceback. A broken pipe is no exception: the output
  was cut short, so the exit code must not say it was delivered.
- **stderr** carries messages only: when it cannot be written, they are dropped and the
  exit code is unchanged.
- A standard stream that is closed at start gets /dev/null in its place, so that no file
  the tool opens takes its number (a helm child would inherit it as its stdout); stdout's
  /dev/null is opened read-only, so that writing to it fails as a closed stdout does.

stdout is written through a small raw layer that turns the first OSError into
StdoutFailed (not an OSError: Click would turn EPIPE into exit 1) and then drops
whatever follows, so that the interpreter's last flush cannot print a traceback either.
"""

import errno
import io
import os
import sys

from gitops_tool.adapters.oserror import error_class
from gitops_tool.errors import GitopsError


class StdoutFailed(Exception):
    """stdout could not be written; `error` is what to say and how to exit."""

    def __init__(self, error: GitopsError) -> None:
        super().__init__(error.message)
        self.error = error


class _Stdout(io.RawIOBase):
    """fd 1; the first failed write raises StdoutFailed, later ones are dropped."""

    def __init__(self, fd: int) -> None:
        super().__init__()
        self.fd = fd
        self.failed = False

    def writable(self) -> bool:
        return True

    def fileno(self) -> int:
        return self.fd

    def isatty(self) -> bool:
        return os.isatty(self.fd)

    def write(self, data: bytes) -> int:  # type: ignore[override]
        if self.failed:
            return len(data)
        try:
            return os.write(self.fd, data)
        except OSError as exc:
            self.failed = True
            raise StdoutFailed(stdout_error(exc, self.fd)) from None


class _Stderr(_Stdout):
    """fd 2: messages only; a failed write is dropped."""

    def write(self, data: bytes) -> int:  # type: ignore[override]
        try:
            return os.write(self.fd, data) if not self.failed else len(data)
        except OSError:
            self.failed = True
            return len(data)


def stdout_error(exc: OSError, fd: int = 1) -> GitopsError:
    """One line for a stdout that cannot be written, with the exit code it means."""
    code = exc.errno
    if code == errno.EBADF:
        message = "stdout is closed; gitops-tool writes its output there"
        hint = "run it with stdout open (drop the `>&-`), or send it to /dev/null"
    elif code == errno.EPIPE:
        message = "stdout: the reader closed the pipe before reading all of the output"
        hint = "the output is incomplete; let the reader read all of it"
    else:
        message = f"stdout ({_target(fd)}): cannot write: {exc.strerror or exc}"
        hint = "free some space there, or send the output elsewhere"
    return error_class(code)(message, hint)


def _target(fd: int) -> str:
    """What fd points at (a file's path, a pipe...), where the system can tell."""
    try:
        return os.readlink(f"/proc/self/fd/{fd}")
    except OSError:
        return f"fd {fd}"


def _open_standard_fds() -> None:
    """Put /dev/null on any of fds 0-2 that is closed (stdout's read-only)."""
    for fd, flags in ((0, os.O_RDONLY), (1, os.O_RDONLY), (2, os.O_WRONLY)):
        try:
            os.fstat(fd)
        except OSError:
            new = os.open(os.devnull, flags)
            if new != fd:
                os.dup2(new, fd)
                os.close(new)


def _text(raw: _Stdout, like: object) -> io.TextIOWrapper:
    encoding = getattr(like, "encoding", None) or "utf-8"
    errors = getattr(like, "errors", None) or "strict"
    return io.TextIOWrapper(
        io.BufferedWriter(raw), encoding=encoding, errors=errors,
        line_buffering=raw.isatty(),
    )


def guard() -> None:
    """Make fds 0-2 safe, and route sys.stdout and sys.stderr through the layers above."""
    _open_standard_fds()
    sys.stdout = _text(_Stdout(1), sys.stdout)
    sys.stderr = _text(_Stderr(2), sys.stderr)


def report(failed: StdoutFailed) -> int:
    """Say why stdout failed (on stderr) and return the exit code."""
    error = failed.error
    sys.stderr.write(f"error: {error.message}\n")
    if error.hint:
        sys.stderr.write(f"hint: {error.hint}\n")
    sys.stderr.flush()
    return error.exit_code


def finish() -> None:
    """Flush stdout now, while a failure can still be reported (raises StdoutFailed)."""
    sys.stdout.flush()
