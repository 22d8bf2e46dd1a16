"""The repository's workflows as data, for the tests of this folder."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[3]
WORKFLOWS = REPO / ".github" / "workflows"


def workflow_files() -> list[Path]:
    return sorted([*WORKFLOWS.glob("*.yml"), *WORKFLOWS.glob("*.yaml")])


def load(name: str) -> dict[str, Any]:
    """`.github/workflows/<name>.yml`, with `on` under its name (YAML 1.1 reads it as True)."""
    data = yaml.safe_load((WORKFLOWS / f"{name}.yml").read_text(encoding="utf-8"))
    if True in data:
        data["on"] = data.pop(True)
    return data


def all_workflows() -> dict[str, dict[str, Any]]:
    return {path.stem: load(path.stem) for path in workflow_files()}


def jobs(workflow: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    yield from workflow["jobs"].items()


def steps(workflow: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(job id, step) for every step of every job."""
    for job_id, job in jobs(workflow):
        for step in job.get("steps", []):
            yield job_id, step


def promotion_chain() -> list[str]:
    settings = yaml.safe_load((REPO / "gitops-tool.yaml").read_text(encoding="utf-8"))
    return list(settings["promotion"])
