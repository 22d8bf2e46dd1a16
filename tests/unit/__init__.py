"""The pure core (and what is checked without helm, git remotes or Argo CD), with the layering
and test-import rules."""
