"""Has a secret leaked into a text, in any form we may have sent it in?

Written independently of gitops_tool.core.redact: it looks for the secret in any case,
URL-encoded, in hex, and for any 12 characters of its base64 encoding (standard or
URL-safe, at each byte offset it could start at inside a longer encoded string), so that
a fragment of an encoded secret counts as a leak too.
"""

from __future__ import annotations

import base64
from urllib.parse import quote, quote_plus

WINDOW = 12  # base64 characters: 9 bytes of the secret


def _base64_windows(secret: bytes) -> set[str]:
    windows = set()
    for offset in range(3):
        for encode in (base64.b64encode, base64.urlsafe_b64encode):
            text = encode(b"\0" * offset + secret + b"\0\0").decode()
            inner = text[offset * 2:(offset + len(secret)) * 4 // 3 - 1]
            windows |= {inner[i:i + WINDOW] for i in range(max(0, len(inner) - WINDOW + 1))}
    return windows


def leaks(text: object, secret: str) -> list[str]:
    """How `secret` shows in `text` ("raw", "url-encoded", "hex", "base64"); [] if it does
    not."""
    shown = str(text)
    folded = shown.casefold()
    found = []
    if secret.casefold() in folded:
        found.append("raw")
    if any(form.casefold() in folded
           for form in (quote(secret, safe=""), quote_plus(secret), quote(quote(secret, safe="")))):
        found.append("url-encoded")
    if secret.encode().hex() in folded:
        found.append("hex")
    if any(window in shown for window in _base64_windows(secret.encode())):
        found.append("base64")
    return found


def assert_no_leak(secret: str, *texts: object) -> None:
    for text in texts:
        how = leaks(text, secret)
        assert not how, f"the secret leaked ({', '.join(how)}) into: {str(text)[:300]}"
