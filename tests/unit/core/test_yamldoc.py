"""YAML parsing: line numbers, duplicate keys refused, merge keys honoured."""

from __future__ import annotations

import pytest

from gitops_tool.core.yamldoc import line_of, parse_yaml
from gitops_tool.errors import InputError


def test_lines_of_keys_are_kept():
    data = parse_yaml("a: 1\nb:\n  c: 2\n  d: 3\n", "f.yaml")
    assert (line_of(data, "a"), line_of(data["b"], "d")) == (1, 4)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a: 1\na: 2\n", "f.yaml:2:1: duplicate key 'a' (first on line 1)"),
        ("b: {x: 1, x: 2}\n", "f.yaml:1:11: duplicate key 'x'"),
        ("s: &s {x: 1}\nb:\n  <<: *s\n  x: 2\n  x: 3\n", "f.yaml:5:3: duplicate key 'x'"),
        ("a: 1\n b: 2\n", "f.yaml:2:3:"),
        ("a:\n\t- 1\n", "f.yaml:2:1:"),
    ],
)
def test_bad_yaml_names_file_line_and_column(text, expected):
    with pytest.raises(InputError) as caught:
        parse_yaml(text, "f.yaml")
    assert caught.value.message.startswith(expected)


def test_a_key_may_override_what_a_merge_brought():
    text = "base: &b {kind: server, port: 1}\nhistory:\n  <<: *b\n  kind: history\n"
    assert parse_yaml(text, "f.yaml")["history"] == {"kind": "history", "port": 1}


def test_earlier_merge_sources_win_as_in_yaml():
    text = "a: &a {x: 1}\nb: &b {x: 2, y: 2}\nc:\n  <<: [*a, *b]\n"
    assert parse_yaml(text, "f.yaml")["c"] == {"x": 1, "y": 2}
