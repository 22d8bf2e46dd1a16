"""Scrub a secret we sent from text a server sends back, in every form it may take.

Pure. A server (or a proxy before it) may echo what it received: the token as sent, in
another case, URL-encoded, in hex, or base64-encoded, alone or inside a longer encoded
string (`Bearer <token>`, `user:password`). `Redactor` replaces each of those forms with
`***`:

- the secret itself, URL-encoded (`quote`, `quote_plus`, twice) and hex: in any case;
- base64 (standard and URL-safe alphabets): the characters that depend only on the secret,
  at each of the three byte offsets it can start at inside a longer encoded string, so
  that padding, a prefix or a suffix does not hide it. Case matters in base64.

Secrets shorter than MIN_LENGTH are not scrubbed: replacing a short common string would
mangle the output and protect nothing.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any
from urllib.parse import quote, quote_plus

REDACTED = "***"
MIN_LENGTH = 8


def _base64_cores(secret: bytes) -> set[str]:
    """The base64 characters fixed by `secret` alone, at byte offsets 0, 1 and 2."""
    cores = set()
    for offset in range(3):
        encoded = base64.b64encode(b"\0" * offset + secret + b"\0\0").decode()
        first = -(-offset * 8 // 6)  # the first character holding no prefix bit
        last = (offset + len(secret)) * 8 // 6  # past the last holding only secret bits
        core = encoded[first:last]
        if len(core) >= MIN_LENGTH // 2:
            cores.add(core)
            cores.add(core.replace("+", "-").replace("/", "_"))
    return cores


def forms_of(secret: str) -> tuple[set[str], set[str]]:
    """(forms matched in any case, forms matched exactly) of `secret`."""
    raw = secret.encode()
    any_case = {
        secret,
        quote(secret, safe=""),
        quote(secret),
        quote_plus(secret),
        quote(quote(secret, safe=""), safe=""),
        raw.hex(),
    }
    return any_case, _base64_cores(raw)


class Redactor:
    """Replaces every form of the given secrets with `***`, in text and in parsed JSON."""

    __slots__ = ("_any_case", "_chars", "_escapes", "_exact", "_fixed", "_folded")

    def __init__(self, secrets: Iterable[str]) -> None:
        any_case: set[str] = set()
        exact: set[str] = set()
        for secret in secrets:
            if secret and len(secret) >= MIN_LENGTH:
                folded, fixed = forms_of(secret)
                any_case |= folded
                exact |= fixed
        self._any_case = _alternation(any_case, re.IGNORECASE)
        self._exact = _alternation(exact, 0)
        self._folded = tuple({f.lower() for f in any_case})
        self._fixed = tuple(exact)
        self._chars = frozenset(c for f in any_case | exact for c in f.lower() + f.upper() + f)
        others = "".join(re.escape(c) for c in "\"\\/" if c in self._chars)
        self._escapes = re.compile(r"\\u([0-9a-fA-F]{4})" + (rf"|\\[{others}]" if others else ""))

    def in_json(self, text: str) -> bool:
        """Whether raw JSON `text` may hold a form of a secret: as written, or hidden behind
        a JSON escape of one of its characters (`\\u0074ok`, `\\/`). When False, nothing
        parsed from it needs scrubbing; a few substring searches, no walk of the data."""
        if not self._folded and not self._fixed:
            return False
        lowered = text.lower()
        if any(form in lowered for form in self._folded) or any(
            form in text for form in self._fixed
        ):
            return True
        for match in self._escapes.finditer(text):
            if match.group(1) is None or chr(int(match.group(1), 16)) in self._chars:
                return True
        return False

    def text(self, text: str) -> str:
        """`text` with every form of the secrets replaced."""
        for pattern in (self._any_case, self._exact):
            if pattern is not None:
                text = pattern.sub(REDACTED, text)
        return text

    def data(self, data: Any) -> Any:
        """Parsed JSON with every string (keys too) passed through `text`."""
        return map_strings(data, self.text)


def map_strings(data: Any, fn: Callable[[str], str]) -> Any:
    """Parsed JSON with `fn` applied to every string in it, keys included."""
    if isinstance(data, str):
        return fn(data)
    if isinstance(data, Mapping):
        return {fn(k) if isinstance(k, str) else k: map_strings(v, fn) for k, v in data.items()}
    if isinstance(data, list):
        return [map_strings(v, fn) for v in data]
    return data


def _alternation(forms: set[str], flags: int) -> re.Pattern[str] | None:
    if not forms:
        return None
    ordered = sorted(forms, key=len, reverse=True)  # the longest form first
    return re.compile("|".join(re.escape(f) for f in ordered), flags)
