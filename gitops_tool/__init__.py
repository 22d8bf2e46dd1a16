"""gitops-tool: render, validate, promote and sync the Ananta Platform's GitOps repository."""

__version__ = "0.1.0"
