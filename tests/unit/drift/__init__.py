"""Drift findings, stages behind, resource diffs, and the reports (text, Markdown, GitHub)."""
