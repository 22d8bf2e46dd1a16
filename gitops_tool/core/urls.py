"""Credentials inside URLs: find them, and show a URL without them.

Pure. A URL may carry a credential in three places: a password in its user info
(`https://user:PASSWORD@host`, also with the colon percent-encoded once or more,
`user%3APASSWORD@`, `user%253APASSWORD@`), a token written as the user name
(`https://ghp_...@github.com`), or a query parameter named like a secret
(`?access_token=...`). None of them belongs in a file of the repository, an Argo CD server
address or a git remote: Argo CD keeps repository credentials in its own Secrets, the token
goes in ARGOCD_AUTH_TOKEN, git asks a credential helper. The user info is read
percent-decoded; a user name shown in a message is shown as written only when it is a plain
name.

    url_credentials("https://bob:hunter2@github.com/x.git")  # -> "a password"
    masked_url("https://bob:hunter2@github.com/x.git")       # -> "https://bob:****@github.com/x.git"
    masked_userinfo("http://admin@argocd:8080")             # -> "http://****@argocd:8080"

Both also read the scheme-less forms people write: `user:pw@host:port` (an Argo CD
server) and scp-like git remotes (`git@github.com:org/repo.git`, which carry no password).
Nothing here ever returns a credential itself.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import unquote

MASK = "****"
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*://)")
# URLs inside a longer text: a scheme (at the start of a word, at most 32 characters), then
# anything up to white space or a quote. Anchoring the scheme keeps the search linear: a long
# run of letters is tried once, not from each of its characters.
_URL_IN_TEXT = re.compile(r"(?<![A-Za-z0-9+.-])[A-Za-z][A-Za-z0-9+.-]{0,31}://[^\s\"'<>`]+")
# A user name that is a token rather than a name: long, and mixing letters and digits.
_TOKEN_LIKE = re.compile(r"^(?=.*[A-Za-z])(?=.*[0-9])[A-Za-z0-9_.~-]{20,}$")
# A user name shown as written: the characters of a plain name.
_PLAIN_NAME = re.compile(r"^[A-Za-z0-9_.~-]*$")
# How many rounds of percent-encoding are undone (`%253A` is `:` encoded twice).
_DECODE_ROUNDS = 8
# Query parameter names that carry a credential (their last word, lowercased).
_SECRET_PARAMS = frozenset({
    "token", "password", "passwd", "pwd", "pass", "secret", "sig", "signature", "key",
    "apikey", "credential", "credentials", "auth",
})
_WORDS = re.compile(r"[a-z0-9]+")
# A value that stands for a credential instead of being one: `${VAR}`, `$(VAR)`, `{{ x }}`,
# `<password>`, `%(password)s`, or empty.
_PLACEHOLDER = re.compile(
    r"^(\$\{[^}]*\}|\$\([^)]*\)|\$[A-Za-z_]\w*|\{\{.*\}\}|<[^>]*>|%\([^)]*\)s)$"
)


def _split(url: str) -> tuple[str, str, str]:
    """(scheme with '://' or "", the authority, the rest from the first '/', '?' or '#')."""
    match = _SCHEME.match(url)
    scheme = match.group(1) if match else ""
    rest = url[len(scheme):]
    end = len(rest)
    for stop in "/?#":
        found = rest.find(stop)
        if found != -1:
            end = min(end, found)
    return scheme, rest[:end], rest[end:]


def _decoded(text: str) -> str:
    """`text` with percent-encoding undone, as many rounds as it takes (up to a bound)."""
    for _ in range(_DECODE_ROUNDS):
        if "%" not in text:
            break
        decoded = unquote(text)
        if decoded == text:
            break
        text = decoded
    return text


def _userinfo(authority: str) -> tuple[str | None, str | None, str]:
    """(user, password, host[:port]) of an authority, user and password percent-decoded and
    None when absent. The user info is decoded before it is split, so an encoded colon
    (`user%3Apw`, `user%253Apw`) parts user and password as a plain one does."""
    if "@" not in authority:
        return None, None, authority
    info, _, host = authority.rpartition("@")
    user, colon, password = _decoded(info).partition(":")
    return user, (password if colon else None), host


def _shown_name(user: str) -> str:
    """A user name as it may be printed: as written when plain, else masked."""
    return user if _PLAIN_NAME.match(user) and not _TOKEN_LIKE.match(user) else MASK


def placeholder(value: str) -> bool:
    """Whether `value` names a credential kept elsewhere rather than holding one."""
    text = value.strip()
    return not text or bool(_PLACEHOLDER.match(text))


def _secret_param(name: str) -> bool:
    words = _WORDS.findall(name.lower())
    return bool(words) and words[-1] in _SECRET_PARAMS


def _query_secrets(rest: str) -> Iterator[tuple[str, int, int]]:
    """(name, start, end in `rest`) of each query value whose parameter is named like a
    secret."""
    start = rest.find("?")
    if start == -1:
        return
    end = rest.find("#", start)
    end = len(rest) if end == -1 else end
    pos = start + 1
    for pair in rest[start + 1:end].split("&"):
        name, eq, value = pair.partition("=")
        if eq and value and _secret_param(name) and not placeholder(value):
            yield name, pos + len(name) + 1, pos + len(pair)
        pos += len(pair) + 1


def _cut_password(host: str, rest: str) -> int | None:
    """Where in `rest` a password holding '/', '?' or '#' ends, for `user:PASS/WORD@host`:
    the authority then ends early, leaving `user:PASS` where host:port should be, and an '@'
    follows. None otherwise. Everything up to the last '@' counts (masking too much is safe).
    What follows the first ':' is a port only when it is all digits (`user:pw:0#x@host` is
    a password, not a host with a port)."""
    host = _decoded(host)
    port = host.partition(":")[2]
    if ":" not in host or host.startswith("[") or port.isdigit() or "@" not in rest:
        return None
    return rest.rfind("@")


def url_credentials(url: str, placeholders: bool = True) -> str | None:
    """What credential `url` carries ("a password", "a token as its user name", "a secret in
    its query (token=)"), or None. A user name alone (`git@`, `ssh://deploy@`) is not one.
    With `placeholders` False, a password that looks like a placeholder (`$VAR`, `${VAR}`)
    counts too: where nothing expands it (gitops-tool copies an environment's repoURL into
    the Applications as written, and Argo CD does not expand it), it is the password."""
    _, authority, rest = _split(url.strip())
    user, password, host = _userinfo(authority)
    if password is not None and password.strip() and (
            not placeholders or not placeholder(password)):
        return "a password"
    if user is not None and _TOKEN_LIKE.match(user):
        return "a token as its user name"
    if user is None and _cut_password(host, rest) is not None:
        return "a password"
    for name, _, _ in _query_secrets(rest):
        return f"a secret in its query ({name}=)"
    return None


def masked_url(url: str, mask: str = MASK, placeholders: bool = True) -> str:
    """`url` with every credential replaced by `mask`: the password, a token used as the
    user name, secret query values. The rest (scheme, user name, host, path) is kept; a URL
    without a credential comes back as it was. `placeholders` as for url_credentials."""
    if url_credentials(url, placeholders) is None:
        return url
    scheme, authority, rest = _split(url)
    user, password, host = _userinfo(authority)
    if user is not None:
        shown = _shown_name(user)
        if password is not None:
            shown += ":" + (password if placeholders and placeholder(password) else mask)
        authority = f"{shown}@{host}"
    elif (at := _cut_password(host, rest)) is not None:
        name = _decoded(host).partition(":")[0]
        authority, rest = f"{_shown_name(name)}:{mask}", rest[at:]
    return scheme + authority + _masked_query(rest, mask)


def masked_userinfo(url: str, mask: str = MASK) -> str:
    """`url` with its whole user info, if any, replaced by `mask` (a user name too), and
    secret query values masked: for an address shown in a message."""
    scheme, authority, rest = _split(url)
    if "@" in authority:
        authority = f"{mask}@{authority.rpartition('@')[2]}"
    elif (at := _cut_password(authority, rest)) is not None:
        authority, rest = mask, rest[at:]
    return scheme + authority + _masked_query(rest, mask)


def _masked_query(rest: str, mask: str) -> str:
    """`rest` (path, query, fragment) with every secret query value replaced by `mask`."""
    for _, start, end in reversed(list(_query_secrets(rest))):
        rest = rest[:start] + mask + rest[end:]
    return rest


def urls_in(text: str) -> list[str]:
    """The URLs (with a scheme) written inside `text`."""
    return _URL_IN_TEXT.findall(text)


def masked_urls(text: str) -> str:
    """`text` with the credentials of every URL in it masked."""
    return _URL_IN_TEXT.sub(lambda m: masked_url(m.group(0)), text)
