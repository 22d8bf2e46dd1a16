"""Renderings read back as data: what the render unit tests assert on."""

from __future__ import annotations

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
