"""GitHub Actions output: escaping, one annotation per line, fences, the summary cut."""

from __future__ import annotations

from gitops_tool.output.github import (
    command,
    escape_data,
    escape_property,
    fence,
    markdown_text,
    shielded,
)


def test_data_and_properties_are_escaped_as_the_toolkit_does():
    assert escape_data("50% done\r\nnext") == "50%25 done%0D%0Anext"
    assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"


def test_nothing_from_outside_starts_or_holds_a_workflow_command():
    line = command("error", "x\n::set-output name=a::b ##[add-mask]c",
                   {"file": "a,b.yaml", "line": 3, "title": "t::u", "col": None})
    assert "\n" not in line
    assert line == ("::error file=a%2Cb.yaml,line=3,title=t%3A%3Au::x%0A: :set-output "
                    "name=a: :b ## [add-mask]c")
    assert line.count("::") == 2  # the command's own two


def test_shielded_text_is_wrapped_in_stop_commands():
    text = shielded("::error::x\n", token="tok")
    assert text == "::stop-commands::tok\n::error::x\n::tok::"
    assert shielded("a").startswith("::stop-commands::gitops-tool-")


def test_a_fence_outlasts_the_backticks_inside():
    assert fence("a ``` b\n", "diff") == "````diff\na ``` b\n````"
    assert fence("plain") == "```\nplain\n```"


def test_markdown_text_escapes_formatting_html_and_cells():
    assert markdown_text("a|b *c* <img src=x> & [l](u)\nnext") == \
        "a\\|b \\*c\\* &lt;img src=x&gt; &amp; \\[l\\](u) next"
    assert markdown_text("bell\x07") == "bell\\\\x07"


def test_json_for_actions_keeps_the_value_and_hides_legacy_commands():
    import json

    from gitops_tool.output.github import json_for_actions

    text = json.dumps({"error": "x##[error]pwned ##[", "n": ["##[a]"]}, indent=2)
    safe = json_for_actions(text)
    assert "##[" not in safe and json.loads(safe) == json.loads(text)
