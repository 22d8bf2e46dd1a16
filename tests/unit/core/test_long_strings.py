"""Every pattern the tool runs over text from outside is linear in the text's length: a long
string in an environment file, a values file or a git message is checked in bounded time
(pytest-timeout is the guard; nothing here asserts a duration)."""

from __future__ import annotations

import pytest

from gitops_tool.adapters.git.errors import scrub
from gitops_tool.core.urls import masked_urls, urls_in
from gitops_tool.core.validate.secrets import file_secrets
from gitops_tool.core.validate.shapes import shapes_in

LONG = 300_000
TEXTS = {
    "letters": "a" * LONG,
    "letters then a scheme mark": "a" * LONG + "!://",
    "dotted": "a." * (LONG // 2),
    "blanks after an assignment": "A_PASSWORD=" + " " * LONG + "x",
    "colons": "a:" * (LONG // 2),
    "a key prefix then letters": "sk-" + "a" * LONG,
    "key prefixes repeated": "sk-proj-glpat-SG.npm_SK" * (LONG // 23),
    "basic then base64": "Basic " + "QUFB" * (LONG // 4),
    "basics repeated": "basic " * (LONG // 6),
    "a webhook path then digits": "discord.com/api/webhooks/" + "1" * LONG,
}


@pytest.mark.timeout(20)
@pytest.mark.parametrize("name", list(TEXTS))
def test_long_strings_are_scanned_in_linear_time(name):
    text = TEXTS[name]
    assert urls_in(text) == []
    assert masked_urls(text) == text
    assert "****" not in scrub(text)
    list(shapes_in(text))
    list(file_secrets(text))


def test_a_url_inside_a_long_word_is_still_found():
    assert urls_in("see https://user:pw@example.com/x here") == ["https://user:pw@example.com/x"]
    assert scrub("fatal: https://bot:tok@git.example.org/r.git") == \
        "fatal: https://***@git.example.org/r.git"
