"""Fixture trees: the one way the tests describe a GitOps repository, and the one writer.

A `TreeSpec` (charts, environments as `EnvSpec`s, planes, release pins) describes a
repository; `tree_files(spec)` is its files as text, `write_tree(root, spec)` puts them on
disk and `tree_from_spec(spec)` loads them into a `Tree` in memory, through the same core
loaders `load_tree` uses. The specs every layer shares:

- `small_spec()`: five charts over three planes in dev, staging and prod (render tests);
- `generated_spec(charts, envs)`: big trees (`bench/render.py`);
- `argocd_spec()`: five services in dev, staging (auto-sync) and prod (manual, pinned to
  `PINNED`), projects and namespaces `ananta-<env>` (the Argo CD tests, `bench/status.py`);
- `chart_spec(charts)`: one plane, dev and prod pinning `charts` (the validate tests, which
  write helm-renderable charts into it with `tests.support.charts`).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

if TYPE_CHECKING:
    from gitops_tool.core.model import Tree

PLANES: tuple[tuple[str, int], ...] = (
    ("infrastructure", 10),
    ("control-plane", 20),
    ("app-plane", 30),
)
REPO_URL = "https://git.example.com/platform/gitops.git"
LIBRARY = "common"


@dataclass(frozen=True)
class EnvSpec:
    """One environments/<name>.yaml."""

    name: str
    automated: bool = True
    server: str = "https://kubernetes.default.svc"
    cluster: str = ""  # a cluster name instead of a server URL
    revision: str = "main"
    windows: bool = False
    argocd_namespace: str = "argocd"
    namespace: str = ""  # where the services run; default ns-<name>
    project: str = ""  # the AppProject; default proj-<name>
    domain: str = ""  # the Ingress domain; default *.<name>.example.com
    branch: str = "main"


@dataclass(frozen=True)
class TreeSpec:
    """A repository: charts as (name, plane), environments, planes."""

    charts: tuple[tuple[str, str], ...]
    environments: tuple[EnvSpec, ...]
    planes: tuple[tuple[str, int], ...] = PLANES
    tags: dict[tuple[str, str], str] = field(default_factory=dict)  # (env, chart) -> tag
    repo_url: str = REPO_URL
    promotion: tuple[str, ...] | None = None  # the chain; default: the environments in order
    default_tag: str = "1.0.0"  # the pin of a (env, chart) that `tags` does not name


def generated_spec(charts: int, environments: int) -> TreeSpec:
    """`charts` charts spread over the planes, in `environments` environments."""
    names = tuple(
        (f"svc-{i:05d}", PLANES[i % len(PLANES)][0]) for i in range(charts)
    )
    envs = tuple(
        EnvSpec(
            name=f"env{i:02d}",
            automated=i < environments - 1,
            server=f"https://cluster-{i:02d}.example.com",
            revision="main" if i == 0 else f"{i:040x}"[-40:].replace("0", "a"),
            windows=i == environments - 1,
        )
        for i in range(environments)
    )
    return TreeSpec(charts=names, environments=envs)


def small_spec() -> TreeSpec:
    """Five charts over three planes in dev, staging and prod, shaped like this repository."""
    return TreeSpec(
        charts=(
            ("postgres", "infrastructure"),
            ("redis", "infrastructure"),
            ("tenant-api", "control-plane"),
            ("portal", "app-plane"),
            ("worker", "app-plane"),
        ),
        environments=(
            EnvSpec("dev"),
            EnvSpec("staging", server="https://staging.example.com", revision="c" * 40),
            EnvSpec("prod", automated=False, cluster="prod", revision="d" * 40, windows=True),
        ),
    )


SERVICES = {  # the Argo CD tests' services: service -> plane
    "cert-manager": "infrastructure",
    "ingress": "infrastructure",
    "api": "control-plane",
    "worker": "control-plane",
    "portal": "app-plane",
}
PINNED = "0123456789abcdef0123456789abcdef01234567"  # the commit argocd_spec's prod deploys


def argocd_spec(
    services: Mapping[str, str] | None = None,
    environments: Iterable[str] = ("dev", "staging", "prod"),
) -> TreeSpec:
    """dev and staging (auto-sync, branch main) and prod (manual, the commit PINNED), in
    projects and namespaces ananta-<env>; service -> plane (default SERVICES), each pinned
    to 1.<n>.0, n its place in name order."""
    services = SERVICES if services is None else services
    shapes = {
        "dev": EnvSpec("dev"),
        "staging": EnvSpec("staging"),
        "prod": EnvSpec("prod", automated=False, revision=PINNED),
    }
    envs = tuple(
        replace(shapes[name], namespace=f"ananta-{name}", project=f"ananta-{name}",
                domain=f"*.{name}.test")
        for name in environments
    )
    tags = {(e.name, s): f"1.{i}.0" for e in envs for i, s in enumerate(sorted(services))}
    return TreeSpec(charts=tuple(services.items()), environments=envs, tags=tags,
                    repo_url="https://example.test/gitops.git")


def memory_tree(services: Mapping[str, str]) -> Tree:
    """argocd_spec's dev alone, with these services (service -> plane), loaded in memory."""
    return tree_from_spec(argocd_spec(services, environments=("dev",)))


