"""Presentation of `rollback`: the same story as a promotion (output/promote.py), told
without a source or a gate."""

from __future__ import annotations

from gitops_tool.output.promote import as_json, outcome_lines, text

__all__ = ["as_json", "outcome_lines", "text"]

