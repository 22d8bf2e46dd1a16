"""The parsed CRD schemas are cached by content hash; a broken cache entry is rebuilt."""

from __future__ import annotations

from gitops_tool.commands.validate.argocd import closed_crd_schema


def test_crd_schemas_are_cached_by_content(reference_dir, tmp_path):
    crd = reference_dir / "argocd" / "appproject-crd.yaml"
    kind, schema = closed_crd_schema(crd, tmp_path)
    assert kind == "AppProject" and schema["properties"]["spec"]["additionalProperties"] is False
    (entry,) = tmp_path.glob("crd-*.json")
    assert closed_crd_schema(crd, tmp_path) == (kind, schema)
    entry.write_text("{not json")
    assert closed_crd_schema(crd, tmp_path) == (kind, schema)
    assert sorted(p.name for p in tmp_path.iterdir()) == [entry.name]  # no temp file left
    assert closed_crd_schema(crd, None) == (kind, schema)  # no cache at all
