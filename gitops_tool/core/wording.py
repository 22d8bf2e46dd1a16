"""Counted nouns in messages, for every layer that words one (the core's commit messages,
the adapters' warnings, the output's reports)."""

from __future__ import annotations


def plural(count: int, noun: str, plural_form: str | None = None) -> str:
    """"1 chart", "2 charts", "0 findings": the count with its noun agreeing."""
    if count == 1:
        return f"{count} {noun}"
    return f"{count} {plural_form or noun + 's'}"
