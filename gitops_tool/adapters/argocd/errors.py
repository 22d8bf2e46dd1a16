"""What can go wrong talking to Argo CD, as ArgoCDError subclasses (no HTTP imports here,
so commands can name these errors without loading requests)."""

from __future__ import annotations

from gitops_tool.errors import ArgoCDError

# gRPC codes in Argo CD's runtimeError bodies (google.golang.org/grpc/codes).
NOT_FOUND, PERMISSION_DENIED, FAILED_PRECONDITION = 5, 7, 9
UNAVAILABLE, UNAUTHENTICATED = 14, 16
IN_PROGRESS = "another operation is already in progress"


class ArgoCDUnavailable(ArgoCDError):
    """Argo CD could not be reached or answered 5xx/429 (after the retries, for GETs)."""


class ArgoCDAuthError(ArgoCDError):
    """The token was refused (401, Unauthenticated)."""


class ArgoCDDenied(ArgoCDError):
    """The token's role may not do this (403, PermissionDenied)."""


class ArgoCDNotFound(ArgoCDError):
    """No such application or project (404, NotFound)."""

    default_hint = "check the name and project; `gitops-tool status ENV` shows what Argo CD has"


class SyncWindowClosed(ArgoCDDenied):
    """A sync window blocks the sync."""


class OperationInProgress(ArgoCDError):
    """FailedPrecondition: another operation is already in progress."""

    default_hint = "wait for the running operation to finish (see it in Argo CD), then re-run"


class DeadlinePassed(ArgoCDUnavailable):
    """The caller's deadline (`sync --timeout`) passed before Argo CD answered."""


class UnexpectedResponse(ArgoCDError):
    """The answer is not what Argo CD sends: the wrong JSON shape, or nesting too deep."""


class ResponseTooLarge(UnexpectedResponse):
    """The answer is larger than any Argo CD sends for what was asked; it was not read."""


class NotArgoCDAPI(UnexpectedResponse):
    """The address answers, but not as Argo CD's API: a 404 to a call every Argo CD serves,
    or a page (HTML, text) where Argo CD sends JSON."""
