"""environments/<env>.yaml: one environment's cluster, source, sync policy and release pins.

Pure: takes the file's text and the name to report it under.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from gitops_tool.core import names
from gitops_tool.core.load.credentials import refuse_url_credentials
from gitops_tool.core.load.schema import DOCS_HINT, Field, check, mapping_of
from gitops_tool.core.model import Environment, Release, SyncPolicy, SyncWindow, is_commit
from gitops_tool.core.yamldoc import line_of
from gitops_tool.errors import InputError

_TAG = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")  # an OCI image tag
_BRANCH = re.compile(r"^(?!/)(?!.*\.\.)(?!.*//)[A-Za-z0-9._/-]+(?<!/)(?<!\.lock)$")
# repoURL as Argo CD clones it: https://, ssh://, scp-like git@host:path, or file://.
_REPO_URL = re.compile(r"^(https://[^\s/]+/\S+|ssh://[^\s/]+/\S+|git@[^\s:/]+:\S+|file:///\S+)$")
# A sync window's schedule: five cron fields (minute hour day-of-month month day-of-week).
_CRON_FIELD = re.compile(r"^[0-9A-Za-z*?/,-]+$")
# A Go duration (time.ParseDuration), such as 1h30m or 45m.
_GO_DURATION = re.compile(r"^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$")
# Argo CD's own project: an environment must never overwrite it.
ARGOCD_DEFAULT_PROJECT = "default"

_WINDOW = Field(
    keys={
        "kind": Field(str, choices=("allow", "deny")),
        "schedule": Field(str),
        "duration": Field(str),
        "manualSync": Field(bool, required=False),
        "timeZone": Field(str, required=False),
    }
)

ENVIRONMENT_SCHEMA = Field(
    keys={
        "destination": Field(
            keys={
                "server": Field(str, required=False),
                "name": Field(str, required=False),
                "namespace": Field(str),
            }
        ),
        "domain": Field(str),
        "argocd": Field(keys={"namespace": Field(str), "project": Field(str)}),
        "repoURL": Field(str),
        "source": Field(keys={"branch": Field(str), "revision": Field(str)}),
        "syncPolicy": Field(
            keys={
                "automated": Field(bool),
                "prune": Field(bool, required=False),
                "selfHeal": Field(bool, required=False),
                "windows": Field(items=_WINDOW, required=False),
            }
        ),
        "releases": Field(
            values=Field(keys={"image": Field(str), "revision": Field(str, required=False)}),
            required=False,
        ),
    }
)


def environment_from(name: str, text: str, source: str) -> Environment:
    """Parse and check one environments/<name>.yaml."""
    if problem := names.label_problem(name):
        raise InputError(
            f"{source}: environment name {name!r} {problem}",
            hint="rename the file: lowercase letters, digits and '-' (it becomes a label value)",
        )
    data = mapping_of(text, source)
    refuse_url_credentials(data, source)  # first: later messages may quote a value
    check(data, ENVIRONMENT_SCHEMA, source, lines=text.splitlines())
    dest, src, policy = data["destination"], data["source"], data["syncPolicy"]

    def fail(where: dict, key: str, path: str, problem: str, hint: str = DOCS_HINT) -> None:
        raise InputError(f"{source}:{line_of(where, key)}: {path}: {problem}", hint=hint)

    for where, key, path in _strings(data):
        if "{{" in where[key] or "}}" in where[key]:
            fail(
                where,
                key,
                path,
                f"{where[key]!r} holds '{{{{' or '}}}}'",
                hint="the ApplicationSet template would read it as a Go template; "
                "write the value itself",
            )
    if ("server" in dest) == ("name" in dest):
        fail(dest, "namespace", "destination", "set exactly one of 'server' or 'name'")
    if not _REPO_URL.fullmatch(data["repoURL"]):
        fail(
            data,
            "repoURL",
            "repoURL",
            f"{data['repoURL']!r} is not a repository URL",
            hint="use https://host/path, ssh://user@host/path, git@host:path or file:///path",
        )
    if data["argocd"]["project"] == ARGOCD_DEFAULT_PROJECT:
        fail(
            data["argocd"],
            "project",
            "argocd.project",
            f"{ARGOCD_DEFAULT_PROJECT!r} is Argo CD's own project; rendering it would overwrite it",
            hint="name the environment's own project, such as proj-<env>",
        )
    if problem := names.label_problem(dest["namespace"]):
        fail(dest, "namespace", "destination.namespace", f"{dest['namespace']!r} {problem}")
    for key in ("project", "namespace"):
        if problem := names.label_problem(data["argocd"][key]):
            fail(data["argocd"], key, f"argocd.{key}", f"{data['argocd'][key]!r} {problem}")
    if not _BRANCH.fullmatch(src["branch"]) or is_commit(src["branch"]):
        fail(src, "branch", "source.branch", f"{src['branch']!r} is not a branch name")
    if not (is_commit(src["revision"]) or _BRANCH.fullmatch(src["revision"])):
        fail(
            src,
            "revision",
            "source.revision",
            f"{src['revision']!r} is neither a branch nor a full 40-character commit SHA",
        )
    if policy.get("automated") is False and (policy.get("prune") or policy.get("selfHeal")):
        fail(
            policy,
            "automated",
            "syncPolicy",
            "prune and selfHeal only apply when automated is true",
            hint="remove them, or set automated: true",
        )
    releases: dict[str, Release] = {}
    for service, pin in (data.get("releases") or {}).items():
        tag = pin["image"]
        if not _TAG.fullmatch(tag) or tag == "latest":
            fail(
                pin,
                "image",
                f"releases.{service}.image",
                f"{tag!r} is not a pinned image tag",
                hint="use an exact version such as 1.4.2 (not 'latest')",
            )
        revision = pin.get("revision", "")
        if "revision" in pin and not is_commit(revision):
            fail(
                pin,
                "revision",
                f"releases.{service}.revision",
                f"{revision!r} is not a full 40-character commit SHA",
                hint="a pin's revision is the commit its chart is deployed from (lowercase, "
                "40 hex digits); remove it to deploy the environment's source.revision",
            )
        releases[service] = Release(
            service, tag, line=line_of(data["releases"], service), revision=revision
        )
    for i, w in enumerate(policy.get("windows") or ()):
        fields = w["schedule"].split()
        if len(fields) != 5 or not all(_CRON_FIELD.fullmatch(f) for f in fields):
            fail(
                w,
                "schedule",
                f"syncPolicy.windows[{i}].schedule",
                f"{w['schedule']!r} is not a cron schedule of 5 fields",
                hint="minute hour day-of-month month day-of-week, such as '0 22 * * 1-5'",
            )
        if not _GO_DURATION.fullmatch(w["duration"]):
            fail(
                w,
                "duration",
                f"syncPolicy.windows[{i}].duration",
                f"{w['duration']!r} is not a duration",
                hint="a Go duration such as 1h, 30m or 1h30m",
            )
    windows = tuple(
        SyncWindow(
            kind=w["kind"],
            schedule=w["schedule"],
            duration=w["duration"],
            manual_sync=w.get("manualSync", False),
            time_zone=w.get("timeZone", "UTC"),
        )
        for w in policy.get("windows") or ()
    )
    return Environment(
        name=name,
        source=source,
        namespace=dest["namespace"],
        domain=data["domain"],
        project=data["argocd"]["project"],
        argocd_namespace=data["argocd"]["namespace"],
        repo_url=data["repoURL"],
        branch=src["branch"],
        revision=src["revision"],
        sync_policy=SyncPolicy(
            automated=policy["automated"],
            prune=policy.get("prune", False),
            self_heal=policy.get("selfHeal", False),
            windows=windows,
        ),
        server=dest.get("server", ""),
        cluster=dest.get("name", ""),
        releases=releases,
        releases_line=line_of(data, "releases") if "releases" in data else None,
    )


def _strings(data: Any, path: str = "") -> Iterator[tuple[Any, Any, str]]:
    """(container, key, dotted path) of every string value in `data`."""
    mapping = isinstance(data, dict)
    for key, value in data.items() if mapping else enumerate(data):
        where = (f"{path}.{key}" if path else str(key)) if mapping else f"{path}[{key}]"
        if isinstance(value, str):
            yield data, key, where
        elif isinstance(value, (dict, list)):
            yield from _strings(value, where)
