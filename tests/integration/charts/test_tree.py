"""The shape of the charts tree: files, one-line templates, Chart.yaml, schema copies, values.

These read files only (no helm), so they also run where helm is missing.
"""

from __future__ import annotations

import json
import re
import runpy
from pathlib import Path
from typing import Any

import pytest
import yaml

from gitops_tool.core.names import CHART_PLANE_ANNOTATION

from .spec import CHARTS, ENVIRONMENTS

CHARTS_DIR = Path(__file__).resolve().parents[3] / "charts"
LIBRARY = CHARTS_DIR / "common"
GENERATOR = LIBRARY / "schema" / "generate.py"
TEMPLATES = {
    "_helpers.tpl",
    "deployment.yaml",
    "service.yaml",
    "ingress.yaml",
    "configmap.yaml",
    "secret.yaml",
    "hpa.yaml",
    "servicemonitor.yaml",
    "serviceaccount.yaml",
    "poddisruptionbudget.yaml",
    # day two (issue 14): beyond the summary's list
    "networkpolicy.yaml",
    "externalsecret.yaml",
    "prometheusrule.yaml",
    "dashboard.yaml",
}
CHART_FILES = {
    "Chart.yaml",
    "values.yaml",
    "values.schema.json",
    *(f"values-{env}.yaml" for env in ENVIRONMENTS),
    *(f"templates/{name}" for name in TEMPLATES),
}
BUILD_OUTPUT = ("charts/", "Chart.lock")  # helm dependency build; git-ignored
SEMVER = re.compile(r"^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$")
PINNED = re.compile(r"^v?\d+(\.\d+)*([-.][0-9A-Za-z]+)*$")
DEFINE = re.compile(r'{{-?\s*define\s+"([^"]+)"')
CREDENTIAL_KEY = re.compile(r"pass(word)?|pwd|secret|token|api[-_]?key|private", re.IGNORECASE)
ALL = list(CHARTS)


