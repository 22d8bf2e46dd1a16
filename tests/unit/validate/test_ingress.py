"""GT-ING-001: every Ingress host matches the environment's domain pattern."""

from __future__ import annotations

from gitops_tool.core.validate.ingress import ingress_findings


def _ingress(name, rule_hosts, tls_hosts=()):
    return {
        "kind": "Ingress",
        "metadata": {"name": name},
        "spec": {
            "rules": [{"host": h} for h in rule_hosts],
            "tls": [{"hosts": list(tls_hosts)}] if tls_hosts else [],
        },
    }


def test_hosts_on_the_domain_pass():
    docs = [_ingress("web", ["web-staging.ananta.io"], ["web-staging.ananta.io"])]
    assert ingress_findings(docs, "web", "staging", "*-staging.ananta.io") == []


def test_each_stray_host_is_one_finding_naming_the_ingress():
    docs = [
        _ingress("web", ["web.ananta.io"], ["web.ananta.io", "web.ananta.local"]),
        {"kind": "Service", "metadata": {"name": "web"}},
        None,
    ]
    found = ingress_findings(docs, "web", "staging", "*-staging.ananta.io")
    assert [(f.rule, f.object, f.environment) for f in found] == [
        ("GT-ING-001", "Ingress/web", "staging"),
        ("GT-ING-001", "Ingress/web", "staging"),
    ]
    assert "'web.ananta.local'" in found[1].message


def test_the_match_is_case_sensitive_and_whole():
    docs = [_ingress("web", ["web.ananta.io.evil.example"])]
    assert len(ingress_findings(docs, "web", "prod", "*.ananta.io")) == 1
