"""The shapes of the Argo CD answers gitops-tool reads, and a checker for them.

Pure. Every answer the client uses is checked against the shape of the fields the
commands rely on before anything reads it: a JSON `null`, a string where a list belongs
or an object where a string belongs is an unexpected response (exit 3), never a crash or
a wrong count. Fields may be absent or null unless required (Go omits empty fields);
fields not listed here are not read, and not checked. The shapes are a subset of Argo
CD's swagger.json, so every answer a real server sends passes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Scalar:
    """A JSON string, number or boolean of one of `kinds`."""

    kinds: tuple[type, ...]
    name: str


@dataclass(frozen=True, slots=True)
class Obj:
    """A JSON object; `fields` are checked when present, `required` must be present."""

    fields: Mapping[str, Any] = field(default_factory=dict)
    required: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ListOf:
    item: Any


@dataclass(frozen=True, slots=True)
class MapOf:
    """A JSON object with free keys, each value of one shape (labels, annotations)."""

    value: Any


ANY = None  # anything, not read as any particular type
STR = Scalar((str,), "a string")
BOOL = Scalar((bool,), "true or false")
TEXT = Scalar((str, int, float, bool), "a string")  # shown as text: any scalar will do

_NAMES = {dict: "an object", list: "a list", str: "a string", bool: "a boolean",
          int: "a number", float: "a number", type(None): "null"}


def _kind(value: Any) -> str:
    return _NAMES.get(type(value), type(value).__name__)


def shape_problem(data: Any, shape: Any, path: str = "") -> str | None:
    """Why `data` does not have `shape` ("items: expected a list, got a string"), or None."""
    where = path or "the answer"
    if shape is ANY:
        return None
    if isinstance(shape, Scalar):
        if isinstance(data, shape.kinds):
            return None
        return f"{where}: expected {shape.name}, got {_kind(data)}"
    if isinstance(shape, ListOf):
        if not isinstance(data, list):
            return f"{where}: expected a list, got {_kind(data)}"
        for i, item in enumerate(data):
            if problem := shape_problem(item, shape.item, f"{path}[{i}]"):
                return problem
        return None
    if not isinstance(data, Mapping):
        return f"{where}: expected an object, got {_kind(data)}"
    if isinstance(shape, MapOf):
        for key, value in data.items():
            if value is not None and (problem := shape_problem(value, shape.value,
                                                                _join(path, key))):
                return problem
        return None
    for key in shape.required:
        if data.get(key) is None:
            return f"{_join(path, key)}: missing"
    for key, inner in shape.fields.items():
        value = data.get(key)
        if value is not None and (problem := shape_problem(value, inner, _join(path, key))):
            return problem
    return None


def _join(path: str, key: Any) -> str:
    return f"{path}.{key}" if path else str(key)


# -- the answers the client reads ----------------------------------------------------

_INFOS = ListOf(Obj({"name": TEXT, "value": TEXT}))
_OPERATION = Obj({
    "info": _INFOS,
    "initiatedBy": Obj({"username": TEXT, "automated": BOOL}),
    "sync": Obj({"revision": TEXT}),
})
_HEALTH = Obj({"status": STR, "message": TEXT, "lastTransitionTime": STR})

APPLICATION = Obj(
    {
        "metadata": Obj({"name": STR, "labels": MapOf(TEXT), "annotations": MapOf(TEXT)},
                        required=("name",)),
        "spec": Obj({
            "project": TEXT,
            "source": Obj({
                "targetRevision": TEXT,
                "helm": Obj({"parameters": ListOf(Obj({"name": TEXT, "value": TEXT}))}),
            }),
            "syncPolicy": Obj({"automated": Obj({"enabled": BOOL})}),
        }),
        "operation": _OPERATION,
        "status": Obj({
            "sync": Obj({
                "status": STR,
                "revision": TEXT,
                "comparedTo": Obj({"source": Obj({"targetRevision": TEXT})}),
            }),
            "health": _HEALTH,
            "reconciledAt": STR,
            "operationState": Obj({
                "phase": STR,
                "message": TEXT,
                "startedAt": STR,
                "finishedAt": STR,
                "operation": _OPERATION,
                "syncResult": Obj({"revision": TEXT}),
            }),
            "conditions": ListOf(Obj({"type": TEXT, "message": TEXT})),
            "resources": ListOf(Obj({
                "kind": TEXT, "namespace": TEXT, "name": TEXT,
                "health": Obj({"status": TEXT, "message": TEXT}),
            })),
        }),
    },
    required=("metadata",),
)
ANSWER = Obj()  # an object, nothing read from it (the answer to a sync)
APPLICATION_LIST = Obj({"items": ListOf(APPLICATION)})
VERSION = Obj({"Version": TEXT, "HelmVersion": TEXT})
USER_INFO = Obj({"loggedIn": BOOL, "username": TEXT})
SETTINGS = Obj({"resourceOverrides": MapOf(Obj({"healthLua": STR}))})
PROJECT = Obj({"metadata": Obj({"name": STR}, required=("name",))}, required=("metadata",))
# The live and desired states of each managed resource arrive as JSON text.
MANAGED_RESOURCES = Obj({"items": ListOf(Obj({
    "group": TEXT, "kind": TEXT, "namespace": TEXT, "name": TEXT, "modified": BOOL,
    "normalizedLiveState": STR, "predictedLiveState": STR,
}))})
SYNC_WINDOWS = Obj({"canSync": BOOL})