def chart_spec(charts: Iterable[str]) -> TreeSpec:
    """The validate tests' tree: the app-plane alone, dev and prod (manual sync, project and
    namespace demo-<env>) pinning each of `charts` to 1.2.3."""
    envs = tuple(
        EnvSpec(name, automated=False, namespace=f"demo-{name}", project=f"demo-{name}",
                domain=f"*.{name}.example.org")
        for name in ("dev", "prod")
    )
    return TreeSpec(
        charts=tuple((name, "app-plane") for name in charts),
        environments=envs,
        planes=(("app-plane", 10),),
        repo_url="https://example.org/gitops.git",
        default_tag="1.2.3",
    )


# -- the files --------------------------------------------------------------------------


@functools.cache
def _plain(name: str) -> str:
    """`name` as YAML: bare, unless YAML would read it as something else (`on`, `null`)."""
    return name if yaml.safe_load(name) == name else f'"{name}"'


def settings_text(spec: TreeSpec) -> str:
    planes = "".join(f"  - name: {n}\n    wave: {w}\n" for n, w in spec.planes)
    chain = ", ".join(
        spec.promotion if spec.promotion is not None else (e.name for e in spec.environments)
    )
    return (
        "# fixture settings\n"
        f"planes:\n{planes}"
        f"promotion: [{chain}]\n"
        f"charts: charts\nlibrary: {LIBRARY}\noutput: argocd\n"
    )


def environment_text(spec: TreeSpec, env: EnvSpec) -> str:
    where = f"  name: {env.cluster}\n" if env.cluster else f"  server: {env.server}\n"
    policy = (
        "  automated: true\n  prune: true\n  selfHeal: true\n"
        if env.automated
        else "  automated: false\n"
    )
    if env.windows:
        policy += (
            "  windows:\n    - kind: allow\n      schedule: \"0 9 * * 2-4\"\n"
            "      duration: 6h\n      timeZone: UTC\n      manualSync: false\n"
        )
    pins = "".join(
        f"  {_plain(chart)}:\n    image: \"{spec.tags.get((env.name, chart), spec.default_tag)}\"\n"
        for chart, _ in spec.charts
    )
    return (
        f"destination:\n{where}  namespace: {env.namespace or f'ns-{env.name}'}\n"
        f"domain: \"{env.domain or f'*.{env.name}.example.com'}\"\n"
        f"argocd:\n  namespace: {env.argocd_namespace}\n"
        f"  project: {env.project or f'proj-{env.name}'}\n"
        f"repoURL: {spec.repo_url}\n"
        f"source:\n  branch: {env.branch}\n  revision: {env.revision}\n"
        f"syncPolicy:\n{policy}"
        + (f"releases:\n{pins}" if pins else "releases: {}\n")
    )


def chart_text(name: str, plane: str) -> str:
    return (
        "apiVersion: v2\n"
        f"name: {_plain(name)}\n"
        f"description: The {name} service.\n"
        "type: application\n"
        "version: 0.1.0\n"
        'appVersion: "1.0.0"\n'
        "annotations:\n"
        f"  gitops-tool/plane: {_plain(plane)}\n"
        "dependencies:\n"
        f"  - name: {LIBRARY}\n"
        "    version: 0.1.0\n"
        f"    repository: file://../{LIBRARY}\n"
    )


