"""What promotion moves in an environment: its versions.

The versions of an environment are the revision its charts are deployed from
(`source.revision`) and its release pins: each service's image tag and, for a service
promoted on its own, the commit its chart is deployed from. Nothing else of the
environment (values, replicas, domain, sync policy, windows) ever moves.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from gitops_tool.core.model import Environment, Release
from gitops_tool.core.yamldoc import parse_yaml


@dataclass(frozen=True, slots=True)
class Pin:
    """One service's release pin: its image tag and its own chart commit ("" for none)."""

    image: str
    revision: str = ""


@dataclass(frozen=True, slots=True)
class Versions:
    """An environment's revision and pins (service -> Pin)."""

    revision: str
    pins: Mapping[str, Pin] = field(default_factory=dict)

    def revision_of(self, service: str) -> str:
        """The commit (or branch) `service`'s chart is deployed from."""
        pin = self.pins.get(service)
        return (pin.revision if pin is not None else "") or self.revision


def versions_of(env: Environment) -> Versions:
    """The versions of a loaded (checked) environment."""
    return Versions(
        env.revision,
        {name: Pin(r.image_tag, r.revision) for name, r in sorted(env.releases.items())},
    )


def versions_from_data(data: Any) -> Versions | None:
    """The versions in a parsed environment file, leniently (an old commit's file may not
    match today's schema): None when it holds no `source.revision` string; pins without an
    image are left out."""
    if not isinstance(data, Mapping):
        return None
    source = data.get("source")
    revision = source.get("revision") if isinstance(source, Mapping) else None
    if not isinstance(revision, str):
        return None
    pins: dict[str, Pin] = {}
    releases = data.get("releases")
    for name, pin in (releases.items() if isinstance(releases, Mapping) else ()):
        if isinstance(pin, Mapping) and isinstance(pin.get("image"), str):
            own = pin.get("revision")
            pins[str(name)] = Pin(pin["image"], own if isinstance(own, str) else "")
    return Versions(revision, dict(sorted(pins.items())))


def versions_in(data: bytes, source: str) -> Versions | None:
    """The versions in an environment file's bytes (as a commit holds them), leniently as
    `versions_from_data` reads them; InputError naming `source` when it is not YAML."""
    return versions_from_data(parse_yaml(data.decode("utf-8", "replace"), source))


def with_pins(env: Environment, versions: Versions) -> Environment:
    """`env` with the release pins of `versions` (read from another commit of its file):
    only for the services `env` pins; one `versions` does not pin is left out (it does not
    run there)."""
    releases = {
        name: Release(name, pin.image, env.releases[name].line, pin.revision)
        for name, pin in versions.pins.items()
        if name in env.releases
    }
    return replace(env, releases=releases)