def load(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def test_the_charts_folder_holds_the_library_and_the_fifteen_services() -> None:
    charts = {p.parent.name for p in CHARTS_DIR.glob("*/Chart.yaml")}
    assert charts == {*CHARTS, "common"}
    assert (CHARTS_DIR / "README.md").is_file()


@pytest.mark.parametrize("chart", ALL)
def test_every_chart_has_exactly_the_required_files(chart: str) -> None:
    root = CHARTS_DIR / chart
    files = {
        p.relative_to(root).as_posix()
        for p in root.rglob("*")
        if p.is_file() and not p.relative_to(root).as_posix().startswith(BUILD_OUTPUT)
    }
    assert files == CHART_FILES


@pytest.mark.parametrize("chart", ALL)
def test_templates_are_one_line_each_and_all_from_the_library(chart: str) -> None:
    for path in sorted((CHARTS_DIR / chart / "templates").iterdir()):
        text = path.read_text(encoding="utf-8")
        assert text.count("\n") == 1 and text.endswith("\n"), f"{path} is not one line"
        if path.name == "_helpers.tpl":
            assert text.startswith("{{/*") and "charts/common" in text
        else:
            kind = path.stem.replace("-", "")
            assert text == f'{{{{- include "common.{kind}" . }}}}\n', path


def test_no_template_is_defined_twice_and_each_define_says_what_it_expects() -> None:
    seen: dict[str, Path] = {}
    for path in sorted(CHARTS_DIR.glob("*/templates/*")):
        lines = path.read_text(encoding="utf-8").splitlines()
        for number, line in enumerate(lines):
            for name in DEFINE.findall(line):
                assert name not in seen, f"{name} defined in {seen.get(name)} and {path}"
                assert path.parent.parent == LIBRARY, f"{path} defines {name}: use the library"
                assert name.startswith("common."), name
                above = "\n".join(lines[:number]).rstrip()
                assert above.endswith("*/}}") and f"{name}:" in above[above.rfind("{{/*") :], (
                    f"{path}: define {name} needs a comment saying what it expects"
                )
                seen[name] = path
    assert {"common.deployment", "common.each", "common.labels"} <= set(seen)


@pytest.mark.parametrize("chart", ALL)
def test_chart_yaml(chart: str) -> None:
    meta = load(CHARTS_DIR / chart / "Chart.yaml")
    assert meta["apiVersion"] == "v2"
    assert meta["name"] == chart
    assert meta["type"] == "application"
    assert SEMVER.match(meta["version"])
    assert isinstance(meta["appVersion"], str) and meta["appVersion"]
    assert meta["description"].strip()
    assert meta["annotations"][CHART_PLANE_ANNOTATION] == CHARTS[chart].plane
    [dependency] = meta["dependencies"]
    assert dependency["name"] == "common"
    assert dependency["repository"] == "file://../common"
    assert dependency["import-values"] == ["defaults"]
    library_version = load(LIBRARY / "Chart.yaml")["version"]
    major_minor = ".".join(library_version.split(".")[:2])
    assert dependency["version"] in (f"~{major_minor}.0", f"^{library_version}")


def test_the_library_chart() -> None:
    meta = load(LIBRARY / "Chart.yaml")
    assert meta["type"] == "library" and meta["name"] == "common"
    assert CHART_PLANE_ANNOTATION not in (meta.get("annotations") or {})
    assert not (LIBRARY / "values.schema.json").exists(), "it would only see .Values.common"


def test_every_schema_copy_equals_the_generated_schema() -> None:
    expected = runpy.run_path(str(GENERATOR))["render"]()
    stale = [c for c in ALL if (CHARTS_DIR / c / "values.schema.json").read_text() != expected]
    command = f"python3 {GENERATOR.relative_to(CHARTS_DIR.parent)}"
    assert not stale, f"stale values.schema.json in {stale}: run `{command}`"


def _undeclared(values: Any, schema: dict[str, Any], path: str = "") -> list[str]:
    """Keys of `values` that the schema does not declare (recursively)."""
    if not isinstance(values, dict) or "properties" not in schema:
        return []
    missing = []
    for key, value in values.items():
        if key not in schema["properties"]:
            missing.append(f"{path}{key}")
        else:
            missing += _undeclared(value, schema["properties"][key], f"{path}{key}.")
    return missing


def test_schema_declares_every_documented_default_and_rejects_unknown_keys() -> None:
    schema = json.loads((CHARTS_DIR / ALL[0] / "values.schema.json").read_text())
    defaults = load(LIBRARY / "values.yaml")["exports"]["defaults"]
    assert _undeclared(defaults, schema) == []
    assert schema["additionalProperties"] is False
    component = schema["properties"]["components"]["additionalProperties"]
    assert component["additionalProperties"] is False
    nested = [k for k, v in schema["properties"].items() if v.get("properties")]
    assert nested and all(schema["properties"][k]["additionalProperties"] is False for k in nested)
    tag_types = schema["properties"]["image"]["properties"]["tag"]["type"]
    assert "string" in tag_types


def _literal_credentials(values: Any, path: str = "") -> list[str]:
    """Credential-looking keys holding literal strings outside the `secrets` references."""
    found = []
    if isinstance(values, dict):
        for key, value in values.items():
            if key == "secrets":
                continue
            if isinstance(value, str) and value and CREDENTIAL_KEY.search(str(key)):
                found.append(f"{path}{key}")
            found += _literal_credentials(value, f"{path}{key}.")
    return found


@pytest.mark.parametrize("chart", ALL)
def test_values_files_hold_no_literal_credential(chart: str) -> None:
    for path in sorted((CHARTS_DIR / chart).glob("values*.yaml")):
        assert _literal_credentials(load(path)) == [], path
        secrets = (load(path) or {}).get("secrets", {})
        assert set(secrets) <= {"existingSecret", "env", "optional"}, path


@pytest.mark.parametrize("chart", ALL)
def test_default_image_tags_are_pinned(chart: str) -> None:
    values = load(CHARTS_DIR / chart / "values.yaml")
    tags = [values["image"]["tag"]] + [
        c["image"]["tag"]
        for c in (values.get("components") or {}).values()
        if "tag" in (c or {}).get("image", {})
    ]
    for tag in tags:
        assert isinstance(tag, str) and tag != "latest" and PINNED.match(tag), (chart, tag)
    assert load(CHARTS_DIR / chart / "Chart.yaml")["appVersion"] == values["image"]["tag"]


def test_readme_documents_every_chart_and_the_plane_annotation() -> None:
    readme = (CHARTS_DIR / "README.md").read_text(encoding="utf-8")
    assert CHART_PLANE_ANNOTATION in readme
    for chart, spec in CHARTS.items():
        assert f"`{chart}`" in readme, chart
        assert spec.secret in readme, spec.secret
    for key in load(LIBRARY / "values.yaml")["exports"]["defaults"]:
        assert f"`{key}`" in readme or f"`{key}." in readme, f"values key {key} undocumented"
