"""The promotion plan: TARGET's versions made SOURCE's, as changes to single values.

A full promotion sets TARGET's `source.revision` to the commit SOURCE runs and every pin
(image and own revision) to SOURCE's. A promotion of some services moves only their pins,
each with the commit its chart runs in SOURCE, so that a chart moves with its image. A
pin's own revision equal to its environment's is never written.

The plan is a list of `Change`s, each one value of the file (`old` -> `new`, None for an
absent key). Re-applied on a newer commit of the file (`rebase_changes`), a change whose
value someone else moved in between is a conflict, never merged.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from gitops_tool.core.promote.versions import Pin, Versions

REVISION = ("source", "revision")


@dataclass(frozen=True, slots=True)
class Change:
    """One value of an environment file: `path` such as ("releases", "api", "image");
    None as `old` or `new` means the key is absent (it is added or removed)."""

    path: tuple[str, ...]
    old: str | None
    new: str | None

    @property
    def key(self) -> str:
        return ".".join(self.path)


@dataclass(frozen=True, slots=True)
class ServiceMove:
    """What moves for one service: image tag and the revision its chart is deployed from."""

    service: str
    old_image: str
    new_image: str
    old_revision: str
    new_revision: str

    @property
    def image_moves(self) -> bool:
        return self.old_image != self.new_image

    @property
    def revision_moves(self) -> bool:
        return self.old_revision != self.new_revision


@dataclass(frozen=True, slots=True)
class Conflict:
    """A value someone else moved: we expected `ours.old` and found `theirs`."""

    ours: Change
    theirs: str | None


def promoted_versions(
    source: Versions,
    source_commit: str,
    target: Versions,
    services: Sequence[str] = (),
) -> Versions:
    """TARGET's versions after promoting SOURCE (which runs `source_commit` where it tracks a
    branch) into it: everything, or only `services`."""
    chosen = list(services) or sorted(source.pins)

    def runs(service: str) -> str:  # the commit `service`'s chart runs in SOURCE
        own = source.pins[service].revision if service in source.pins else ""
        return own or source_commit

    revision = target.revision if services else source_commit
    pins = dict(target.pins)
    for service in chosen:
        own = runs(service)
        pins[service] = Pin(source.pins[service].image, "" if own == revision else own)
    return Versions(revision, dict(sorted(pins.items())))


def normalized(versions: Versions) -> Versions:
    """`versions` without a pin revision equal to the environment's (never written)."""
    pins = {
        name: Pin(pin.image, "" if pin.revision == versions.revision else pin.revision)
        for name, pin in sorted(versions.pins.items())
    }
    return Versions(versions.revision, pins)


def _values(versions: Versions) -> dict[tuple[str, ...], str | None]:
    values: dict[tuple[str, ...], str | None] = {REVISION: versions.revision}
    for name, pin in versions.pins.items():
        values[("releases", name, "image")] = pin.image
        values[("releases", name, "revision")] = pin.revision or None
    return values


def changes_between(current: Versions, wanted: Versions) -> tuple[Change, ...]:
    """The values to change to turn `current` into `wanted` (services of `wanted` only)."""
    now, then = _values(current), _values(wanted)
    return tuple(
        Change(path, now.get(path), value)
        for path, value in then.items()
        if now.get(path) != value
    )


def moves_between(current: Versions, wanted: Versions) -> tuple[ServiceMove, ...]:
    """Per service of `wanted`, what moves (only services where something does)."""
    moves = []
    for name, pin in sorted(wanted.pins.items()):
        old = current.pins.get(name)
        move = ServiceMove(
            service=name,
            old_image=old.image if old is not None else "",
            new_image=pin.image,
            old_revision=current.revision_of(name),
            new_revision=wanted.revision_of(name),
        )
        if move.image_moves or move.revision_moves:
            moves.append(move)
    return tuple(moves)


def apply_changes(current: Versions, changes: Sequence[Change]) -> Versions:
    """`current` with `changes` applied (their `old` values are not checked here)."""
    revision = current.revision
    pins = dict(current.pins)
    for change in changes:
        if change.path == REVISION:
            revision = change.new or revision
            continue
        _, name, key = change.path
        pin = pins.get(name, Pin(""))
        if key == "image":
            pins[name] = Pin(change.new or "", pin.revision)
        else:
            pins[name] = Pin(pin.image, change.new or "")
    return Versions(revision, pins)


def rebase_changes(
    changes: Sequence[Change], current: Versions
) -> tuple[tuple[Change, ...], tuple[Conflict, ...]]:
    """Our `changes`, re-applied to `current` (a newer commit of the file): those still to
    make (`old` as `current` has it), and the conflicts (a value moved to something else
    than ours). A value already at ours needs nothing."""
    values = _values(current)
    todo: list[Change] = []
    conflicts: list[Conflict] = []
    for change in changes:
        if change.path[0] == "releases" and change.path[1] not in current.pins:
            conflicts.append(Conflict(change, None))
            continue
        now = values.get(change.path)
        if now == change.new:
            continue
        if now == change.old:
            todo.append(change)
        else:
            conflicts.append(Conflict(change, now))
    return tuple(todo), tuple(conflicts)


def subject_counts(moves: Sequence[ServiceMove], current: Versions, wanted: Versions
                   ) -> tuple[int, bool]:
    """(services whose image or own revision moves, whether the environment's revision
    moves): what a commit subject counts."""
    own = sum(
        1
        for m in moves
        if m.image_moves
        or current.pins.get(m.service, Pin("")).revision
        != wanted.pins.get(m.service, Pin("")).revision
    )
    return own, current.revision != wanted.revision


def restored_versions(
    current: Versions, then: Versions
) -> tuple[Versions, tuple[str, ...], tuple[str, ...]]:
    """`current` with the revision and pins of `then` (a rollback): the versions, the
    services `then` has no pin for (kept as they are) and those only `then` has (ignored).
    A kept service keeps the commit its chart runs too: one that followed the environment's
    revision gets that revision as its own, since the environment's moves back (to a
    commit that may not have its chart)."""
    pins = {name: Pin(pin.image, pin.revision or current.revision)
            for name, pin in current.pins.items()}
    for name in current.pins:
        if name in then.pins:
            pins[name] = then.pins[name]
    kept = tuple(sorted(n for n in current.pins if n not in then.pins))
    gone = tuple(sorted(n for n in then.pins if n not in current.pins))
    return normalized(Versions(then.revision, pins)), kept, gone
