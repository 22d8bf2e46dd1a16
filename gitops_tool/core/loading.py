"""Loading rules: from the text of the files people write to checked model objects.

Pure: every function takes text (or already-parsed data) and a name to report
it under; the files adapter does the reading.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from itertools import pairwise
from typing import Any, TypeVar

from gitops_tool.core import names
from gitops_tool.core.model import (
    Environment,
    Plane,
    Release,
    Service,
    Settings,
    SyncPolicy,
    SyncWindow,
    Tree,
    is_commit,
)
from gitops_tool.core.render_load import fast_data
from gitops_tool.core.schema import Field, check
from gitops_tool.core.yamldoc import line_of, parse_yaml
from gitops_tool.errors import InputError

T = TypeVar("T")

SETTINGS_FILE = "gitops-tool.yaml"
ENVIRONMENTS_DIR = "environments"

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
SEMVER = re.compile(
    r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$"
)

SETTINGS_SCHEMA = Field(
    keys={
        "planes": Field(
            items=Field(keys={"name": Field(str), "wave": Field(int)}),
            doc="the planes in rollout order, each with its Argo CD sync wave",
        ),
        "promotion": Field(items=Field(str), doc="the promotion chain, first to last"),
        "charts": Field(str, required=False, doc="folder of the service charts"),
        "library": Field(str, required=False, doc="the library chart every chart depends on"),
        "output": Field(str, required=False, doc="folder render writes"),
    }
)

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
        "releases": Field(values=Field(keys={"image": Field(str)}), required=False),
    }
)

CHART_SCHEMA_KEYS = ("apiVersion", "name", "version")


def _mapping(text: str, source: str) -> dict:
    data = parse_yaml(text, source)
    if data is None:
        raise InputError(f"{source}: the file is empty", hint="see the README for its keys")
    if not isinstance(data, dict):
        raise InputError(f"{source}:1: expected a mapping at the top level")
    return data


def relative_path_problem(path: str) -> str | None:
    """Why a repository-relative path is unsafe (absolute, or leaving the repository)."""
    if not path or path.startswith("/") or "\\" in path:
        return "must be a relative path inside the repository"
    normal = posixpath.normpath(path)
    if normal == ".." or normal.startswith("../"):
        return "leaves the repository"
    return None


def settings_from(text: str, source: str = SETTINGS_FILE) -> Settings:
    """Parse and check gitops-tool.yaml."""
    data = _mapping(text, source)
    check(data, SETTINGS_SCHEMA, source)
    planes = tuple(Plane(p["name"], p["wave"]) for p in data["planes"])
    if not planes:
        raise InputError(f"{source}: planes: declare at least one plane")
    for earlier, later in pairwise(planes):
        if later.wave <= earlier.wave:
            raise InputError(
                f"{source}:{line_of(data, 'planes')}: planes: wave of {later.name!r} "
                f"({later.wave}) must be greater than that of {earlier.name!r} ({earlier.wave})",
                hint="list planes in rollout order with increasing waves",
            )
    for key, seq in (("planes", [p.name for p in planes]), ("promotion", data["promotion"])):
        for name in seq:
            if problem := names.label_problem(name):
                raise InputError(f"{source}:{line_of(data, key)}: {key}: {name!r} {problem}")
        if len(set(seq)) != len(seq):
            raise InputError(f"{source}:{line_of(data, key)}: {key}: names must be unique")
    settings = Settings(
        planes=planes,
        promotion=tuple(data["promotion"]),
        charts_dir=data.get("charts", "charts"),
        library=data.get("library", "common"),
        output_dir=data.get("output", "argocd"),
    )
    for key, path in (("charts", settings.charts_dir), ("output", settings.output_dir)):
        if problem := relative_path_problem(path):
            raise InputError(f"{source}:{line_of(data, key)}: {key}: {path!r} {problem}")
    return settings


def _fast_then_precise(text: str, source: str, build: Callable[[dict], T]) -> T:
    """`build(data)` on quickly parsed plain data; when the fast parse gives up or `build`
    finds a problem, again on data that knows its lines, so errors name `file:line`."""
    try:
        data = fast_data(text)
    except ValueError:
        data = None
    if isinstance(data, dict):
        try:
            return build(data)
        except InputError:
            pass
    return build(_mapping(text, source))


def environment_from(name: str, text: str, source: str) -> Environment:
    """Parse and check one environments/<name>.yaml."""
    if problem := names.label_problem(name):
        raise InputError(f"{source}: environment name {name!r} {problem}")
    return _fast_then_precise(text, source, lambda data: _environment(name, data, source, text))


class _Pins(dict):
    """An environment's release pins (service -> Release) that can tell on which line of its
    file a pin, or `releases:` itself, is written, for the messages of the checks across
    files. The lines are found only when a message needs them, by parsing the text again
    with line numbers (most loads take the fast path, which keeps none)."""

    __slots__ = ("_source", "_text")

    def __init__(self, text: str, source: str) -> None:
        super().__init__()
        self._text, self._source = text, source

    def line_of(self, service: str | None = None) -> int | None:
        """The line of `releases.<service>`, else of `releases:`; None when neither is
        written in the file."""
        try:
            data = parse_yaml(self._text, self._source)
        except InputError:
            return None
        if not isinstance(data, dict) or "releases" not in data:
            return None
        pins = data["releases"]
        if service is not None and isinstance(pins, dict) and service in pins:
            return line_of(pins, service)
        return line_of(data, "releases")


def _pin_place(env: Environment, service: str | None = None) -> str:
    """`file:line` of a release pin (or of `releases:`) in `env`'s file; `file` alone when
    the line is unknown."""
    pins = env.releases
    line = pins.line_of(service) if isinstance(pins, _Pins) else None
    return f"{env.source}:{line}" if line else env.source


def _environment(name: str, data: dict, source: str, text: str = "") -> Environment:
    check(data, ENVIRONMENT_SCHEMA, source)
    dest, src, policy = data["destination"], data["source"], data["syncPolicy"]

    def fail(where: dict, key: str, path: str, problem: str, hint: str | None = None) -> None:
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
    if not _REPO_URL.match(data["repoURL"]):
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
    if not _BRANCH.match(src["branch"]) or is_commit(src["branch"]):
        fail(src, "branch", "source.branch", f"{src['branch']!r} is not a branch name")
    if not (is_commit(src["revision"]) or _BRANCH.match(src["revision"])):
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
    releases: dict[str, Release] = _Pins(text, source)
    for service, pin in (data.get("releases") or {}).items():
        tag = pin["image"]
        if not _TAG.match(tag) or tag == "latest":
            fail(
                pin,
                "image",
                f"releases.{service}.image",
                f"{tag!r} is not a pinned image tag",
                hint="use an exact version such as 1.4.2 (not 'latest')",
            )
        releases[service] = Release(service, tag)
    for i, w in enumerate(policy.get("windows") or ()):
        fields = w["schedule"].split()
        if len(fields) != 5 or not all(_CRON_FIELD.match(f) for f in fields):
            fail(
                w,
                "schedule",
                f"syncPolicy.windows[{i}].schedule",
                f"{w['schedule']!r} is not a cron schedule of 5 fields",
                hint="minute hour day-of-month month day-of-week, such as '0 22 * * 1-5'",
            )
        if not _GO_DURATION.match(w["duration"]):
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


def service_from(folder: str, text: str, source: str, settings: Settings) -> Service:
    """Parse and check one charts/<folder>/Chart.yaml of a service chart."""
    if problem := names.service_name_problem(folder):
        raise InputError(
            f"{source}: chart name {folder!r} {problem}",
            hint="rename the chart folder (it is also the Helm release name)",
        )
    return _fast_then_precise(text, source, lambda data: _service(folder, data, source, settings))


def _service(folder: str, data: dict, source: str, settings: Settings) -> Service:
    for key in CHART_SCHEMA_KEYS:
        if not isinstance(data.get(key), str):
            raise InputError(f"{source}: {key}: missing or not a string")
    if data["name"] != folder:
        raise InputError(
            f"{source}:{line_of(data, 'name')}: name: {data['name']!r} differs from the "
            f"folder name {folder!r}",
            hint="the chart name and its folder must be the same",
        )
    if not SEMVER.match(data["version"]):
        raise InputError(f"{source}:{line_of(data, 'version')}: version: not semver")
    annotations = data.get("annotations") or {}
    if not isinstance(annotations, dict):
        raise InputError(f"{source}:{line_of(data, 'annotations')}: annotations: not a mapping")
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


def tree_from(
    settings: Settings,
    environments: Iterable[Environment],
    services: Iterable[Service],
    chart_files: Mapping[str, Iterable[str]],
) -> Tree:
    """Assemble the tree and check what no single file can: names, pins, values files.

    `chart_files` maps each service to the file names in its chart folder.
    """
    by_name = {e.name: e for e in environments}
    for env_name in settings.promotion:
        if env_name not in by_name:
            raise InputError(
                f"{SETTINGS_FILE}: promotion: environment {env_name!r} has no file "
                f"{ENVIRONMENTS_DIR}/{env_name}.yaml",
                hint="add the file or remove the environment from the chain",
            )
    order = {name: i for i, name in enumerate(settings.promotion)}
    envs = tuple(sorted(by_name.values(), key=lambda e: (order.get(e.name, len(order)), e.name)))
    waves = {p.name: p.wave for p in settings.planes}
    svcs = tuple(sorted(services, key=lambda s: (waves[s.plane], s.name)))
    known = {s.name for s in svcs}
    for env in envs:
        for service in env.releases:
            if service not in known:
                raise InputError(
                    f"{_pin_place(env, service)}: releases.{service}: no chart "
                    f"{settings.charts_dir}/{service} exists; remove the pin or fix the name",
                    hint=f"the services are the folders under {settings.charts_dir}/, "
                    f"except the library chart {settings.library}",
                )
        for svc in svcs:
            if svc.name not in env.releases:
                raise InputError(
                    f"{_pin_place(env)}: releases.{svc.name}: missing: every service needs a "
                    "release pin in every environment",
                    hint=f"add `{svc.name}: {{image: <tag>}}` under `releases:` in {env.source}",
                )
            app = application_name(env.name, svc.name)
            if app == root_application_name(env.name):
                raise InputError(
                    f"{svc.path}: Application name {app!r} is taken by the environment's root "
                    "Application",
                    hint="rename the chart",
                )
            if problem := names.name_problem(app, names.RELEASE_NAME_MAX):
                raise InputError(
                    f"{svc.path}: Application name {app!r} {problem}",
                    hint="shorten the chart or environment name",
                )
            if f"values-{env.name}.yaml" not in set(chart_files.get(svc.name, ())):
                raise InputError(
                    f"{svc.path}/values-{env.name}.yaml: missing: every chart needs a values "
                    f"file for every environment",
                    hint=f"create {svc.path}/values-{env.name}.yaml (it may be empty: {{}})",
                )
    return Tree(settings=settings, services=svcs, environments=envs)


def application_name(environment: str, service: str) -> str:
    """The stable Argo CD Application name of a service in an environment."""
    return f"{environment}-{service}"


def root_application_name(environment: str) -> str:
    """The environment's root (app-of-apps) Application."""
    return f"{environment}-root"


# The AppProject of the root Applications (they deploy Applications into Argo CD's namespace).
ROOT_PROJECT = "gitops-root"
