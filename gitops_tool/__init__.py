"""gitops-tool: render, validate and sync the Ananta Platform's GitOps repository."""

__version__ = "0.1.0"
