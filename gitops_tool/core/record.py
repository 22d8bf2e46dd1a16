"""Immutable value objects that cost nothing to declare.

`@dataclass(frozen=True)` compiles five or six functions (`__init__`, `__eq__`, `__hash__`,
`__repr__`, `__setattr__`, `__delattr__`) for every class when its module is imported: about
a millisecond per class on our machines, and render imports fifteen such classes before it
reads a file. A `Record` subclass declares its fields the same way (annotations, defaults,
`Factory` for a fresh mutable default); the base class supplies those methods once, for
every subclass, with the same behaviour: keyword or positional construction in declaration
order, equality and hashing by value, a readable repr, and no assignment after construction.

    class Release(Record):
        service: str
        image_tag: str = ""

`replace(record, **changes)` and `fields_of(cls)` stand in for their `dataclasses` namesakes.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from itertools import pairwise
from typing import Any, ClassVar, TypeVar, dataclass_transform

R = TypeVar("R", bound="Record")
_MISSING: Any = object()


class Factory:
    """A default made fresh for each record, like `dataclasses.field(default_factory=...)`."""

    __slots__ = ("make",)

    def __init__(self, make: Callable[[], Any]) -> None:
        self.make = make


class FrozenRecordError(AttributeError):
    """A record was assigned to after construction."""


@dataclass_transform(frozen_default=True, field_specifiers=(Factory,))
class Record:
    """Base of the immutable value objects; see the module docstring."""

    __slots__ = ()
    _fields: ClassVar[tuple[str, ...]] = ()
    _defaults: ClassVar[dict[str, Any]] = {}
    # Fields left out of equality, hashing and repr (e.g. documentation strings).
    _uncompared: ClassVar[frozenset[str]] = frozenset()
    _compared: ClassVar[tuple[str, ...]] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        annotations = inspect.get_annotations(cls)
        own = [name for name, kind in annotations.items() if "ClassVar" not in str(kind)]
        # Like dataclasses: a field declared again in a subclass keeps its inherited place.
        fields = cls._fields + tuple(name for name in own if name not in cls._fields)
        defaults = dict(cls._defaults)
        for name in own:
            if name in cls.__dict__:
                defaults[name] = cls.__dict__[name]
        required_after_default = [
            name for before, name in pairwise(fields) if before in defaults and name not in defaults
        ]
        if required_after_default:
            raise TypeError(
                f"{cls.__name__}: field {required_after_default[0]!r} without a default "
                "follows one with a default"
            )
        cls._fields = fields
        cls._defaults = defaults
        cls._compared = tuple(name for name in fields if name not in cls._uncompared)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        fields = self._fields
        if len(args) > len(fields):
            raise TypeError(
                f"{type(self).__name__}() takes {len(fields)} arguments, got {len(args)}"
            )
        values = dict(zip(fields, args, strict=False))
        for name, value in kwargs.items():
            if name in values or (name not in self._defaults and name not in fields):
                problem = "repeated" if name in values else "unexpected"
                raise TypeError(f"{type(self).__name__}() got an {problem} argument {name!r}")
            values[name] = value
        if len(values) < len(fields):
            for name in fields:
                if name not in values:
                    default = self._defaults.get(name, _MISSING)
                    if default is _MISSING:
                        raise TypeError(f"{type(self).__name__}() is missing argument {name!r}")
                    values[name] = default.make() if isinstance(default, Factory) else default
        self.__dict__.update(values)

    def __setattr__(self, name: str, value: Any) -> None:
        raise FrozenRecordError(f"{type(self).__name__}.{name}: records are immutable")

    def __delattr__(self, name: str) -> None:
        raise FrozenRecordError(f"{type(self).__name__}.{name}: records are immutable")

    def _key(self) -> tuple[Any, ...]:
        values = self.__dict__
        return tuple(values[name] for name in self._compared)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._key() == other._key()  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        values = self.__dict__
        shown = ", ".join(f"{name}={values[name]!r}" for name in self._compared)
        return f"{type(self).__name__}({shown})"


def replace(record: R, **changes: Any) -> R:
    """A copy of `record` with `changes` applied (unknown field names are a TypeError)."""
    values = {name: getattr(record, name) for name in record._fields}
    unknown = set(changes) - set(values)
    if unknown:
        raise TypeError(f"{type(record).__name__} has no field {sorted(unknown)[0]!r}")
    values.update(changes)
    return type(record)(**values)


def fields_of(cls: type[Record]) -> tuple[str, ...]:
    """The field names of a record class, in declaration order."""
    return cls._fields
