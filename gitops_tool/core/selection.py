"""Choosing what a command works on: named charts or environments, checked against the known."""

from __future__ import annotations

import difflib
from collections.abc import Sequence

from gitops_tool.errors import InputError


def chosen(wanted: Sequence[str], known: Sequence[str], what: str) -> list[str]:
    """`wanted` in the order given (all of `known` when empty); an unknown name is an
    InputError that lists the known ones and guesses the closest."""
    for name in wanted:
        if name not in known:
            close = difflib.get_close_matches(name, known, n=1)
            guess = f"did you mean {close[0]!r}? " if close else ""
            raise InputError(
                f"unknown {what} {name!r}",
                hint=f"{guess}known {what}s: {', '.join(known) or 'none'}",
            )
    return list(dict.fromkeys(wanted)) if wanted else list(known)


def in_chain_order(names: Sequence[str], chain: Sequence[str]) -> list[str]:
    """Environment names in promotion order; names outside the chain last, by name."""
    order = {name: i for i, name in enumerate(chain)}
    return sorted(names, key=lambda n: (order.get(n, len(order)), n))