LIBRARY_CHART = f"apiVersion: v2\nname: {LIBRARY}\ntype: library\nversion: 0.1.0\n"
LIBRARY_NAMES = f'{{{{- define "{LIBRARY}.name" -}}}}{{{{ .Chart.Name }}}}{{{{- end -}}}}\n'

VALUES = """\
# Default values of the chart; values-<env>.yaml overrides them.
image:
  repository: registry.example.com/{name}
  tag: ""            # set by the Application (the release pin)
  pullPolicy: IfNotPresent
replicaCount: 1
autoscaling:
  enabled: false
  minReplicas: 2
  maxReplicas: 5
  targetCPUUtilizationPercentage: 70
service:
  type: ClusterIP
  port: 8080
resources:
  requests:
    cpu: 100m
    memory: 128Mi
  limits:
    memory: 256Mi
env:
  - name: LOG_LEVEL
    value: info
"""


def tree_files(spec: TreeSpec, charts: bool = True) -> dict[str, str]:
    """Every file of the repository `spec` describes: repository-relative path -> text.

    `charts=False` leaves out the service charts' folders (the environments still pin them):
    for tests that write their own charts into the tree.
    """
    files = {"gitops-tool.yaml": settings_text(spec)}
    for env in spec.environments:
        files[f"environments/{env.name}.yaml"] = environment_text(spec, env)
    files[f"charts/{LIBRARY}/Chart.yaml"] = LIBRARY_CHART
    files[f"charts/{LIBRARY}/templates/_names.tpl"] = LIBRARY_NAMES
    for name, plane in spec.charts if charts else ():
        files[f"charts/{name}/Chart.yaml"] = chart_text(name, plane)
        files[f"charts/{name}/values.yaml"] = VALUES.format(name=name)
        for env in spec.environments:
            files[f"charts/{name}/values-{env.name}.yaml"] = (
                f"# {env.name} overrides\nreplicaCount: 2\ningress:\n  host: {name}.{env.name}\n"
            )
    return files


def write_tree(root: Path, spec: TreeSpec, charts: bool = True) -> Path:
    """Write the repository described by `spec` under `root` (created if needed); with
    `charts=False`, all but the service charts' folders."""
    root.mkdir(parents=True, exist_ok=True)
    made = {root}
    for rel, text in tree_files(spec, charts).items():
        path = root / rel
        if path.parent not in made:
            path.parent.mkdir(parents=True, exist_ok=True)
            made.add(path.parent)
        path.write_text(text)
    return root


def tree_from_spec(spec: TreeSpec) -> Tree:
    """The Tree `load_tree(write_tree(root, spec))` gives, built in memory: the same texts
    through the same core loaders, in the order the spec lists them (no disk, no sorting)."""
    from gitops_tool.core.load.charts import service_from
    from gitops_tool.core.load.environments import environment_from
    from gitops_tool.core.load.settings import settings_from
    from gitops_tool.core.load.tree import tree_from
    from gitops_tool.core.yamldoc import check_yaml

    files = tree_files(spec)
    settings = settings_from(files["gitops-tool.yaml"])
    environments = [
        environment_from(e.name, files[source], source)
        for e in spec.environments
        for source in [f"environments/{e.name}.yaml"]
    ]
    services, chart_files = [], {}
    for name, _ in spec.charts:
        folder = f"charts/{name}/"
        inside = {p.removeprefix(folder): t for p, t in files.items() if p.startswith(folder)}
        services.append(service_from(name, inside["Chart.yaml"], f"{folder}Chart.yaml", settings))
        for file, text in inside.items():
            if file.startswith("values"):
                check_yaml(text, f"{folder}{file}")
        chart_files[name] = sorted(inside)
    return tree_from(settings, environments, services, chart_files)


def pin_line(root: Path, environment: str, service: str) -> int:
    """The 1-based line of `releases.<service>` in environments/<environment>.yaml."""
    lines = (root / "environments" / f"{environment}.yaml").read_text().splitlines()
    start = lines.index("releases:")
    return next(i for i, line in enumerate(lines[start:], start + 1)
                if line.strip().strip('"') in (f"{service}:", f'{service}":'))
