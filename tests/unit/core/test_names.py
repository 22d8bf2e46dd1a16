"""Name rules: accepted exactly when Helm and Kubernetes would accept them."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from gitops_tool.core.names import (
    RELEASE_NAME_MAX,
    label_problem,
    name_problem,
    service_name_problem,
)

HELM_RELEASE = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")


@given(st.text(alphabet="abcXYZ019-._/ ", max_size=60))
def test_release_names_match_helms_rule(name):
    helm_accepts = bool(HELM_RELEASE.match(name)) and len(name) <= RELEASE_NAME_MAX
    assert (name_problem(name) is None) == helm_accepts

# A Service name (RFC 1035 label) that is also a Helm release name.
SERVICE = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")


@given(st.text(alphabet="abcXYZ019-._/ ", max_size=60))
def test_service_names_are_rfc_1035_labels_helm_accepts(name):
    helm_accepts = bool(HELM_RELEASE.match(name)) and len(name) <= RELEASE_NAME_MAX
    accepted = service_name_problem(name) is None
    assert accepted == (helm_accepts and bool(SERVICE.match(name)))
    if accepted:
        assert name_problem(name) is None


def test_examples():
    assert name_problem("dev-tenant-management-service") is None
    assert "RFC 1123" in name_problem("Tenant_Service")
    assert "limit is 53" in name_problem("a" * 54)
    assert name_problem("") == "is empty"
    assert service_name_problem("admin-app") is None
    assert "RFC 1035" in service_name_problem("1password")
    assert "RFC 1035" in service_name_problem("api.v2")
    assert name_problem("1password") is None and name_problem("api.v2") is None
    assert label_problem("ananta-prod") is None
    assert label_problem("a.b") is not None
    assert label_problem("x" * 64) is not None
