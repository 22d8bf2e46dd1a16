"""The vocabulary of gitops-tool as plain, immutable data.

service: one chart; environment: dev/staging/prod; plane: infrastructure,
control-plane, app-plane; wave: a plane's place in the rollout; release pin:
the image tag (and, per service, the chart's commit) promotion moves.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Plane:
    """A group of services rolled out together; lower waves go first."""

    name: str
    wave: int


@dataclass(frozen=True, slots=True)
class Service:
    """One Helm chart under the charts folder."""

    name: str
    plane: str
    path: str  # repository-relative, e.g. "charts/admin-app"
    version: str = ""
    app_version: str = ""
    waivers: tuple[tuple[str, str], ...] = ()  # (rule id, reason) from Chart.yaml annotations


@dataclass(frozen=True, slots=True)
class Release:
    """The pin promotion moves for one service in one environment."""

    service: str
    image_tag: str
    line: int | None = field(default=None, compare=False)  # where the file writes the pin
    # The commit this service's chart is deployed from, when it differs from the
    # environment's `source.revision` (a per-service promotion); "" for the environment's.
    revision: str = ""

    def revision_in(self, env: Environment) -> str:
        """The revision this service deploys in `env`: its own commit, or the environment's."""
        return self.revision or env.revision


@dataclass(frozen=True, slots=True)
class SyncWindow:
    """An Argo CD sync window on the environment's AppProject."""

    kind: str  # allow | deny
    schedule: str  # cron
    duration: str  # e.g. 8h
    manual_sync: bool = False
    time_zone: str = "UTC"


@dataclass(frozen=True, slots=True)
class SyncPolicy:
    """How Argo CD syncs the environment's Applications."""

    automated: bool
    prune: bool = False
    self_heal: bool = False
    windows: tuple[SyncWindow, ...] = ()


@dataclass(frozen=True, slots=True)
class Environment:
    """One environment file under environments/."""

    name: str
    source: str  # the file it was read from, for messages
    namespace: str
    domain: str
    project: str
    argocd_namespace: str
    repo_url: str
    branch: str  # the root Application always tracks this branch
    revision: str  # what the services deploy: the branch or a pinned commit
    sync_policy: SyncPolicy
    server: str = ""  # destination cluster by URL ...
    cluster: str = ""  # ... or by name
    releases: dict[str, Release] = field(default_factory=dict)
    releases_line: int | None = field(default=None, compare=False)  # where `releases:` is

    @property
    def pinned(self) -> bool:
        """True when the services deploy an exact commit rather than a branch."""
        return is_commit(self.revision)


@dataclass(frozen=True, slots=True)
class Settings:
    """What is declared once for the whole repository (gitops-tool.yaml)."""

    planes: tuple[Plane, ...]
    promotion: tuple[str, ...]
    charts_dir: str = "charts"
    library: str = "common"
    output_dir: str = "argocd"

    def plane(self, name: str) -> Plane | None:
        return next((p for p in self.planes if p.name == name), None)


@dataclass(frozen=True, slots=True)
class Tree:
    """Everything render needs, checked for consistency."""

    settings: Settings
    services: tuple[Service, ...]  # sorted by (wave, name)
    environments: tuple[Environment, ...]  # in promotion order

    def environment(self, name: str) -> Environment | None:
        return next((e for e in self.environments if e.name == name), None)

    def service(self, name: str) -> Service | None:
        return next((s for s in self.services if s.name == name), None)


def is_commit(revision: str) -> bool:
    """A full 40-hex-digit git commit SHA."""
    return len(revision) == 40 and all(c in "0123456789abcdef" for c in revision)
