"""What differs inside an OutOfSync Application: a diff per modified resource, Secrets masked.

Pure: reads the items of Argo CD's managed-resources answer (`v1alpha1ResourceDiff`) and
diffs `normalizedLiveState` (what runs) against `predictedLiveState` (what a sync would
leave), for the resources marked `modified`; a side that is JSON null (the resource is not
there yet, or a sync would prune it) is an absent object, so the diff adds or removes the
whole of the other side. Secret values are never shown: Argo CD masks
them, and this masks them again, whatever the server sent, the way Argo CD does (the same
value the same run of `+`, a different value a different run), so a changed key still shows
as changed. A Secret's last-applied-configuration annotation, which may hold its data, is
masked too.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import yaml

from gitops_tool.core.yamldoc import MAX_DEPTH

LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"
SECRET_FIELDS = ("data", "stringData")
MASK_MIN = 8  # the shortest mask; each other value of the Secret gets one more `+`
NOT_SHOWN = "(not shown: not a JSON object)"


@dataclass(frozen=True, slots=True)
class ResourceDiff:
    """One modified resource and its diff, live (-) to desired (+)."""

    group: str
    kind: str
    namespace: str
    name: str
    diff: str

    @property
    def label(self) -> str:
        kind = f"{self.kind}.{self.group}" if self.group else self.kind
        where = f"{self.namespace}/" if self.namespace else ""
        return f"{kind} {where}{self.name}"


def _state(text: Any) -> dict | None:
    """One side's state: the object; {} when the resource is absent on that side (no text,
    or JSON null, which Argo CD sends for a resource missing live or no longer desired);
    None when it is something else, which is not shown."""
    if not isinstance(text, str) or not text.strip():
        return {}
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):  # RecursionError: nested past what json reads
        return None
    if data is None:
        return {}
    if not isinstance(data, dict) or _deeper_than(data, MAX_DEPTH):
        return None  # a state nested past YAML's bounds is not shown (nor dumped)
    return data


def _deeper_than(data: Any, limit: int) -> bool:
    """Whether `data` nests dicts and lists more than `limit` levels (walked level by
    level, without recursion)."""
    level, depth = [data], 0
    while level:
        depth += 1
        if depth > limit:
            return True
        below: list[Any] = []
        for item in level:
            if isinstance(item, dict):
                below += [v for v in item.values() if isinstance(v, (dict, list))]
            elif isinstance(item, list):
                below += [v for v in item if isinstance(v, (dict, list))]
        level = below
    return False


def is_secret(group: str, kind: str) -> bool:
    return kind == "Secret" and group in ("", "v1", "core")


def _mask_secrets(live: dict, desired: dict) -> tuple[dict, dict]:
    """Both states with every Secret value replaced by a run of `+`: one length per
    distinct value across both sides."""
    values: list[str] = []
    for state in (live, desired):
        for key in SECRET_FIELDS:
            section = state.get(key)
            if isinstance(section, Mapping):
                values += [json.dumps(v, sort_keys=True) for v in section.values()]
    masks = {v: "+" * (MASK_MIN + i) for i, v in enumerate(dict.fromkeys(values))}

    def masked(state: dict) -> dict:
        out = dict(state)
        for key in SECRET_FIELDS:
            section = out.get(key)
            if isinstance(section, Mapping):
                out[key] = {str(k): masks[json.dumps(v, sort_keys=True)]
                            for k, v in section.items()}
            elif section is not None:
                out[key] = "+" * MASK_MIN
        meta = out.get("metadata")
        if isinstance(meta, Mapping) and isinstance(meta.get("annotations"), Mapping) \
                and LAST_APPLIED in meta["annotations"]:
            annotations = dict(meta["annotations"], **{LAST_APPLIED: "+" * MASK_MIN})
            out["metadata"] = dict(meta, annotations=annotations)
        return out

    return masked(live), masked(desired)


def _tidy(state: dict) -> dict:
    """Without managedFields: bookkeeping that only makes the diff longer."""
    meta = state.get("metadata")
    if isinstance(meta, Mapping) and "managedFields" in meta:
        state = dict(state, metadata={k: v for k, v in meta.items() if k != "managedFields"})
    return state


def _lines(state: dict | None) -> list[str]:
    if state is None:
        return [NOT_SHOWN + "\n"]
    if not state:
        return []
    text = yaml.safe_dump(state, sort_keys=True, default_flow_style=False, width=100)
    return text.splitlines(keepends=True)


def _printable(text: str) -> str:
    return "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in text)


def resource_diffs(items: Sequence[Any]) -> tuple[ResourceDiff, ...]:
    """A diff for each resource marked `modified` (hooks included), in the answer's order."""
    found = []
    for item in items:
        if not isinstance(item, Mapping) or item.get("modified") is not True:
            continue
        group, kind = str(item.get("group") or ""), str(item.get("kind") or "")
        namespace, name = str(item.get("namespace") or ""), str(item.get("name") or "")
        live = _state(item.get("normalizedLiveState"))
        desired = _state(item.get("predictedLiveState"))
        if live is not None and desired is not None:
            live, desired = _tidy(live), _tidy(desired)
            if is_secret(group, kind):
                live, desired = _mask_secrets(live, desired)
        elif is_secret(group, kind):  # never print what could not be masked
            live = desired = None
        resource = ResourceDiff(_printable(group), _printable(kind), _printable(namespace),
                                _printable(name), "")
        label = resource.label.replace(" ", "/")
        diff = "".join(
            line if line.endswith("\n") else line + "\n"
            for line in difflib.unified_diff(_lines(live), _lines(desired),
                                             f"live/{label}", f"desired/{label}")
        )
        found.append(ResourceDiff(resource.group, resource.kind, resource.namespace,
                                  resource.name, diff))
    return tuple(found)


def details_of(diffs: Sequence[ResourceDiff]) -> str:
    """The resources that differ, and their diffs, as one text."""
    if not diffs:
        return "Argo CD marks no resource as modified (the difference may be a missing " \
               "or extra resource, or a comparison error)\n"
    return "".join(d.diff or f"{d.label}: modified, but its states show no difference\n"
                   for d in diffs)
