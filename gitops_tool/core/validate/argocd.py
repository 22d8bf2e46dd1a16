"""Checks of the rendered Argo CD manifests under argocd/: CRD schemas, projects, render parity.

Pure: the command hands in the parsed documents by file, the chart folders and
their files, the environments, and (when present) the CRD schemas. Documents
are told apart by `kind`, not by file name.
"""

from __future__ import annotations

import fnmatch
import posixpath
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from gitops_tool.core import names
from gitops_tool.core.model import Environment
from gitops_tool.core.render.applications import IMAGE_TAG_PARAMETER
from gitops_tool.core.validate.findings import Finding
from gitops_tool.core.validate.pods import as_list, as_map

ARGO_KINDS = ("Application", "ApplicationSet", "AppProject")
DEFAULT_PROJECT = "default"
MAX_SCHEMA_ERRORS = 5  # per document


@dataclass(frozen=True, slots=True)
class ArgoInputs:
    """What the checks compare the manifests with."""

    charts_dir: str  # e.g. "charts"
    chart_files: Mapping[str, frozenset[str]]  # chart folder name -> files inside it
    environments: Sequence[Environment]
    production: str  # the production environment's name ("" when none)
    folders: frozenset[str] = frozenset()  # repository folders holding argocd/ manifests


@dataclass(frozen=True, slots=True)
class Manifest:
    """One parsed document of a file under argocd/."""

    path: str
    doc: Mapping[str, Any]

    @property
    def kind(self) -> str:
        return str(self.doc.get("kind", ""))

    @property
    def name(self) -> str:
        return str(as_map(self.doc.get("metadata")).get("name", "?"))

    @property
    def ref(self) -> str:
        return f"{self.kind}/{self.name}"


def argocd_findings(manifests: Sequence[Manifest], inputs: ArgoInputs) -> list[Finding]:
    """Every policy finding over the Argo CD manifests (schemas are checked separately)."""
    projects = {m.name: m for m in manifests if m.kind == "AppProject"}
    found: list[Finding] = []

    def add(m: Manifest, rule_id: str, message: str, env: str = "") -> None:
        found.append(Finding(rule_id, "", env, m.ref, "", message, m.path))

    envs = {e.name: e for e in inputs.environments}
    for m in manifests:
        env = _environment_of(m, envs)
        if m.kind == "AppProject":
            for rule_id, message in _project_problems(m, inputs, env):
                add(m, rule_id, message, env)
        elif m.kind == "Application":
            spec = as_map(m.doc.get("spec"))
            if spec.get("project", DEFAULT_PROJECT) == DEFAULT_PROJECT:
                add(m, "GT-ARGO-002", "spec.project is 'default'", env)
            for rule_id, message in _application_problems(m, spec, inputs, envs.get(env)):
                add(m, rule_id, message, env)
            if problem := _permission_problem(spec, projects):
                add(m, "GT-ARGO-011", problem, env)
        elif m.kind == "ApplicationSet":
            project = as_map(as_map(as_map(m.doc.get("spec")).get("template")).get("spec")).get(
                "project", DEFAULT_PROJECT
            )
            if project == DEFAULT_PROJECT:
                add(m, "GT-ARGO-002", "spec.template.spec.project is 'default'", env)
            elif "{{" in str(project) or "${" in str(project):
                add(m, "GT-ARGO-007", f"spec.template.spec.project is {project!r}", env)
    return found


def pinned_chart_findings(
    env: Environment, missing: Sequence[str], revision: str = ""
) -> list[Finding]:
    """GT-ARGO-012 for each chart folder (`charts/<chart>`) absent at the pinned commit
    (`revision`: a pin's own commit; default: the environment's)."""
    revision = revision or env.revision
    return [
        Finding(
            "GT-ARGO-012",
            posixpath.basename(path),
            env.name,
            f"Application/{env.name}-{posixpath.basename(path)}",
            "",
            f"{path} does not exist at {revision[:12]}, the commit {env.name} deploys",
            path=env.source,
        )
        for path in missing
    ]


def _environment_of(m: Manifest, envs: Mapping[str, Environment]) -> str:
    labels = as_map(as_map(m.doc.get("metadata")).get("labels"))
    label = labels.get(names.LABEL_ENVIRONMENT)
    if label in envs:
        return str(label)
    parts = m.path.split("/")
    return parts[1] if len(parts) > 2 and parts[1] in envs else ""


