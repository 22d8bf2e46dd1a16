"""The YAML emitter: what it writes reads back as the same data, in one fixed layout."""

from __future__ import annotations

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from gitops_tool.core.render.yamlout import comment, dump, dump_all, scalar

TRICKY = [
    "", " ", "  lead", "trail ", "yes", "No", "ON", "off", "y", "n", "true", "False", "null",
    "Null", "~", "=", "<<", "-", "- x", "? x", ": x", "a: b", "a #b", "#x", "!tag", "&a", "*a",
    "|", ">", "%x", "@x", "`x", "'q'", '"q"', "[a]", "{a}", "a,b", "30", "-1", "+1", "0o17",
    "0x1F", "017", "1e3", "1.5", ".5", ".inf", "-.inf", ".nan", "1_000", "1:30", "2001-12-14",
    "2001-12-14t21:59:43.10-05:00", "a\tb", "tab\t", "new\nline", "end\n", "\n", "two\n\n",
    "x\r\ny", "\x00", "\x85", "\u2028", "\ufeff", "é", "日本", "😀", "a\\b", "https://a.b/c:8080",
    "/charts/a;/charts/common", "image.tag", "{{.name}}", "CreateNamespace=true", "10s",
]


@pytest.mark.parametrize("text", TRICKY)
def test_tricky_strings_read_back_as_themselves(text: str) -> None:
    data = {"key": text, "list": [text], text or "empty": 1}
    assert yaml.safe_load(dump(data)) == data
    assert yaml.load(dump(data), Loader=yaml.SafeLoader) == data  # the pure-Python reader too


@pytest.mark.parametrize("text", ["30", "1e3", "0o17", "yes", "on", "y", "null", "~", "1.5"])
def test_strings_other_readers_could_take_for_numbers_or_booleans_are_quoted(text: str) -> None:
    assert scalar(text).startswith('"')


@pytest.mark.parametrize(
    "text", ["dev-admin-app", "https://kubernetes.default.svc", "/spec/replicas", "image.tag"]
)
def test_ordinary_names_are_plain(text: str) -> None:
    assert scalar(text) == text


def test_layout_is_conventional_and_fixed() -> None:
    doc = {
        "spec": {"b": [1, {"z": True, "name": "n"}], "a": {}},
        "metadata": {"labels": {"tier": "1", "app": "2"}, "name": "app", "namespace": "ns"},
        "kind": "Application",
        "apiVersion": "argoproj.io/v1alpha1",
        "data": {"script": "line 1\n  line 2\n\nline 4\n"},
    }
    assert dump(doc) == (
        "apiVersion: argoproj.io/v1alpha1\n"
        "kind: Application\n"
        "metadata:\n"
        "  name: app\n"
        "  namespace: ns\n"
        "  labels:\n"
        '    app: "2"\n'
        '    tier: "1"\n'
        "data:\n"
        "  script: |\n"
        "    line 1\n"
        "      line 2\n"
        "\n"
        "    line 4\n"
        "spec:\n"
        "  a: {}\n"
        "  b:\n"
        "    - 1\n"
        "    - name: \"n\"\n"
        "      z: true\n"
    )


def test_the_same_text_is_written_the_same_way_whatever_came_before() -> None:
    text = "line 1\nline 2\n"
    first = dump({"a": text})
    dump({text: 1})  # as a key, the text must be quoted
    assert dump({"a": text}) == first == "a: |\n  line 1\n  line 2\n"


def test_very_long_keys_read_back() -> None:
    key = "k" * 1500
    value = {key: {"a": [1, {key: "v"}]}, "short": [{key: None}]}
    assert yaml.safe_load(dump(value)) == value


def test_documents_and_comments() -> None:
    text = comment(["one", "", "two"]) + dump_all([{"a": 1}, {"b": [None, False]}])
    assert text == "# one\n#\n# two\na: 1\n---\nb:\n  - null\n  - false\n"
    assert list(yaml.safe_load_all(text)) == [{"a": 1}, {"b": [None, False]}]


@pytest.mark.parametrize("bad", [1.5, {1: "x"}, {"a": (1, 2)}, {"a": object()}])
def test_data_outside_the_supported_kinds_is_refused(bad: object) -> None:
    with pytest.raises(TypeError):
        dump({"value": bad} if not isinstance(bad, dict) else bad)


scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63),
    st.text(),
    st.sampled_from(TRICKY),
)
data = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.one_of(st.text(), st.sampled_from(TRICKY)), children, max_size=4),
    ),
    max_leaves=25,
)


@settings(max_examples=400, deadline=None)
@given(data)
def test_property_everything_written_reads_back_equal(value: object) -> None:
    text = dump(value)
    assert yaml.safe_load(text) == value
    assert dump(value) == text  # and the same data always gives the same text
