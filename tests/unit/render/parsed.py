"""Renderings read back as data, and ApplicationSets expanded as Argo CD expands them: what
the render unit tests assert on."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import yaml

from gitops_tool.core.render.rendering import Rendering


def documents(rendering: Rendering, suffix: str = ".yaml") -> dict[str, list[dict]]:
    """Every rendered YAML file, parsed: path -> documents."""
    return {
        path: list(yaml.safe_load_all(text))
        for path, text in rendering.files.items()
        if path.endswith(suffix)
    }


def environments_of(files: dict[str, str]) -> list[str]:
    """The environments that have an ApplicationSet among rendered `files`."""
    return sorted(
        path.split("/")[1] for path in files if path.endswith("/applicationset/applicationset.yaml")
    )


_PLACEHOLDER = re.compile(r"\{\{\.([A-Za-z0-9_]+)\}\}")


def instantiate(template: Any, element: dict[str, str]) -> Any:
    """The Go template's `{{.key}}` substitution, enough for this template; a missing key
    fails (missingkey=error)."""
    if isinstance(template, dict):
        return {instantiate(k, element): instantiate(v, element) for k, v in template.items()}
    if isinstance(template, list):
        return [instantiate(v, element) for v in template]
    if isinstance(template, str):
        return _PLACEHOLDER.sub(lambda match: element[match.group(1)], template)
    return template


def applicationset_of(files: Mapping[str, str], env: str) -> dict:
    """The ApplicationSet of `env` among rendered `files`, parsed."""
    return yaml.safe_load(files[f"argocd/{env}/applicationset/applicationset.yaml"])


def applications_of(files: Mapping[str, str], env: str) -> dict[str, dict]:
    """The Application files of `env` among rendered `files`, parsed: name -> document."""
    prefix = f"argocd/{env}/applications/"
    docs = [yaml.safe_load(t) for p, t in files.items() if p.startswith(prefix)]
    return {d["metadata"]["name"]: d for d in docs}


def assert_applicationset_generates_the_applications(files: Mapping[str, str], env: str) -> int:
    """The ApplicationSet of `env`, each element put into its template, gives exactly the
    Application files of `env`: same names, and the whole document equal (sources,
    destinations, labels, syncPolicy...). Returns how many there are."""
    spec = applicationset_of(files, env)["spec"]
    assert spec["goTemplate"] is True
    assert spec["goTemplateOptions"] == ["missingkey=error"]
    elements = spec["generators"][0]["list"]["elements"]
    rendered = applications_of(files, env)
    generated = {}
    for element in elements:
        app = instantiate(spec["template"], element)
        generated[app["metadata"]["name"]] = {
            "apiVersion": "argoproj.io/v1alpha1",
            "kind": "Application",
            **app,
        }
    assert len(generated) == len(elements), f"{env}: two elements give one name"
    assert sorted(generated) == sorted(rendered), env
    for name, app in generated.items():
        assert app == rendered[name], f"{env}: {name}"
    return len(rendered)
