#!/usr/bin/env python3
"""Write the closed Argo CD CRD schemas that `gitops-tool validate` checks argocd/ against
(gitops_tool/schemas/argocd-<version>/) from the CRDs of that Argo CD release.

    python scripts/generate_crd_schemas.py           # rewrite the schemas that differ
    python scripts/generate_crd_schemas.py --check   # exit 1 when one is not current
    python scripts/generate_crd_schemas.py --crds DIR  # read the CRDs from DIR

The CRDs are read from ../shared/reference/argocd/ (application-crd.yaml,
applicationset-crd.yaml, appproject-crd.yaml, as published in argo-cd's manifests/crds/).
Each schema is the CRD's openAPIV3Schema, closed: an object that lists its properties
admits no others, as `kubectl --validate=strict` does. The descriptions are left out (a
third of the size; validation never reads them).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from gitops_tool.commands.validate.argocd import (  # noqa: E402
    CRD_FILES,
    SCHEMA_DIR,
    closed_schema_of_crd,
    schema_file,
)
from gitops_tool.core.argocd.version import TARGET  # noqa: E402

CRDS = ROOT.parent / "shared" / "reference" / "argocd"
NAMED = ("properties", "patternProperties", "definitions")  # maps of names to schemas


def without_descriptions(schema: Any) -> Any:
    """`schema` without its `description` keywords (a property named description stays)."""
    if isinstance(schema, list):
        return [without_descriptions(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out = {}
    for key, value in schema.items():
        if key == "description":
            continue
        if key in NAMED and isinstance(value, dict):
            out[key] = {name: without_descriptions(s) for name, s in value.items()}
        else:
            out[key] = without_descriptions(value)
    return out


def schema_text(crd: Path, kind: str) -> str:
    """The JSON file for one CRD: its kind, where it came from, and the closed schema."""
    parsed = closed_schema_of_crd(crd.read_text(encoding="utf-8"))
    if parsed is None or parsed[0] != kind:
        raise SystemExit(f"{crd}: not the CustomResourceDefinition of {kind}")
    data = {"kind": kind, "argocd": TARGET, "source": f"manifests/crds/{crd.name}",
            "schema": without_descriptions(parsed[1])}
    return json.dumps(data, sort_keys=True, separators=(",", ":")) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only say whether they are current")
    parser.add_argument("--crds", type=Path, default=CRDS, help=f"default: {CRDS}")
    parser.add_argument("--out", type=Path, default=SCHEMA_DIR, help=argparse.SUPPRESS)
    args = parser.parse_args()
    stale = []
    for kind, name in CRD_FILES.items():
        crd = args.crds / name
        if not crd.is_file():
            print(f"{crd}: no such file (pass --crds DIR)", file=sys.stderr)
            return 2
        text = schema_text(crd, kind)
        target = schema_file(kind, args.out)
        current = target.read_text(encoding="utf-8") if target.is_file() else None
        if current == text:
            continue
        stale.append(target)
        if not args.check:
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_name(f".{target.name}.tmp")
            tmp.write_text(text, encoding="utf-8")
            os.replace(tmp, target)
            print(f"wrote {target}")
    if args.check and stale:
        names = ", ".join(p.name for p in stale)
        print(f"{args.out}: {names} not current: run scripts/generate_crd_schemas.py",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
