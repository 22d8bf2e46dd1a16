#!/usr/bin/env python3
"""Write docs/rules.md from the rules catalog (gitops_tool/core/validate/rules.py).

    python scripts/generate_rules_doc.py          # rewrite the page when it differs
    python scripts/generate_rules_doc.py --check  # exit 1 when the page is not current
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from gitops_tool.output.validate import RULES_PAGE, rules_page  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only say whether it is current")
    parser.add_argument("--page", type=Path, default=ROOT / RULES_PAGE, help=argparse.SUPPRESS)
    args = parser.parse_args()
    text = rules_page()
    current = args.page.read_text(encoding="utf-8") if args.page.is_file() else None
    if current == text:
        return 0
    if args.check:
        print(f"{args.page} is not current: run scripts/generate_rules_doc.py", file=sys.stderr)
        return 1
    tmp = args.page.with_name(f".{args.page.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, args.page)
    print(f"wrote {args.page}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
