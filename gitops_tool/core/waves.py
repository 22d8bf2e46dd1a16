"""Waves: the planes in rollout order, each with its services. Defined once, used by
render (sync-wave annotations, RollingSync steps) and sync (the order it syncs in)."""

from __future__ import annotations

from dataclasses import dataclass

from gitops_tool.core.model import Service, Tree


@dataclass(frozen=True, slots=True)
class PlaneWave:
    """The services of one plane and the sync wave they share."""

    plane: str
    wave: int
    services: tuple[Service, ...]


def waves_of(tree: Tree) -> tuple[PlaneWave, ...]:
    """Every plane with its services (sorted by name), in wave order (lowest first)."""
    return tuple(
        PlaneWave(p.name, p.wave, tuple(s for s in tree.services if s.plane == p.name))
        for p in sorted(tree.settings.planes, key=lambda p: p.wave)
    )
