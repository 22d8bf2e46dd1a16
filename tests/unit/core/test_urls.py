"""core/urls.py: which URLs carry a credential, and how they are shown masked."""

from __future__ import annotations

import string

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from gitops_tool.core.urls import masked_url, masked_userinfo, url_credentials, urls_in

PW = "SENTINEL-hunter2"


@pytest.mark.parametrize(
    ("url", "problem", "shown"),
    [
        (f"https://user:{PW}@github.com/x.git", "a password", "https://user:****@github.com/x.git"),
        (f"http://admin:{PW}@127.0.0.1:8080", "a password", "http://admin:****@127.0.0.1:8080"),
        (f"admin:{PW}@127.0.0.1:8080", "a password", "admin:****@127.0.0.1:8080"),
        (f"ssh://git:{PW}@github.com/org/x.git", "a password", "ssh://git:****@github.com/org/x.git"),
        (f"postgres://u:{PW}@db:5432/x", "a password", "postgres://u:****@db:5432/x"),
        ("https://u:p%40ss%2Fw0rd@host/x", "a password", "https://u:****@host/x"),
        (f"https://u:{PW}/x@host/r.git", "a password", "https://u:****@host/r.git"),  # '/'
        (f"https://u:{PW}?x@host/r.git", "a password", "https://u:****@host/r.git"),  # '?'
        (f"https://u:{PW}#x@host/r.git", "a password", "https://u:****@host/r.git"),  # '#'
        (f"https://u:{PW}@x@host/r.git", "a password", "https://u:****@host/r.git"),  # '@'
        ("https://ghp_0123456789abcdefghijABCDEFGHIJ012345@github.com/x.git",
         "a token as its user name", "https://****@github.com/x.git"),
        (f"https://github.com/x.git?access_token={PW}&ref=main",
         "a secret in its query (access_token=)", "https://github.com/x.git?access_token=****&ref=main"),
        (f"https://s3.example.test/b/k?X-Amz-Signature={PW}",
         "a secret in its query (X-Amz-Signature=)", "https://s3.example.test/b/k?X-Amz-Signature=****"),
        # the colon between user and password percent-encoded, once or more, in any case
        (f"https://user%3A{PW}@github.com/x.git", "a password", "https://user:****@github.com/x.git"),
        (f"https://user%3a{PW}@github.com/x.git", "a password", "https://user:****@github.com/x.git"),
        (f"https://user%253A{PW}@github.com/x.git", "a password",
         "https://user:****@github.com/x.git"),
        (f"https://user%25253a{PW}@github.com/x.git", "a password",
         "https://user:****@github.com/x.git"),
        (f"http://admin%3A{PW}@127.0.0.1:18112", "a password", "http://admin:****@127.0.0.1:18112"),
        (f"admin%3A{PW}@127.0.0.1:18112", "a password", "admin:****@127.0.0.1:18112"),
        (f"https://u%3A{PW}/x@host/r.git", "a password", "https://u:****@host/r.git"),  # '/'
        (f"https://u%3A{PW}:@host/r.git", "a password", "https://u:****@host/r.git"),
        (f"https://%75ser%3A{PW}@host/r.git", "a password", "https://user:****@host/r.git"),
        (f"https://a%20b%3A{PW}@host/r.git", "a password", "https://****:****@host/r.git"),
        # a token as the user name, written plainly or with encoded characters
        ("https://ghp_0123456789abcdefghijABCDEFGHIJ012345@github.com",
         "a token as its user name", "https://****@github.com"),
        ("https://ghp_0123456789abcdef%67hijABCDEFGHIJ012345@github.com",
         "a token as its user name", "https://****@github.com"),
    ],
)
def test_credentials_are_found_and_masked(url, problem, shown):
    assert url_credentials(url) == problem
    assert masked_url(url) == shown
    assert "SENTINEL" not in masked_url(url) and "hunter2" not in problem


