"""charts/<name>/Chart.yaml of a service chart: its name, version, plane and waivers.

Pure: takes the file's text and the name to report it under.
"""

from __future__ import annotations

import re

from gitops_tool.core import names
from gitops_tool.core.load.schema import mapping_of
from gitops_tool.core.model import Service, Settings
from gitops_tool.core.yamldoc import line_of
from gitops_tool.errors import InputError

SEMVER = re.compile(
    r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$"
)
CHART_SCHEMA_KEYS = ("apiVersion", "name", "version")


def service_from(folder: str, text: str, source: str, settings: Settings) -> Service:
    """Parse and check one charts/<folder>/Chart.yaml of a service chart."""
    if problem := names.service_name_problem(folder):
        raise InputError(
            f"{source}: chart name {folder!r} {problem}",
            hint="rename the chart folder (it is also the Helm release name)",
        )
    data = mapping_of(text, source)
    for key in CHART_SCHEMA_KEYS:
        if not isinstance(data.get(key), str):
            raise InputError(f"{source}: {key}: missing or not a string",
                             hint=f"set `{key}:` in Chart.yaml (charts/README.md shows one)")
    if data["name"] != folder:
        raise InputError(
            f"{source}:{line_of(data, 'name')}: name: {data['name']!r} differs from the "
            f"folder name {folder!r}",
            hint="the chart name and its folder must be the same",
        )
    if not SEMVER.fullmatch(data["version"]):
        raise InputError(f"{source}:{line_of(data, 'version')}: version: not semver",
                         hint="use a semantic version such as 0.1.0")
    annotations = data.get("annotations") or {}
    if not isinstance(annotations, dict):
        raise InputError(f"{source}:{line_of(data, 'annotations')}: annotations: not a mapping",
                         hint=f"write `annotations:` as `key: value` lines, such as "
                         f"`{names.CHART_PLANE_ANNOTATION}: <plane>`")
    plane = annotations.get(names.CHART_PLANE_ANNOTATION)
    known = ", ".join(p.name for p in settings.planes)
    if plane is None:
        raise InputError(
            f"{source}: annotations.{names.CHART_PLANE_ANNOTATION}: missing: the chart "
            "names no plane",
            hint=f"add `{names.CHART_PLANE_ANNOTATION}: <plane>` with one of: {known}",
        )
    if settings.plane(plane) is None:
        raise InputError(
            f"{source}:{line_of(annotations, names.CHART_PLANE_ANNOTATION)}: "
            f"annotations.{names.CHART_PLANE_ANNOTATION}: unknown plane {plane!r}",
            hint=f"use one of: {known}",
        )
    waivers = tuple(
        sorted(
            (key[len(names.CHART_WAIVER_PREFIX) :], str(reason or ""))
            for key, reason in annotations.items()
            if str(key).startswith(names.CHART_WAIVER_PREFIX)
        )
    )
    return Service(
        name=folder,
        plane=plane,
        path=f"{settings.charts_dir}/{folder}",
        version=data["version"],
        app_version=str(data.get("appVersion", "")),
        waivers=waivers,
    )
