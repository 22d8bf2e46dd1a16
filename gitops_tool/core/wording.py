"""Counted nouns in messages, for every layer that words one (the core's commit messages,
the adapters' warnings, the output's reports)."""

from __future__ import annotations


def plural(count: int, noun: str, plural_form: str | None = None) -> str:
    """"1 chart", "2 charts", "0 findings": the count with its noun agreeing."""
    return f"{count} {agreeing(count, noun, plural_form or noun + 's')}"


def agreeing(count: int, one: str, many: str) -> str:
    """The words agreeing with `count` things, without the count: `one` for 1, else `many`
    ("1 pin differs", "2 pins differ"; "it was", "they were")."""
    return one if count == 1 else many
