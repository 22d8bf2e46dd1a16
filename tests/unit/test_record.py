"""Record: the dataclass-like base of the core's value objects."""

from __future__ import annotations

from typing import ClassVar

import pytest

from gitops_tool.core.record import Factory, FrozenRecordError, Record, fields_of, replace


class Pin(Record):
    service: str
    tag: str = "latest"
    extras: dict[str, str] = Factory(dict)
    note: str = ""

    _uncompared: ClassVar[frozenset[str]] = frozenset({"note"})

    @property
    def label(self) -> str:
        return f"{self.service}:{self.tag}"


class Tag(Record):
    service: str
    tag: str
    note: str = ""

    _uncompared: ClassVar[frozenset[str]] = frozenset({"note"})


class TaggedPin(Pin):
    origin: str = "git"


def test_positional_and_keyword_construction_in_declaration_order() -> None:
    pin = Pin("api", "1.2.3")
    assert (pin.service, pin.tag, pin.extras, pin.note) == ("api", "1.2.3", {}, "")
    assert Pin(service="api", tag="1.2.3") == pin
    assert pin.label == "api:1.2.3"
    assert fields_of(Pin) == ("service", "tag", "extras", "note")


def test_a_factory_default_is_fresh_for_each_record() -> None:
    first, second = Pin("a"), Pin("b")
    first.extras["k"] = "v"
    assert second.extras == {}


def test_records_cannot_be_changed_after_construction() -> None:
    pin = Pin("api")
    with pytest.raises(FrozenRecordError, match=r"Pin\.tag"):
        pin.tag = "2"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        del pin.service  # type: ignore[misc]
    assert pin.tag == "latest"


def test_equality_and_hash_by_value_except_uncompared_fields() -> None:
    assert Pin("api", "1") == Pin("api", "1", note="other words")
    assert Pin("api", "1") != Pin("api", "2")
    assert hash(Tag("api", "1")) == hash(Tag("api", "1", note="x"))
    assert len({Tag("api", "1"), Tag("api", "1"), Tag("web", "1")}) == 2
    with pytest.raises(TypeError, match="unhashable"):  # a dict field, as with dataclasses
        hash(Pin("api"))
    assert Pin("api") != TaggedPin("api")  # another class is never equal
    assert Pin("api") != ("api", "latest")


def test_repr_shows_the_compared_fields() -> None:
    assert repr(Pin("api", "1", note="hidden")) == "Pin(service='api', tag='1', extras={})"


def test_bad_arguments_are_type_errors() -> None:
    with pytest.raises(TypeError, match="missing argument 'service'"):
        Pin()  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="unexpected argument 'colour'"):
        Pin("api", colour="red")  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="repeated argument 'service'"):
        Pin("api", service="web")  # type: ignore[misc]
    with pytest.raises(TypeError, match="takes 4 arguments, got 5"):
        Pin("a", "b", {}, "", "e")  # type: ignore[call-arg]


def test_subclasses_extend_the_fields_of_their_base() -> None:
    pin = TaggedPin("api", "1", origin="ci")
    assert fields_of(TaggedPin) == ("service", "tag", "extras", "note", "origin")
    assert pin.origin == "ci" and pin.label == "api:1"


def test_a_field_declared_again_keeps_its_place_and_takes_the_new_default() -> None:
    class LocalPin(Pin):
        tag: str = "stable"

    assert fields_of(LocalPin) == fields_of(Pin)
    assert LocalPin("api").tag == "stable" and Pin("api").tag == "latest"
    assert LocalPin("api", "1").tag == "1"


def test_a_required_field_after_a_default_is_refused_at_class_creation() -> None:
    with pytest.raises(TypeError, match="'second' without a default"):

        class Bad(Record):
            first: str = ""
            second: int


def test_replace_copies_with_changes_and_refuses_unknown_fields() -> None:
    pin = Pin("api", "1", extras={"a": "b"})
    newer = replace(pin, tag="2")
    assert newer == Pin("api", "2", extras={"a": "b"}) and pin.tag == "1"
    with pytest.raises(TypeError, match="no field 'colour'"):
        replace(pin, colour="red")
