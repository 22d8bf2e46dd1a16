"""check_yaml: render's check of the values files gives the answers of the precise parse."""

from __future__ import annotations

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from gitops_tool.core.render.yamlout import dump
from gitops_tool.core.yamldoc import check_yaml, parse_yaml
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
    "text",
    [
        "a: !!python/object:os.system ls\n",
        "a: !custom 1\n",
        "yes: 1\ntrue: 2\n",  # one key (True) written twice
    ],
)
def test_what_the_safe_loader_refuses_is_refused(text: str) -> None:
    with pytest.raises(InputError):
        check_yaml(text, "x.yaml")


plain = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-(10**12), 10**12), st.text(max_size=12)),
    lambda c: st.one_of(
        st.lists(c, max_size=4), st.dictionaries(st.text(max_size=8), c, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=200, deadline=None)
@given(plain)
def test_property_what_is_written_passes_the_check_and_reads_back(value: object) -> None:
    text = dump(value)
    check_yaml(text, "x.yaml")
    assert parse_yaml(text, "x.yaml") == yaml.safe_load(text)
