"""Tests of `gitops-tool render`."""
