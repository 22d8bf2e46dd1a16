"""The commands with their real adapters: git (bare remotes, git daemon), helm, the fake
Argo CD, the filesystem; one folder per domain."""
