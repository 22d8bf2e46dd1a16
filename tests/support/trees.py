"""Fixture trees: a whole GitOps repository (settings, environments, charts) in a folder.

Used by the render tests (unit, CLI, integration), the property test and
`bench/render.py`, so that every one of them runs on inputs of a known shape
without needing this repository's charts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

PLANES: tuple[tuple[str, int], ...] = (
    ("infrastructure", 10),
    ("control-plane", 20),
    ("app-plane", 30),
)
REPO_URL = "https://git.example.com/platform/gitops.git"


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


@dataclass(frozen=True)
class TreeSpec:
    """A repository: charts as (name, plane), environments, planes."""

    charts: tuple[tuple[str, str], ...]
    environments: tuple[EnvSpec, ...]
    planes: tuple[tuple[str, int], ...] = PLANES
    tags: dict[tuple[str, str], str] = field(default_factory=dict)  # (env, chart) -> tag


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


def settings_text(spec: TreeSpec) -> str:
    planes = "".join(f"  - name: {n}\n    wave: {w}\n" for n, w in spec.planes)
    chain = ", ".join(e.name for e in spec.environments)
    return (
        "# fixture settings\n"
        f"planes:\n{planes}"
        f"promotion: [{chain}]\n"
        "charts: charts\nlibrary: common\noutput: argocd\n"
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
        f"  {chart}:\n    image: \"{spec.tags.get((env.name, chart), '1.0.0')}\"\n"
        for chart, _ in spec.charts
    )
    return (
        f"destination:\n{where}  namespace: ns-{env.name}\n"
        f"domain: \"*.{env.name}.example.com\"\n"
        f"argocd:\n  namespace: {env.argocd_namespace}\n  project: proj-{env.name}\n"
        f"repoURL: {REPO_URL}\n"
        f"source:\n  branch: main\n  revision: {env.revision}\n"
        f"syncPolicy:\n{policy}"
        + (f"releases:\n{pins}" if pins else "releases: {}\n")
    )


def chart_text(name: str, plane: str) -> str:
    return (
        "apiVersion: v2\n"
        f"name: {name}\n"
        f"description: The {name} service.\n"
        "type: application\n"
        "version: 0.1.0\n"
        'appVersion: "1.0.0"\n'
        "annotations:\n"
        f"  gitops-tool/plane: {plane}\n"
        "dependencies:\n"
        "  - name: common\n"
        "    version: 0.1.0\n"
        "    repository: file://../common\n"
    )


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


def write_tree(root: Path, spec: TreeSpec) -> Path:
    """Write the repository described by `spec` under `root` (created if needed)."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "gitops-tool.yaml").write_text(settings_text(spec))
    envs = root / "environments"
    envs.mkdir(exist_ok=True)
    for env in spec.environments:
        (envs / f"{env.name}.yaml").write_text(environment_text(spec, env))
    charts = root / "charts"
    library = charts / "common"
    library.mkdir(parents=True, exist_ok=True)
    (library / "Chart.yaml").write_text(
        "apiVersion: v2\nname: common\ntype: library\nversion: 0.1.0\n"
    )
    for name, plane in spec.charts:
        folder = charts / name
        folder.mkdir(exist_ok=True)
        (folder / "Chart.yaml").write_text(chart_text(name, plane))
        (folder / "values.yaml").write_text(VALUES.format(name=name))
        for env in spec.environments:
            (folder / f"values-{env.name}.yaml").write_text(
                f"# {env.name} overrides\nreplicaCount: 2\ningress:\n  host: {name}.{env.name}\n"
            )
    return root
