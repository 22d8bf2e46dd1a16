"""`drift --github`: nothing quoted from a file or a server starts a workflow command, in
the error `guarded` reports (exit 2), in an answer Argo CD fails with (exit 3), or in a
warning; under -o json stdout stays one JSON document with the value intact."""

from __future__ import annotations

import json

import pytest

from tests.support.argocd.fake import Fault
from tests.support.workflow_commands import annotations_only

pytestmark = pytest.mark.timeout(120)
LIST = "GET /api/v1/applications"
HOSTILE = [
    "x##[error]pwned",
    "x\n::error::pwned",
    "x\n::warning file=a::pwned %0A::error::again",
    "x%0A::error::pwned\r\n##[set-output name=a]b",
]


def _pin_unknown_service(root, name: str) -> None:
    """A release pin for a service named `name` in environments/dev.yaml: bad input whose
    message quotes the name as it is (newlines included)."""
    path = root / "environments/dev.yaml"
    text = path.read_text()
    assert "\nreleases:\n" in text
    path.write_text(text.replace("\nreleases:\n",
                                 f"\nreleases:\n  {json.dumps(name)}:\n    image: \"1.0.0\"\n"))


@pytest.mark.parametrize("value", HOSTILE)
@pytest.mark.parametrize("output", ["table", "json"])
def test_bad_input_from_a_file_is_one_escaped_error_annotation(cli, root, value, output):
    _pin_unknown_service(root, value)
    result = cli("--github", "-o", output, server=False)
    assert result.exit_code == 2, result.output
    seen = annotations_only(result.stdout, result.stderr)
    assert len(seen) == 1 and seen[0].startswith(
        "::error title=gitops-tool::environments/dev.yaml:"), seen
    assert "%0Ahint: the services are the folders under charts/" in seen[0]
    if output == "json":
        data = json.loads(result.stdout)
        assert value in data["error"] and data["exit_code"] == 2
    else:
        assert result.stdout == ""


def test_without_github_the_error_is_the_plain_two_lines(cli, root):
    _pin_unknown_service(root, "x##[error]pwned")
    result = cli(server=False)
    assert result.exit_code == 2
    assert result.stderr.startswith("error: environments/dev.yaml:")
    assert "##[error]pwned" in result.stderr and "\nhint: " in result.stderr


@pytest.mark.parametrize("value", HOSTILE)
@pytest.mark.parametrize("output", ["table", "json"])
def test_a_server_error_body_starts_no_command(cli, live, tmp_path, value, output):
    body = {"error": value, "message": value, "code": 13}
    live.fault(LIST, *[Fault(500, body=body) for _ in range(12)])
    result = cli("--github", "-o", output, env={"GITHUB_STEP_SUMMARY": str(tmp_path / "s")})
    assert result.exit_code == 3, result.output
    seen = annotations_only(result.stdout, result.stderr)
    assert any(line.startswith("::error title=live drift unknown (dev)::") for line in seen)
    if output == "json":
        data = json.loads(result.stdout)
        # the client keeps the server's message on one line; its words are all there
        assert any("pwned" in u["message"] for u in data["unknown"])


def test_warnings_are_warning_annotations_under_github(cli, live):
    live.fault(LIST, Fault(503))
    result = cli("--github")
    assert result.exit_code == 0, result.output
    warnings = [line for line in annotations_only(result.stdout, result.stderr)
                if line.startswith("::warning")]
    assert len(warnings) == 2, warnings
    assert warnings[0].startswith("::warning title=gitops-tool::Argo CD at 127.0.0.1:")
    assert "answered 503; retry 1 in" in warnings[0]
    assert warnings[1] == "::warning title=gitops-tool::--github: GITHUB_STEP_SUMMARY is " \
        "not set; no step summary written"
    assert "warning:" not in result.stderr
    live.fault(LIST, Fault(503))
    plain = cli()
    assert plain.stderr.startswith("warning: Argo CD at 127.0.0.1:")


@pytest.mark.parametrize("value", HOSTILE)
def test_a_bad_max_lag_under_github_is_one_escaped_error_annotation(cli, value):
    result = cli("--github", "--max-lag", value, server=False)
    assert result.exit_code == 2, result.output
    (line,) = annotations_only(result.stdout, result.stderr)
    assert line.startswith("::error title=gitops-tool::--max-lag ")
    assert "not a duration%0Ahint: write days, hours, minutes or seconds" in line