def _project_problems(m: Manifest, inputs: ArgoInputs, env: str) -> Iterator[tuple[str, str]]:
    spec = as_map(m.doc.get("spec"))
    for i, repo in enumerate(as_list(spec.get("sourceRepos"))):
        if _pattern(repo):
            yield "GT-ARGO-003", f"sourceRepos[{i}] is the pattern {repo!r}"
    for i, dest in enumerate(as_list(spec.get("destinations"))):
        dest = as_map(dest)
        wild = [
            f"{k} {dest[k]!r}" for k in ("server", "name", "namespace") if _pattern(dest.get(k))
        ]
        if wild:
            yield "GT-ARGO-004", f"destinations[{i}] has the pattern {' and '.join(wild)}"
    for entry in as_list(spec.get("clusterResourceWhitelist")):
        entry = as_map(entry)
        if entry.get("group") == "*" and entry.get("kind") == "*":
            yield "GT-ARGO-005", "clusterResourceWhitelist allows group '*' kind '*'"
    production = [e for e in inputs.environments if e.name == inputs.production]
    if production and m.name == production[0].project and not as_list(spec.get("syncWindows")):
        yield "GT-ARGO-008", f"the {inputs.production} project declares no syncWindows"


def _pattern(value: Any) -> bool:
    """Whether an AppProject entry is a pattern rather than one exact value: a glob (`*`,
    `?`, `[`), or a `!` negation (a deny entry, which only matters beside a wider allow)."""
    return isinstance(value, str) and (value.startswith("!") or any(c in value for c in "*?["))


