"""gitops-tool: render, validate, promote and sync the Ananta Platform's GitOps repository,
and report its drift."""

__version__ = "0.1.0"
