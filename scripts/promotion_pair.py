#!/usr/bin/env python3
"""Check that TARGET comes right after SOURCE in the promotion chain of gitops-tool.yaml.

.github/workflows/promote.yml runs this before the job that waits for the target's reviewers,
so that a request gitops-tool would refuse (dev -> prod, staging -> staging) fails at once
instead of after an approval. Exit 0 when the pair is one step of the chain; 2 when it is not,
or when gitops-tool.yaml has no usable `promotion:` list.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import yaml


class PairError(Exception):
    """The pair is not one step of the chain, or the chain cannot be read."""


def chain_in(settings: Path) -> list[str]:
    """The `promotion:` list of a gitops-tool.yaml."""
    try:
        data = yaml.safe_load(settings.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as e:
        raise PairError(f"{settings}: cannot read the promotion chain: {e}") from e
    chain = data.get("promotion") if isinstance(data, dict) else None
    if not isinstance(chain, list) or not all(isinstance(env, str) for env in chain):
        raise PairError(f"{settings}: promotion: expected a list of environment names")
    return chain


def check_pair(source: str, target: str, chain: list[str]) -> None:
    """Raise PairError unless `target` directly follows `source` in `chain`."""
    shown = " -> ".join(chain)
    for env in (source, target):
        if env not in chain:
            raise PairError(f"{env!r} is not in the promotion chain ({shown})")
    if chain.index(target) != chain.index(source) + 1:
        raise PairError(
            f"{source} -> {target} is not a step of the promotion chain ({shown}); "
            "promote one step at a time"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source")
    parser.add_argument("target")
    parser.add_argument("--repo", type=Path, default=Path("."), help="folder of gitops-tool.yaml")
    args = parser.parse_args(argv)
    try:
        chain = chain_in(args.repo / "gitops-tool.yaml")
        check_pair(args.source, args.target, chain)
    except PairError as e:
        prefix = "::error title=promotion::" if os.environ.get("GITHUB_ACTIONS") == "true" else ""
        print(f"{prefix}{e}", file=sys.stderr)
        return 2
    print(f"{args.source} -> {args.target}: a step of the promotion chain ({' -> '.join(chain)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