@pytest.mark.parametrize(
    "url",
    [
        "https://github.com/ananta-platform/ananta-gitops.git",
        "git@github.com:ananta-platform/ananta-gitops.git",  # scp-like: a user, no password
        "ssh://git@github.com/ananta-platform/ananta-gitops.git",
        "https://ananta@dev.azure.com/ananta/platform/_git/gitops",  # a user name alone
        "https://x-access-token@github.com/x.git",
        "file:///srv/git/gitops.git",
        "https://[::1]:8443/x@y",
        "https://host:8080/x?email=a@b.test",
        "https://user:${GIT_PASSWORD}@github.com/x.git",  # placeholders
        "https://user:{{ .Values.password }}@github.com/x.git",
        "https://user:<password>@github.com/x.git",
        "https://user:@github.com/x.git",
        "https://example.test/search?q=token&page=2",
        "https://example.test/x?token=",
        "127.0.0.1:8080",
        "argocd.example.com",
        "https://me%40example.com@dev.azure.com/x",  # an e-mail address as the user name
        "https://user%3A@github.com/x.git",  # an encoded colon, no password
        "https://user%3A${GIT_PASSWORD}@github.com/x.git",
        "https://ghp_%78%78%78@github.com/x.git",  # a placeholder, not a token
    ],
)
def test_urls_without_credentials_pass_unchanged(url):
    assert url_credentials(url) is None
    assert masked_url(url) == url


@given(
    user=st.text(string.ascii_letters, min_size=1, max_size=8),
    password=st.text(string.printable.strip(), min_size=1, max_size=20),
    scheme=st.sampled_from(["https://", "http://", "ssh://", "postgres://", ""]),
    host=st.sampled_from(["github.com", "127.0.0.1:8080", "db.svc:5432", "[::1]:443"]),
    path=st.sampled_from(["", "/", "/org/x.git", "/x?ref=main", "#frag"]),
)
@example(user="A", password=":0#", scheme="https://", host="github.com", path="")
def test_no_password_survives_masking(user, password, scheme, host, path):
    secret = f"SENTINEL{password}"
    url = f"{scheme}{user}:{secret}@{host}{path}"
    assert url_credentials(url) is not None
    assert secret not in masked_url(url)  # (the user name, kept, may spell SENTINEL itself)


def test_urls_in_text():
    text = f"DATABASE_URL=postgres://u:{PW}@db/x and see 'https://a.test/b'."
    assert urls_in(text) == [f"postgres://u:{PW}@db/x", "https://a.test/b"]


@given(
    user=st.text(string.ascii_letters, min_size=1, max_size=8),
    password=st.text(string.printable.strip(), min_size=1, max_size=20),
    colon=st.sampled_from(["%3A", "%3a", "%253A", "%253a", "%25253A"]),
    scheme=st.sampled_from(["https://", "http://", "ssh://", ""]),
    host=st.sampled_from(["github.com", "127.0.0.1:8080", "[::1]:443"]),
    path=st.sampled_from(["", "/", "/org/x.git", "/x?ref=main"]),
)
@example(user="A", password=":", colon="%3A", scheme="https://", host="github.com", path="")
@example(user="A", password="%", colon="%253A", scheme="", host="github.com", path="")
def test_no_password_behind_an_encoded_colon_survives_masking(
    user, password, colon, scheme, host, path
):
    secret = f"SENTINEL{password}"
    url = f"{scheme}{user}{colon}{secret}@{host}{path}"
    assert url_credentials(url) == "a password"
    for shown in (masked_url(url), masked_userinfo(url)):
        assert secret not in shown and "SENTINEL" not in shown.removeprefix(scheme + user)


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("http://admin@argocd.test:8080", "http://****@argocd.test:8080"),
        (f"http://admin%3A{PW}@127.0.0.1:18112", "http://****@127.0.0.1:18112"),
        (f"admin:{PW}@127.0.0.1:18112/argocd", "****@127.0.0.1:18112/argocd"),
        (f"https://u:{PW}/x@host/r.git", "https://****@host/r.git"),
        (f"https://argocd.test/x?token={PW}", "https://argocd.test/x?token=****"),
        ("https://argocd.test:443/root", "https://argocd.test:443/root"),
        ("127.0.0.1:8080", "127.0.0.1:8080"),
    ],
)
def test_an_address_is_shown_without_its_user_info(url, shown):
    assert masked_userinfo(url) == shown
