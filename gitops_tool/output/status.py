"""Presentation of `status`: the table and the JSON document. Strings only."""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING

from gitops_tool.core.argocd.appstatus import short_revision
from gitops_tool.core.wording import plural
from gitops_tool.output import table, to_json

if TYPE_CHECKING:
    from gitops_tool.commands.status import StatusResult

STATUS_HEADERS = ("APP", "PLANE", "WAVE", "SYNC", "HEALTH", "REVISION", "IMAGE TAG", "PIN",
                  "LAST OPERATION")


def status_table(result: StatusResult) -> str:
    rows = [
        (r.app, r.plane, r.wave, r.sync, r.health, short_revision(r.revision),
         r.image_tag if r.image_tag == r.pin or not (r.pin and r.image_tag)
         else f"{r.image_tag} !=",
         r.pin, r.last_operation)
        for r in result.rows
    ]
    lines = [table(STATUS_HEADERS, rows), ""]
    bad = [r for r in result.rows if not r.ok]
    good = len(result.rows) - len(bad)
    lines.append(
        f"{result.environment}: {good} of {plural(len(result.rows), 'application')} Synced "
        f"and Healthy at {result.revision} ({result.server})"
    )
    lines += [f"  {r.app}: {'; '.join(r.problems)}" for r in bad]
    return "\n".join(lines)


def status_json(result: StatusResult) -> str:
    """Full revisions (40 characters) and waves as integers, as every JSON document."""
    return to_json({
        "exit_code": result.exit_code,
        "environment": result.environment,
        "revision": result.revision,
        "server": result.server,
        "ok": result.ok,
        "apps": [dict(asdict(r), ok=r.ok) for r in result.rows],
    })
