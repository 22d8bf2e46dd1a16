"""The argocd/ part of `gitops-tool validate`: parse the rendered Argo CD manifests, check
them (core.policy_argocd), and against the closed CRD schemas, kept parsed in a cache.

Nothing here prints.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import posixpath
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path

from gitops_tool.adapters import files
from gitops_tool.adapters.journal import TXN_DIR
from gitops_tool.core.model import Environment, Settings
from gitops_tool.core.validate import argocd as argo
from gitops_tool.core.validate.findings import Finding
from gitops_tool.core.yamldoc import load_all_plain, load_plain
from gitops_tool.errors import InputError

CRD_FILES = {
    "Application": "application-crd.yaml",
    "ApplicationSet": "applicationset-crd.yaml",
    "AppProject": "appproject-crd.yaml",
}
SCHEMA_CACHE_VERSION = b"closed-v1\n"  # bump when policy_argocd.closed_schema changes


def check_argocd(
    root: Path,
    settings: Settings,
    folders: Mapping[str, Path],
    environments: Sequence[Environment],
    production: str,
    reference_dir: Path | None = None,
    cache_dir: Path | None = None,
    read: Callable[[], Mapping[str, str]] | None = None,
) -> tuple[int, list[str], list[Finding]]:
    """Parse argocd/**/*.yaml and check it: (files read, kinds schema-checked, findings).

    `read` reads the files (default: read_manifests); validate passes one that never
    reads a half-written folder (writer.read_settled)."""
    texts = read() if read is not None else read_manifests(root, settings)
    manifests, found = [], []
    for rel, text in texts.items():
        try:
            docs = load_all_plain(text, rel)
        except InputError as exc:
            found.append(Finding("GT-STR-002", "", message=exc.message, path=rel))
            continue
        manifests += [
            argo.Manifest(rel, d)
            for d in docs
            if isinstance(d, dict) and d.get("kind") in argo.ARGO_KINDS
        ]
    chart_files = {
        name: frozenset(p.relative_to(f).as_posix() for p in f.rglob("*") if p.is_file())
        for name, f in folders.items()
    }
    dirs = frozenset(posixpath.dirname(rel) for rel in texts)
    inputs = argo.ArgoInputs(settings.charts_dir, chart_files, environments, production, dirs)
    found += argo.argocd_findings(manifests, inputs)
    schemas = _schemas({m.kind for m in manifests}, root, reference_dir, cache_dir)
    found += argo.schema_findings(manifests, schemas, closed=True)
    return len(texts), sorted(schemas), found


def read_manifests(root: Path, settings: Settings) -> dict[str, str]:
    """Every argocd/**/*.yaml (repository-relative path -> text), sorted; a link leaving
    the repository, at any depth, is refused before anything is read."""
    out_dir = root / settings.output_dir
    if not out_dir.is_dir():
        return {}
    files.check_links(out_dir, root, settings.output_dir)
    return {
        files.display_path(path, root): files.read_text(path, root)
        for path in sorted(out_dir.rglob("*.yaml"))
        if TXN_DIR not in path.relative_to(out_dir).parts
    }


def _schemas(
    kinds: Iterable[str], root: Path, reference_dir: Path | None, cache_dir: Path | None
) -> dict[str, Mapping]:
    """The closed CRD schemas of `kinds`, when the reference folder (default
    ../shared/reference/argocd beside the repository) is present."""
    folder = reference_dir or root.parent / "shared" / "reference" / "argocd"
    schemas = {}
    for kind in sorted(kinds):
        path = folder / CRD_FILES[kind]
        if path.is_file() and (parsed := closed_crd_schema(path, cache_dir)):
            schemas[parsed[0]] = parsed[1]
    return schemas


def closed_crd_schema(path: Path, cache_dir: Path | None) -> tuple[str, Mapping] | None:
    """(kind, closed schema) of a CRD file. Parsing the 1.4 MB ApplicationSet CRD costs
    half a second of CPU, so the result is kept as JSON under `cache_dir`, named by the
    hash of the file: a changed CRD is a new entry, never a stale one."""
    raw = path.read_bytes()
    digest = hashlib.sha256(SCHEMA_CACHE_VERSION + raw).hexdigest()[:24]
    cached = cache_dir / f"crd-{digest}.json" if cache_dir else None
    if cached is not None and cached.is_file():
        with contextlib.suppress(OSError, ValueError):
            kind, schema = json.loads(cached.read_text("utf-8"))
            return kind, schema
    parsed = argo.crd_schema(load_plain(raw, str(path)))
    if parsed is None:
        return None
    kind, schema = parsed[0], argo.closed_schema(parsed[1])
    if cached is not None:
        tmp = cached.with_name(f".{cached.name}.{os.getpid()}.tmp")
        try:
            cached.parent.mkdir(parents=True, exist_ok=True)
            tmp.write_text(json.dumps([kind, schema]), "utf-8")
            os.replace(tmp, cached)
        except OSError:
            pass  # no cache: slower next time, nothing else
        finally:
            tmp.unlink(missing_ok=True)
    return kind, schema
