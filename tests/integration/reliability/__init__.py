"""Killed, interrupted or misled runs: data loss, hostile file contents, reads outside the
repository, output that cannot be written."""
