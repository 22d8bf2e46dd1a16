"""core/redact.py: every form of a secret we sent is scrubbed from what comes back."""

from __future__ import annotations

import base64
import json
import string
from urllib.parse import quote, quote_plus

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gitops_tool.core.redact import REDACTED, Redactor
from tests.support.sentinel import leaks

TOKEN = "tok-SENTINEL-0123456789abcdef/+=:@ x"

FORMS = {
    "raw": lambda t: t,
    "upper": str.upper,
    "lower": str.lower,
    "swapped case": str.swapcase,
    "url-encoded": lambda t: quote(t, safe=""),
    "url-encoded, lower hex": lambda t: quote(t, safe="").lower(),
    "form-encoded": quote_plus,
    "url-encoded twice": lambda t: quote(quote(t, safe=""), safe=""),
    "hex": lambda t: t.encode().hex(),
    "HEX": lambda t: t.encode().hex().upper(),
    "base64": lambda t: base64.b64encode(t.encode()).decode(),
    "base64, no padding": lambda t: base64.b64encode(t.encode()).decode().rstrip("="),
    "base64url": lambda t: base64.urlsafe_b64encode(t.encode()).decode(),
    "base64 of Bearer <token>": lambda t: base64.b64encode(f"Bearer {t}".encode()).decode(),
    "base64 of user:<token>": lambda t: base64.b64encode(f"admin:{t}".encode()).decode(),
    "base64 of <token> and more": lambda t: base64.b64encode(f"{t}; path=/".encode()).decode(),
}


@pytest.mark.parametrize("form", sorted(FORMS))
def test_every_form_is_scrubbed_inside_a_longer_text(form):
    echoed = f'{{"message": "invalid session: {FORMS[form](TOKEN)} (from 10.0.0.1)"}}'
    scrubbed = Redactor([TOKEN]).text(echoed)
    assert leaks(scrubbed, TOKEN) == [], scrubbed
    assert REDACTED in scrubbed and scrubbed.startswith('{"message": "invalid session: ')


@given(
    token=st.text(string.printable.strip(), min_size=8, max_size=40),
    prefix=st.binary(max_size=5),
    suffix=st.binary(max_size=5),
    alphabet=st.sampled_from([base64.b64encode, base64.urlsafe_b64encode]),
)
def test_base64_at_any_offset_is_scrubbed(token, prefix, suffix, alphabet):
    encoded = alphabet(prefix + token.encode() + suffix).decode()
    scrubbed = Redactor([token]).text(f"echo {encoded} end")
    assert "base64" not in leaks(scrubbed, token), scrubbed


def test_parsed_json_is_scrubbed_keys_too_and_other_text_is_kept():
    data = {"items": [{"metadata": {"name": "dev-api", TOKEN.upper(): 1},
                       "message": f"hello {TOKEN.lower()}"}], "n": 3}
    assert Redactor([TOKEN]).data(data) == {
        "items": [{"metadata": {"name": "dev-api", REDACTED: 1}, "message": f"hello {REDACTED}"}],
        "n": 3}


@pytest.mark.parametrize("escape", [
    lambda t: "".join(f"\\u{ord(c):04x}" for c in t),  # every character escaped
    lambda t: f"\\u{ord(t[0]):04X}" + t[1:],  # the first one, upper-case hex
    lambda t: t.replace("/", "\\/"),  # the escape Go never writes
])
def test_json_escapes_do_not_hide_the_token(escape):
    raw = '{"message": "expired: ' + escape(TOKEN.replace(" ", "/")) + '"}'
    redactor = Redactor([TOKEN.replace(" ", "/")])
    assert redactor.in_json(raw)
    assert leaks(redactor.data(json.loads(raw)), TOKEN.replace(" ", "/")) == []


def test_answers_without_the_token_need_no_walk():
    redactor = Redactor([TOKEN])
    assert not redactor.in_json(json.dumps({"items": [{"metadata": {"name": "dev-api"},
                                                       "message": "<ok> & done"}]}))


def test_a_short_secret_is_not_scrubbed_everywhere():
    assert Redactor(["abc"]).text("abcabc") == "abcabc"
