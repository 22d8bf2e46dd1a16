"""The fast YAML paths give the same answers as the precise ones, or step aside."""

from __future__ import annotations

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from gitops_tool.core.render_load import check_yaml, fast_data
from gitops_tool.core.yamlout import dump
from gitops_tool.errors import InputError

GOOD = [
    "a: 1\nb: [x, {c: null}]\nd: yes\n",
    "name: svc\nversion: 0.1.0\nannotations:\n  gitops-tool/plane: infra\n",
    "base: &b {x: 1, y: 2}\nderived:\n  <<: *b\n  y: 3\n",  # a merge, then an override
    "# only a comment\n",
    "",
    "list:\n  - &item {a: 1}\n  - *item\n",
]


@pytest.mark.parametrize("text", GOOD)
def test_good_yaml_passes_the_check(text: str) -> None:
    check_yaml(text, "x.yaml")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a: 1\nb: 2\na: 3\n", "x.yaml:3:1: duplicate key 'a'"),
        ("a:\n  b: 1\n  c: 2\n  b: 3\n", "x.yaml:4:3: duplicate key 'b'"),
        ("x:\n  - a: 1\n    a: 2\n", "x.yaml:3:5: duplicate key 'a'"),
        ("a: [1, 2\n", "x.yaml:2:1:"),
        ("a: b: c\n", "x.yaml:1:5: mapping values are not allowed"),
        ("a: 1\n---\nb: 2\n", "x.yaml:2:1:"),
        ("\ta: 1\n", "x.yaml:1:1:"),
        ("1: one\n01: again\n", "duplicate key 1"),
    ],
)
def test_bad_yaml_names_file_and_line(text: str, message: str) -> None:
    with pytest.raises(InputError) as caught:
        check_yaml(text, "x.yaml")
    assert message in caught.value.message


@pytest.mark.parametrize(
    "text", ["a: 1.5\n", "t: 2001-12-14\n", "a: !!binary aGk=\n", "<<: {a: 1}\n"]
)
def test_fast_data_steps_aside_for_unusual_values(text: str) -> None:
    with pytest.raises(ValueError):
        fast_data(text)


@pytest.mark.parametrize("text", ["a: 1\na: 2\n", "a: [\n", "x: &a [*a]\n"])
def test_fast_data_refuses_what_the_precise_path_must_judge(text: str) -> None:
    with pytest.raises(ValueError):
        fast_data(text)


plain = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-(10**12), 10**12), st.text(max_size=12)),
    lambda c: st.one_of(
        st.lists(c, max_size=4), st.dictionaries(st.text(max_size=8), c, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=200, deadline=None)
@given(plain)
def test_property_fast_data_equals_safe_load(value: object) -> None:
    text = dump(value)
    assert fast_data(text) == yaml.safe_load(text)
