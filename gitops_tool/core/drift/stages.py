"""Environment drift: pins that differ between consecutive stages of the promotion chain,
and since when the later stage has been behind.

Pure. A pin is one value promotion moves, keyed by (service, field): each service's image
tag, and the commit its chart is deployed from (its release pin's own `revision`, else the
environment's `source.revision`) when that is a commit. So a stage whose `source.revision`
lags is reported once per service it holds back, and a service promoted on its own (a pin
revision) is compared like any other. The date a stage has been behind is when the earlier
stage got the value the later lacks: the oldest commit of an unbroken run, newest first, of
versions of the earlier stage's file that hold that value (`arrivals`, over the versions
the git adapter reads).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from typing import Any

from gitops_tool.core.drift.findings import ENVIRONMENT, KIND_BEHIND, Finding
from gitops_tool.core.model import Environment, Tree, is_commit
from gitops_tool.core.names import application_name
from gitops_tool.core.yamldoc import load_plain
from gitops_tool.errors import InputError

IMAGE, REVISION = "image", "revision"
PinKey = tuple[str, str]  # (service, IMAGE | REVISION)
LABELS = {IMAGE: "image", REVISION: "chart revision"}  # how a message names the field
NOT_COMMITTED = "not committed yet"
DEFAULT_MAX_LAG = timedelta(days=7)
_DURATION = re.compile(r"^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$")


def parse_duration(text: str) -> timedelta:
    """`7d`, `36h`, `90m`, `45s`, or a sum such as `1d12h`."""
    match = _DURATION.match(text.strip())
    if not text.strip() or not match:
        raise InputError(
            f"--max-lag {text!r}: not a duration",
            hint="write days, hours, minutes or seconds: 7d, 36h, 90m, 1d12h",
        )
    days, hours, minutes, seconds = (int(g or 0) for g in match.groups())
    try:
        return timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)
    except OverflowError:
        raise InputError(
            f"--max-lag {text!r}: longer than any date can be apart",
            hint="a lag is days or weeks: 7d, 14d, 36h",
        ) from None


def format_duration(delta: timedelta) -> str:
    """`3d 4h`, `5h 12m`, `45m`, `30s`: the two largest units."""
    total = max(0, int(delta.total_seconds()))
    units = (("d", 86400), ("h", 3600), ("m", 60), ("s", 1))
    parts = []
    for unit, size in units:
        if total >= size or (unit == "s" and not parts):
            parts.append(f"{total // size}{unit}")
            total %= size
        if len(parts) == 2:
            break
    return " ".join(p for p in parts if not p.startswith("0") or len(parts) == 1)


def stamp(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# -- pins -------------------------------------------------------------------------------


def pins_of(env: Environment) -> dict[PinKey, str]:
    """The values promotion moves in `env`, per service: its image tag, and the commit its
    chart is deployed from when that is a commit (a branch cannot be compared)."""
    pins: dict[PinKey, str] = {}
    for service, release in env.releases.items():
        pins[(service, IMAGE)] = release.image_tag
        if is_commit(revision := release.revision_in(env)):
            pins[(service, REVISION)] = revision
    return pins


def pins_in(text: str | None) -> dict[PinKey, str] | None:
    """The same values read leniently from one version of an environment file (an old
    version need not pass today's checks); None when it is past the YAML bounds (an alias
    bomb, say), which says nothing of its pins."""
    if text is None:
        return {}
    try:  # bounded as every load is: an old version may be an alias bomb, or huge
        data = load_plain(text, "an earlier version of an environment file")
    except InputError:
        return None
    if not isinstance(data, dict):
        return {}
    source = data.get("source")
    shared = str(source.get("revision") or "") if isinstance(source, dict) else ""
    releases = data.get("releases")
    pins: dict[PinKey, str] = {}
    for service, pin in releases.items() if isinstance(releases, dict) else ():
        if not isinstance(pin, dict):
            continue
        if pin.get("image") is not None:
            pins[(str(service), IMAGE)] = str(pin["image"])
        revision = str(pin["revision"]) if pin.get("revision") is not None else shared
        if is_commit(revision):
            pins[(str(service), REVISION)] = revision
    return pins


@dataclass(frozen=True, slots=True)
class Gap:
    """A pin the later stage lacks: it holds another value than the earlier stage."""

    earlier: str
    later: str
    key: PinKey
    earlier_value: str
    later_value: str
    later_file: str
    line: int | None  # of the later stage's pin, when known


def stage_pairs(tree: Tree, later_stages: Sequence[str]) -> tuple[tuple[str, str], ...]:
    """(earlier, later) for each stage in `later_stages` that has a stage before it in the
    promotion chain, in chain order: what environment drift compares."""
    names = {e.name for e in tree.environments}
    chain = [name for name in tree.settings.promotion if name in names]
    return tuple(pair for pair in pairwise(chain) if pair[1] in later_stages)


def stage_gaps(tree: Tree, later_stages: Sequence[str]) -> tuple[Gap, ...]:
    """Every pin that differs between a stage in `later_stages` and the stage before it in
    the promotion chain, per service. A service's chart revision is compared only when it
    is a commit in both stages."""
    by_name = {e.name: e for e in tree.environments}
    gaps = []
    for earlier, later in stage_pairs(tree, later_stages):
        before, after = by_name[earlier], by_name[later]
        have, lack = pins_of(before), pins_of(after)
        for key in sorted(have.keys() & lack.keys(), key=_order(tree)):
            if have[key] != lack[key]:
                release = after.releases.get(key[0])
                gaps.append(Gap(earlier, later, key, have[key], lack[key], after.source,
                                release.line if release else None))
    return tuple(gaps)


def _order(tree: Tree) -> Any:
    rank = {s.name: i for i, s in enumerate(tree.services)}
    return lambda key: (rank.get(key[0], len(rank)), key[0], key[1] != IMAGE)


# -- history ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FileVersion:
    """One committed version of a file, newest first as the git adapter yields them."""

    commit: str
    committed_at: datetime
    text: str | None  # None: the file did not exist in that commit
    cut: bool = False  # the oldest commit a shallow clone holds: older history is unknown
    unread: bool = False  # past the size bound: not read (its text is None then)


@dataclass(frozen=True, slots=True)
class Arrival:
    """When a file got a value: `since` is the commit date (at or before it when not
    `exact`), or None with `why`."""

    since: datetime | None
    commit: str = ""
    exact: bool = True
    why: str = ""


def arrivals(wanted: Mapping[PinKey, str],
             versions: Iterable[FileVersion]) -> dict[PinKey, Arrival]:
    """When each wanted value arrived in the file whose `versions` (newest first) are
    given. Reads only as many versions as it needs. A version that cannot be read (past the
    YAML bounds) is stepped over, and an arrival found beyond one is marked not exact."""
    open_keys: dict[PinKey, FileVersion | None] = dict.fromkeys(wanted)
    done: dict[PinKey, Arrival] = {}
    newest = True
    last: FileVersion | None = None
    skipped = False  # a version was not read: what it held is unknown
    for version in versions:
        last = version
        pins = None if version.unread else pins_in(version.text)
        if pins is None:
            skipped = True
            continue
        for key in list(open_keys):
            if pins.get(key) == wanted[key]:
                open_keys[key] = version
                continue
            seen = open_keys.pop(key)
            if seen is None:  # not even the newest commit holds it
                done[key] = Arrival(None, why=NOT_COMMITTED if newest else "")
            else:
                done[key] = Arrival(seen.committed_at, seen.commit, exact=not skipped)
        newest = False
        if not open_keys:
            break
    for key, seen in open_keys.items():
        if seen is None:  # no version at all
            done[key] = Arrival(None, why="the file has no committed version")
        else:  # held since the oldest version there is
            done[key] = Arrival(seen.committed_at, seen.commit,
                                exact=not skipped and not (last is not None and last.cut))
    return done


def _shown(value: str) -> str:
    """A commit cut to 12 characters (the finding keeps it whole); a tag as it is."""
    return value[:12] if is_commit(value) else value


def environment_findings(gaps: Sequence[Gap], arrived: Mapping[str, Mapping[PinKey, Arrival]],
                         now: datetime, max_lag: timedelta) -> tuple[Finding, ...]:
    """One finding per gap. It counts as drift when the later stage has been behind for
    longer than `max_lag`, or when that cannot be told (no or shallow history)."""
    found = []
    for gap in gaps:
        arrival = arrived.get(gap.earlier, {}).get(gap.key) or Arrival(None, why="unknown")
        service, field = gap.key
        head = (f"{service} {LABELS[field]}: {gap.later} has {_shown(gap.later_value)}, "
                f"{gap.earlier} has {_shown(gap.earlier_value)}")
        limit = f"--max-lag {format_duration(max_lag)}"
        if arrival.since is not None:
            lag = now - arrival.since
            drift = lag > max_lag
            when = stamp(arrival.since)
            if arrival.exact:
                tail = f"since {when} ({format_duration(lag)} behind"
                tail += f", more than {limit})" if drift else ")"
            else:
                tail = (f"since {when} or earlier (the clone's history is shallow; at least "
                        f"{format_duration(lag)} behind")
                drift = True  # at least lag: beyond the limit, or not known to be within it
                tail += f", more than {limit})" if lag > max_lag else \
                    "; fetch the full history to tell: fetch-depth: 0)"
        elif arrival.why == NOT_COMMITTED:
            drift, tail = False, f"({gap.earlier}'s value is {NOT_COMMITTED})"
        else:
            why = arrival.why or "unknown"
            drift, tail = True, f"(since when is unknown: {why})"
        found.append(Finding(
            kind=KIND_BEHIND, part=ENVIRONMENT, environment=gap.later,
            app=application_name(gap.later, service),
            file=gap.later_file, line=gap.line, message=f"{head} {tail}", drift=drift,
            since=arrival.since, expected=gap.earlier_value, actual=gap.later_value))
    return tuple(found)
