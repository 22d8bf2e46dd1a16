"""`gitops-tool validate` on the command line."""
