"""Small GitOps trees for the Argo CD tests, and the fake Applications that match them.

`write_tree` writes gitops-tool.yaml, environments/ and minimal charts into a folder;
`populate` fills a FakeArgo with the Applications render would create for one
environment (names, labels, sync-wave annotation, image.tag parameter, revision).
"""

from __future__ import annotations

from pathlib import Path

from gitops_tool.core import names
from gitops_tool.core.model import (
    Environment,
    Plane,
    Release,
    Service,
    Settings,
    SyncPolicy,
    Tree,
)
from gitops_tool.core.names import ROOT_PROJECT, application_name, root_application_name
from tests.support.fakeargo import FakeArgo

SERVICES = {  # service -> plane
    "cert-manager": "infrastructure",
    "ingress": "infrastructure",
    "api": "control-plane",
    "worker": "control-plane",
    "portal": "app-plane",
}
PLANES = (("infrastructure", 10), ("control-plane", 20), ("app-plane", 30))
PINNED = "0123456789abcdef0123456789abcdef01234567"


def memory_tree(services: dict[str, str], automated: bool = True) -> Tree:
    """A one-environment (dev) Tree built in memory: service -> plane, each pinned to 1.<n>."""
    waves = dict(PLANES)
    svcs = tuple(sorted((Service(n, p, f"charts/{n}") for n, p in services.items()),
                        key=lambda s: (waves[s.plane], s.name)))
    env = Environment(
        name="dev", source="environments/dev.yaml", namespace="ananta-dev", domain="*.x.test",
        project="ananta-dev", argocd_namespace="argocd",
        repo_url="https://example.test/gitops.git", branch="main", revision="main",
        sync_policy=SyncPolicy(automated=automated),
        releases={n: Release(n, f"1.{i}") for i, n in enumerate(services)},
    )
    planes = tuple(Plane(name, wave) for name, wave in PLANES)
    return Tree(Settings(planes=planes, promotion=("dev",)), svcs, (env,))


def _env_file(name: str, automated: bool, revision: str, services: dict[str, str]) -> str:
    policy = "  automated: true\n  prune: true\n  selfHeal: true\n" if automated else \
        "  automated: false\n"
    pins = "".join(f"  {s}:\n    image: \"1.{i}.0\"\n" for i, s in enumerate(sorted(services)))
    return (
        f"destination:\n  server: https://kubernetes.default.svc\n  namespace: ananta-{name}\n"
        f"domain: \"*.{name}.test\"\n"
        f"argocd:\n  namespace: argocd\n  project: ananta-{name}\n"
        "repoURL: https://example.test/gitops.git\n"
        f"source:\n  branch: main\n  revision: {revision}\n"
        f"syncPolicy:\n{policy}"
        f"releases:\n{pins}"
    )


def write_tree(root: Path, services: dict[str, str] | None = None,
               prod_revision: str = PINNED) -> Path:
    """dev and staging (auto-sync, branch main) and prod (manual, a pinned commit)."""
    services = SERVICES if services is None else services
    root.mkdir(parents=True, exist_ok=True)
    planes = "".join(f"  - name: {p}\n    wave: {w}\n" for p, w in PLANES)
    (root / "gitops-tool.yaml").write_text(
        f"planes:\n{planes}promotion: [dev, staging, prod]\n"
        "charts: charts\nlibrary: common\noutput: argocd\n"
    )
    envs = root / "environments"
    envs.mkdir(exist_ok=True)
    for name, automated, revision in (("dev", True, "main"), ("staging", True, "main"),
                                      ("prod", False, prod_revision)):
        (envs / f"{name}.yaml").write_text(_env_file(name, automated, revision, services))
    for service, plane in services.items():
        chart = root / "charts" / service
        chart.mkdir(parents=True, exist_ok=True)
        (chart / "Chart.yaml").write_text(
            f"apiVersion: v2\nname: {service}\nversion: 0.1.0\n"
            f"annotations:\n  {names.CHART_PLANE_ANNOTATION}: {plane}\n"
        )
        for values in ("values.yaml", "values-dev.yaml", "values-staging.yaml",
                       "values-prod.yaml"):
            (chart / values).write_text("{}\n")
    library = root / "charts" / "common"
    library.mkdir(exist_ok=True)
    (library / "Chart.yaml").write_text(
        "apiVersion: v2\nname: common\nversion: 0.1.0\ntype: library\n"
    )
    return root


def populate(fake: FakeArgo, tree: Tree, env_name: str, *, synced: bool = True,
             skip: tuple[str, ...] = ()) -> None:
    """The root Application and one Application per service of `env_name`, as rendered."""
    env = tree.environment(env_name)
    assert env is not None
    waves = {p.name: p.wave for p in tree.settings.planes}
    fake.add_project(ROOT_PROJECT)
    fake.add_project(env.project)
    labels = {names.LABEL_MANAGED_BY: names.MANAGED_BY, names.LABEL_ENVIRONMENT: env.name}
    fake.add_app(root_application_name(env.name), ROOT_PROJECT, synced=synced,
                 labels=dict(labels), target_revision=env.branch,
                 automated=env.sync_policy.automated, path=f"argocd/{env.name}/applications")
    for svc in tree.services:
        if svc.name in skip:
            continue
        fake.add_app(
            application_name(env.name, svc.name), env.project, synced=synced,
            labels={**labels, names.LABEL_PLANE: svc.plane, names.LABEL_CHART: svc.name},
            annotations={names.ANNOTATION_SYNC_WAVE: str(waves[svc.plane])},
            target_revision=env.revision, automated=env.sync_policy.automated,
            image_tag=env.releases[svc.name].image_tag, path=svc.path,
        )
