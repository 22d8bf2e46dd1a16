"""The one error family of gitops-tool, and the exit codes it maps to.

Only `cli/app.py: guarded` catches these. Each carries a message naming the thing that
went wrong and a hint saying what to do next: the one given where it is raised, else its
class's `default_hint`, so that every error the CLI prints has its `hint:` line.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_FOUND = 1  # the check found something: drift, findings, unhealthy apps
EXIT_INPUT = 2  # bad usage or bad input, decided locally
EXIT_EXTERNAL = 3  # an external system failed: Argo CD, git remote, helm
EXIT_INTERRUPTED = 130
EXIT_INTERNAL = 70  # a bug in gitops-tool (sysexits' EX_SOFTWARE): never read as a finding


class GitopsError(Exception):
    """Base error: a message and a hint; `exit_code` says how the CLI exits.

    Anything of a credential's shape in either (a token, a private key, a URL's password)
    is masked, whatever raised it: a message may quote a value it was given."""

    exit_code = EXIT_INPUT
    default_hint = "fix what the message names, then re-run (--debug shows the traceback)"

    def __init__(self, message: str, hint: str | None = None) -> None:
        message, hint = masked(message), masked(hint) if hint else hint
        super().__init__(message)
        self.message = message
        self.hint: str = hint or self.default_hint

    def __str__(self) -> str:
        return self.message


class InputError(GitopsError):
    """Bad input found locally: a file, a key, a name or an argument."""

    exit_code = EXIT_INPUT
    default_hint = "fix the file, key or argument the message names, then re-run"


class ExternalError(GitopsError):
    """An external system failed."""

    exit_code = EXIT_EXTERNAL
    default_hint = "check that the system the message names is up and reachable, then re-run"


class HelmError(ExternalError):
    """helm is missing or failed."""

    default_hint = "check helm with `gitops-tool doctor`; `make helm` fetches helm v4"


class GitError(ExternalError):
    """A git operation or remote failed."""

    default_hint = "check the repository with `git status` and its remote with `git fetch`"


class ArgoCDError(ExternalError):
    """The Argo CD API failed or refused."""

    default_hint = "check the server, the token and its settings with `gitops-tool doctor`"


def masked(text: str) -> str:
    """`text` with anything of a credential's shape masked (for messages and tracebacks)."""
    from gitops_tool.core.validate.shapes import masked_shapes  # only once an error happens

    return masked_shapes(text)
