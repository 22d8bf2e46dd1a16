"""The edit of an environment file: the changed values, in their quoting, and not one byte
more; anything it cannot do exactly is refused."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from gitops_tool.core.promote.edit import edit_pins
from gitops_tool.core.promote.plan import Change
from gitops_tool.errors import InputError

REPO = Path(__file__).resolve().parents[3]
TEXT = """\
# a comment about the file
source:
  branch: main
  revision: main   # tracks the branch

releases:
  api:
    image: "1.0.0"   # the API
  web:
    image: '2.0'
  db:
    image: v15
    revision: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa  # pinned on its own
  flow: {image: "3.1"}
"""


def _image(service: str, old: str, new: str) -> Change:
    return Change(("releases", service, "image"), old, new)


def _revision(service: str, old: str | None, new: str | None) -> Change:
    return Change(("releases", service, "revision"), old, new)


def test_values_change_in_their_own_quoting():
    out = edit_pins(TEXT, [_image("api", "1.0.0", "1.1.0"), _image("web", "2.0", "2.1"),
                           _image("db", "v15", "v16"),
                           Change(("source", "revision"), "main", "b" * 40)], "env.yaml")
    assert '    image: "1.1.0"   # the API\n' in out
    assert "    image: '2.1'\n" in out
    assert "    image: v16\n" in out
    assert f"  revision: {'b' * 40}   # tracks the branch\n" in out
    assert out.count("\n") == TEXT.count("\n")


def test_a_pin_revision_is_added_below_its_image_and_removed_with_its_line():
    added = edit_pins(TEXT, [_revision("api", None, "c" * 40)], "env.yaml")
    assert f'    image: "1.0.0"   # the API\n    revision: {"c" * 40}\n  web:' in added
    removed = edit_pins(TEXT, [_revision("db", "a" * 40, None)], "env.yaml")
    assert removed == TEXT.replace(
        "    revision: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa  # pinned on its own\n", "")
    flow = edit_pins(TEXT, [_revision("flow", None, "d" * 40)], "env.yaml")
    assert yaml.safe_load(flow)["releases"]["flow"] == {"image": "3.1", "revision": "d" * 40}


def test_a_value_yaml_would_read_as_a_number_is_quoted():
    out = edit_pins(TEXT, [_image("db", "v15", "16.0")], "env.yaml")
    assert yaml.safe_load(out)["releases"]["db"]["image"] == "16.0"
    digits = "1234567890" * 4
    out = edit_pins(TEXT, [_revision("api", None, digits)], "env.yaml")
    assert yaml.safe_load(out)["releases"]["api"]["revision"] == digits


def test_a_shared_anchor_is_refused_rather_than_guessed():
    text = "source:\n  revision: main\nreleases:\n  a: &pin\n    image: '1'\n  b: *pin\n"
    with pytest.raises(InputError, match="anchor"):
        edit_pins(text, [_image("a", "1", "2")], "env.yaml")


def test_a_block_scalar_is_refused():
    text = "source:\n  revision: main\nreleases:\n  a:\n    image: |\n      1\n"
    with pytest.raises(InputError, match="single-line"):
        edit_pins(text, [_image("a", "1\n", "2")], "env.yaml")


@pytest.mark.parametrize("env", ["dev", "staging", "prod"])
def test_this_repositorys_files_change_only_on_the_changed_lines(env: str):
    text = (REPO / "environments" / f"{env}.yaml").read_text()
    data = yaml.safe_load(text)
    changes = [_image(s, p["image"], p["image"] + "-next") for s, p in data["releases"].items()]
    out = edit_pins(text, changes, f"environments/{env}.yaml")
    before, after = text.splitlines(), out.splitlines()
    assert len(before) == len(after)
    differ = [(b, a) for b, a in zip(before, after, strict=True) if b != a]
    assert len(differ) == len(changes)
    assert all(a.replace("-next", "") == b for b, a in differ)


_tags = st.from_regex(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,20}", fullmatch=True)


@given(st.lists(_tags, min_size=4, max_size=4))
def test_any_tags_edit_exactly_the_values_asked(tags: list[str]):
    olds = {"api": "1.0.0", "web": "2.0", "db": "v15", "flow": "3.1"}
    changes = [_image(s, olds[s], t) for s, t in zip(olds, tags, strict=True)]
    out = edit_pins(TEXT, changes, "env.yaml")
    data = yaml.safe_load(out)
    assert {s: data["releases"][s]["image"] for s in olds} == dict(zip(olds, tags, strict=True))
    kept = [line for line in TEXT.splitlines() if "image" not in line]
    assert [line for line in out.splitlines() if "image" not in line] == kept
