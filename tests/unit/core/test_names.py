"""Name rules: accepted exactly when Helm and Kubernetes would accept them.

The rules are written here from their sources, not from the code's own patterns:

- a Helm release name (helm pkg/chart/v2/util/validate_name.go, ValidateReleaseName): not
  empty, at most 53 characters, and matching Go's
  `^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`; Go's `$` ends the text,
  so the match is a Python fullmatch (Python's `$` also matches before a final newline);
- a Service name is an RFC 1035 label (Kubernetes names docs): at most 63 characters,
  lowercase letters, digits and '-', starting with a letter, ending with a letter or digit;
- a namespace, environment or plane name is an RFC 1123 label: the same, but it may start
  with a digit.
"""

from __future__ import annotations

import re
import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gitops_tool.core.names import label_problem, name_problem, service_name_problem

HELM_RELEASE = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
HELM_RELEASE_MAX = 53  # maxReleaseNameLen
LOWER = set(string.ascii_lowercase)
LABEL_CHARS = LOWER | set(string.digits) | {"-"}


def helm_accepts(name: str) -> bool:
    return name != "" and len(name) <= HELM_RELEASE_MAX and bool(HELM_RELEASE.fullmatch(name))


def rfc1123_label(name: str) -> bool:
    return (
        0 < len(name) <= 63
        and set(name) <= LABEL_CHARS
        and name[0] != "-"
        and name[-1] != "-"
    )


def rfc1035_label(name: str) -> bool:
    return rfc1123_label(name) and name[0] in LOWER


# Random text over the characters that matter, and names built to pass (so that both sides of
# each rule are reached): dot-separated labels of every length up to past the limits.
ALPHABET = "abcXYZ019-._/ "
texts = st.text(alphabet=ALPHABET, max_size=60)
wellformed = st.from_regex(HELM_RELEASE, fullmatch=True).filter(lambda n: "\n" not in n)
names = st.one_of(texts, wellformed, st.text(alphabet="ab-", min_size=50, max_size=70))


@given(names)
def test_release_names_are_accepted_exactly_when_helm_accepts_them(name):
    assert (name_problem(name) is None) == helm_accepts(name)


@given(names)
def test_service_names_are_rfc_1035_labels_helm_accepts(name):
    accepted = service_name_problem(name) is None
    assert accepted == (helm_accepts(name) and rfc1035_label(name))
    if accepted:
        assert name_problem(name) is None


@given(st.one_of(texts, st.text(alphabet="ab1-", min_size=60, max_size=70)))
def test_labels_are_rfc_1123_labels(value):
    assert (label_problem(value) is None) == rfc1123_label(value)


@pytest.mark.parametrize(
    "name",
    [
        "a",
        "0",
        "dev-tenant-management-service",
        "1password",  # a digit first: a release name, not a Service name
        "api.v2",  # dots separate labels
        "a.b.c",
        "a1-b2.c3",
        "a--b",
        "a" * 53,  # Helm's maximum
        "a-" * 26 + "a",  # 53, dashes inside
        "a." * 26 + "a",  # 53, dots inside
    ],
)
def test_valid_release_names(name):
    assert helm_accepts(name)
    assert name_problem(name) is None


@pytest.mark.parametrize(
    ("name", "says"),
    [
        ("", "is empty"),
        ("a" * 54, "is 54 characters long; the limit is 53"),
        ("a-" * 26 + "ab", "the limit is 53"),
        ("-api", "RFC 1123"),  # a leading '-'
        ("api-", "RFC 1123"),  # a trailing '-'
        ("Api", "RFC 1123"),  # uppercase
        ("API", "RFC 1123"),
        ("tenant_service", "RFC 1123"),  # underscore
        ("Tenant_Service", "RFC 1123"),
        (".api", "RFC 1123"),  # dots only between labels
        ("api.", "RFC 1123"),
        ("a..b", "RFC 1123"),
        ("a.-b", "RFC 1123"),  # each label starts and ends with a letter or digit
        ("a-.b", "RFC 1123"),
        ("api v2", "RFC 1123"),
        ("api/v2", "RFC 1123"),
        ("ápi", "RFC 1123"),
    ],
)
def test_invalid_release_names_say_why(name, says):
    assert not helm_accepts(name)
    problem = name_problem(name)
    assert problem is not None and says in problem


@pytest.mark.parametrize(
    ("name", "says"),
    [
        ("admin-app", None),
        ("a" * 53, None),
        ("a" * 54, "the limit is 53"),
        ("", "is empty"),
        ("1password", "RFC 1035"),  # a Service name starts with a letter
        ("api.v2", "RFC 1035"),  # and has no dots
        ("api-", "RFC 1035"),
        ("Api", "RFC 1035"),
        ("tenant_service", "RFC 1035"),
    ],
)
def test_service_name_examples(name, says):
    problem = service_name_problem(name)
    assert problem is None if says is None else says in problem


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("ananta-prod", True),
        ("0dev", True),
        ("x" * 63, True),
        ("x" * 64, False),
        ("a.b", False),
        ("-dev", False),
        ("dev-", False),
        ("Dev", False),
        ("dev_1", False),
        ("", False),
    ],
)
def test_label_examples(value, ok):
    assert (label_problem(value) is None) == ok


@pytest.mark.parametrize("check", [name_problem, service_name_problem, label_problem])
def test_a_final_newline_is_refused(check):
    assert not helm_accepts("api\n") and not rfc1123_label("api\n")
    assert check("api\n") is not None
