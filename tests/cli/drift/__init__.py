"""`gitops-tool drift` on the command line against the fake Argo CD and real git history."""