def _sources(spec: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    if "sources" in spec:
        return [as_map(s) for s in as_list(spec.get("sources"))]
    return [as_map(spec.get("source"))]


def _application_problems(
    m: Manifest, spec: Mapping[str, Any], inputs: ArgoInputs, env: Environment | None
) -> Iterator[tuple[str, str]]:
    for source in _sources(spec):
        path = source.get("path")
        if not isinstance(path, str) or source.get("chart"):
            continue  # a Helm repository chart, or a ref-only source
        helm = as_map(source.get("helm"))
        release = helm.get("releaseName") or m.name
        if problem := names.name_problem(str(release), names.RELEASE_NAME_MAX):
            yield "GT-ARGO-009", f"release name {release!r} {problem}"
        chart = _chart_of(path, inputs)
        if chart is None:
            if path.startswith(f"{inputs.charts_dir}/"):
                yield "GT-ARGO-006", f"source path {path!r} is not a chart folder"
            elif posixpath.normpath(path) not in inputs.folders:
                yield "GT-ARGO-006", f"source path {path!r} holds no manifests"
            continue
        files = inputs.chart_files[chart]
        for vf in as_list(helm.get("valueFiles")):
            if not _value_file_exists(str(vf), path, chart, inputs):
                yield "GT-ARGO-006", f"helm.valueFiles {vf!r} does not exist in {path}"
        if env is not None and "Chart.yaml" in files:
            yield from _parity_problems(chart, spec, helm, str(release), env)


def _chart_of(path: str, inputs: ArgoInputs) -> str | None:
    """The chart folder an Application path names, or None."""
    normal = posixpath.normpath(path)
    prefix = f"{inputs.charts_dir}/"
    if not normal.startswith(prefix):
        return None
    chart = normal[len(prefix) :]
    return chart if chart in inputs.chart_files and "/" not in chart else None


def _value_file_exists(vf: str, path: str, chart: str, inputs: ArgoInputs) -> bool:
    if vf.startswith("$"):
        return True  # a multi-source $values reference: resolved by Argo CD
    if vf.startswith("/"):
        target = posixpath.normpath(vf.lstrip("/"))
    else:
        target = posixpath.normpath(posixpath.join(path, vf))
    prefix = f"{inputs.charts_dir}/{chart}/"
    return target.startswith(prefix) and target[len(prefix) :] in inputs.chart_files[chart]


def _parity_problems(
    chart: str, spec: Mapping[str, Any], helm: Mapping[str, Any], release: str, env: Environment
) -> Iterator[tuple[str, str]]:
    """Where Argo CD would render differently from `helm template` in validate."""
    if release != chart:
        yield "GT-ARGO-010", f"release name is {release!r}, validate renders {chart!r}"
    namespace = as_map(spec.get("destination")).get("namespace")
    if namespace != env.namespace:
        wanted = f"the environment's is {env.namespace!r}"
        yield "GT-ARGO-010", f"destination.namespace is {namespace!r}, {wanted}"
    expected = ["values.yaml", f"values-{env.name}.yaml"]
    if as_list(helm.get("valueFiles")) != expected:
        yield "GT-ARGO-010", f"helm.valueFiles is {helm.get('valueFiles')!r}, not {expected!r}"
    pin = env.releases.get(chart)
    tag = _image_tag(helm)
    if pin is not None and tag != pin.image_tag:
        passed = f"{IMAGE_TAG_PARAMETER} passed is {tag!r}"
        yield "GT-ARGO-010", f"{passed}, the release pin in {env.source} is {pin.image_tag!r}"


def _image_tag(helm: Mapping[str, Any]) -> str | None:
    for p in as_list(helm.get("parameters")):
        if as_map(p).get("name") == IMAGE_TAG_PARAMETER:
            return str(as_map(p).get("value"))
    obj = as_map(helm.get("valuesObject"))
    tag = as_map(obj.get("image")).get("tag")
    return None if tag is None else str(tag)


def _permission_problem(spec: Mapping[str, Any], projects: Mapping[str, Manifest]) -> str | None:
    """Why the Application's AppProject (rendered under argocd/) does not admit it."""
    name = spec.get("project", DEFAULT_PROJECT)
    if name == DEFAULT_PROJECT:
        return None  # GT-ARGO-002 already says it
    project = projects.get(name)
    if project is None:
        return f"AppProject {name!r} is not rendered under argocd/"
    pspec = as_map(project.doc.get("spec"))
    repos = [str(r) for r in as_list(pspec.get("sourceRepos"))]
    for source in _sources(spec):
        url = str(source.get("repoURL", ""))
        if not any(_glob(url, r) for r in repos):
            return f"repoURL {url!r} is not in AppProject {name}'s sourceRepos"
    dest = as_map(spec.get("destination"))
    for allowed in as_list(pspec.get("destinations")):
        allowed = as_map(allowed)
        cluster_ok = (
            "server" in dest and _glob(str(dest["server"]), str(allowed.get("server", "")))
        ) or ("name" in dest and _glob(str(dest["name"]), str(allowed.get("name", ""))))
        ns_ok = _glob(str(dest.get("namespace", "")), str(allowed.get("namespace", "")))
        if cluster_ok and ns_ok:
            return None
    return f"destination {dict(dest)!r} is not among AppProject {name}'s destinations"


def _glob(value: str, pattern: str) -> bool:
    return bool(pattern) and fnmatch.fnmatchcase(value, pattern)


def schema_findings(
    manifests: Sequence[Manifest], schemas: Mapping[str, Mapping[str, Any]], closed: bool = False
) -> list[Finding]:
    """GT-ARGO-001: documents whose kind has a schema in `schemas` and that do not match it.

    Schemas are the CRDs' openAPIV3Schema; objects that list `properties` are
    treated as closed (unknown fields are errors), as `kubectl --validate=strict`
    does, unless they preserve unknown fields (`closed`: already done by closed_schema).
    """
    if not any(m.kind in schemas for m in manifests):
        return []
    import jsonschema  # heavy: only when there is something to check

    validators = {
        kind: jsonschema.Draft7Validator(schema if closed else closed_schema(schema))
        for kind, schema in schemas.items()
    }
    found = []
    for m in manifests:
        validator = validators.get(m.kind)
        if validator is None:
            continue
        errors = sorted(validator.iter_errors(dict(m.doc)), key=lambda e: list(e.absolute_path))
        for error in errors[:MAX_SCHEMA_ERRORS]:
            where = ".".join(str(p) for p in error.absolute_path) or "(top level)"
            found.append(
                Finding("GT-ARGO-001", "", "", m.ref, "", f"{where}: {error.message}", m.path)
            )
    return found


def closed_schema(schema: Any) -> Any:
    """A copy of an OpenAPI v3 schema where objects with properties allow no other keys."""
    if isinstance(schema, Mapping):
        out = {k: closed_schema(v) for k, v in schema.items()}
        if (
            "properties" in schema
            and "additionalProperties" not in schema
            and not schema.get("x-kubernetes-preserve-unknown-fields")
        ):
            out["additionalProperties"] = False
        return out
    if isinstance(schema, list):
        return [closed_schema(v) for v in schema]
    return schema


def crd_schema(crd: Any) -> tuple[str, Mapping[str, Any]] | None:
    """(kind, openAPIV3Schema) of a parsed CustomResourceDefinition, or None."""
    spec = as_map(as_map(crd).get("spec"))
    kind = as_map(spec.get("names")).get("kind")
    for version in as_list(spec.get("versions")):
        schema = as_map(as_map(as_map(version).get("schema")).get("openAPIV3Schema"))
        if kind and schema:
            return str(kind), schema
    return None
