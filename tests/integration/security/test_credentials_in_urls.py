"""Credentials in URLs (issue 10, matrix rows 36 and 42).

- A URL with credentials in an environment file or gitops-tool.yaml is refused (exit 2) by
  every command that reads it, naming the file:line and key, the URL masked; nothing is
  written, nothing is asked of Argo CD.
- An Argo CD server address with credentials (ARGOCD_SERVER, --server, ARGOCD_OPTS, a
  config context; with or without a scheme) is refused (exit 2) before any request.
- A server that echoes the token back, in any case or encoding we could have sent it in,
  never gets it printed: not in stdout, stderr, --debug tracebacks and logs, nor errors.
"""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path
from urllib.parse import quote

import pytest
from typer.testing import CliRunner

from gitops_tool.adapters.argocd.runtime import Runtime
from gitops_tool.cli import app
from gitops_tool.cli.app import GlobalOptions
from tests.support.argocd.apps import populate
from tests.support.argocd.fake import Fault, runtime_error
from tests.support.argocd.fixtures import FAST, SENTINEL
from tests.support.sentinel import assert_no_leak

pytestmark = pytest.mark.timeout(60)

PASSWORD = "pw-SENTINEL-6f1d2c"  # never to be printed, in any form
GOOD_REPO = "https://github.com/ananta-platform/ananta-gitops.git"


@pytest.fixture
def invoke(monkeypatch, tmp_path, clock, caplog):
    """Run gitops-tool with a clean Argo CD environment, a fake clock and short timeouts;
    every output is checked for the URL password and the token, in every form."""
    for key in ("ARGOCD_SERVER", "ARGOCD_AUTH_TOKEN", "ARGOCD_OPTS", "ARGOCD_CONFIG_DIR"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("ARGOCD_CONFIG_DIR", str(tmp_path / "no-argocd-config"))

    def run(*args: str, env: dict[str, str] | None = None, secrets=(PASSWORD, SENTINEL)):
        for key, value in (env or {}).items():
            monkeypatch.setenv(key, value)
        runtime = Runtime(clock=clock, policy=FAST, new_id=lambda: "run-1")
        result = CliRunner().invoke(app, list(args), obj=GlobalOptions(runtime=runtime))
        for secret in secrets:
            assert_no_leak(secret, result.stdout, result.stderr, repr(result.exception),
                           caplog.text)  # logs: --debug's request lines, urllib3's
        return result

    return run


def _hashes(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


# -- URLs in the repository ------------------------------------------------------------

REPO_URLS = {
    "password": f"https://user:{PASSWORD}@github.com/ananta-platform/ananta-gitops.git",
    "password with / and @": f"https://user:{PASSWORD}/x@y@github.com/ananta/gitops.git",
    "password with ?": f"https://user:{PASSWORD}?x@github.com/ananta/gitops.git",
    "percent-encoded password": "https://user:" + quote(PASSWORD + "/@") +
                                "@github.com/ananta/gitops.git",
    "token as user name": "https://ghp_" + PASSWORD.replace("-", "") + "0123456789abcdefghij"
                          "@github.com/ananta/gitops.git",
    "token in the query": f"https://github.com/ananta/gitops.git?access_token={PASSWORD}",
    "ssh with a password": f"ssh://git:{PASSWORD}@github.com/ananta/gitops.git",
    "encoded colon": f"https://user%3A{PASSWORD}@github.com/ananta/gitops.git",
    "encoded colon, lowercase": f"https://user%3a{PASSWORD}@github.com/ananta/gitops.git",
    "encoded colon, twice": f"https://user%253A{PASSWORD}@github.com/ananta/gitops.git",
    "encoded colon and a '/'": f"https://user%3A{PASSWORD}/x@github.com/ananta/gitops.git",
    "token as user name, no password": "https://ghp_" + PASSWORD.replace("-", "")
                                       + "0123456789abcdefghij@github.com",
    # nothing expands an environment file: a password that looks like a variable is one
    "password like a variable": "https://deploy:$" + PASSWORD.replace("-", "_")
                                + "@github.com/ananta/gitops.git",
    "password like a variable, encoded": "https://deploy:%24" + PASSWORD.replace("-", "_")
                                         + "@github.com/ananta/gitops.git",
    "password like ${VAR}": "https://deploy:${" + PASSWORD.replace("-", "_")
                            + "}@github.com/ananta/gitops.git",
}


@pytest.mark.parametrize("kind", sorted(REPO_URLS))
def test_a_repo_url_with_credentials_is_refused_by_every_command(invoke, tree_copy, kind):
    url = REPO_URLS[kind]
    env_file = tree_copy / "environments/staging.yaml"
    text = env_file.read_text().replace(f"repoURL: {GOOD_REPO}", f"repoURL: '{url}'")
    env_file.write_text(text)
    line = next(i for i, t in enumerate(text.splitlines(), 1) if t.startswith("repoURL:"))
    before = _hashes(tree_copy / "argocd")
    repo = ["--repo", str(tree_copy)]
    server = {"ARGOCD_SERVER": "http://127.0.0.1:9", "ARGOCD_AUTH_TOKEN": SENTINEL}
    for args in (["render"], ["render", "--check"], ["validate", "--no-helm"],
                 ["status", "staging"], ["sync", "staging", "--dry-run"], ["doctor", "staging"]):
        result = invoke(*repo, *args, env=server)
        assert result.exit_code == 2, (args, result.stdout, result.stderr)
        assert f"environments/staging.yaml:{line}: repoURL:" in result.stderr, args
        assert "****" in result.stderr and "credentials" in result.stderr
        assert "repository" in result.stderr  # the hint: Argo CD's repository secrets
    assert _hashes(tree_copy / "argocd") == before  # nothing written
    for path in (tree_copy / "argocd").rglob("*"):
        if path.is_file():
            assert_no_leak(PASSWORD, path.read_text())


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("  server: https://staging.k8s.ananta.io",
         f"  server: https://admin:{PASSWORD}@staging.k8s.ananta.io"),
        ('domain: "*-staging.ananta.io"', f'domain: "u:{PASSWORD}@staging.ananta.io"'),
        ("  server: https://staging.k8s.ananta.io",
         f"  server: https://admin%3A{PASSWORD}@staging.k8s.ananta.io"),
        ('domain: "*-staging.ananta.io"', f'domain: "u%253A{PASSWORD}@staging.ananta.io"'),
    ],
    ids=["destination.server", "scheme-less in domain", "destination.server, encoded colon",
         "scheme-less in domain, encoded twice"],
)
def test_any_url_with_credentials_in_an_environment_is_refused(invoke, tree_copy, old, new):
    env_file = tree_copy / "environments/staging.yaml"
    env_file.write_text(env_file.read_text().replace(old, new))
    result = invoke("--repo", str(tree_copy), "render", "--check")
    assert result.exit_code == 2 and "environments/staging.yaml:" in result.stderr
    assert "holds a password" in result.stderr


@pytest.mark.parametrize("userinfo", [f"ci:{PASSWORD}", f"ci%3A{PASSWORD}", f"ci%3a{PASSWORD}",
                                      f"ci%253A{PASSWORD}"])
def test_a_url_with_credentials_in_gitops_tool_yaml_is_refused(invoke, tree_copy, userinfo):
    settings = tree_copy / "gitops-tool.yaml"
    settings.write_text(settings.read_text().replace(
        "output: argocd", f"output: 'https://{userinfo}@ci.example.test/out'"))
    for args in (["render"], ["render", "--check"], ["validate", "--no-helm"]):
        result = invoke("--repo", str(tree_copy), *args)
        assert result.exit_code == 2, (args, result.stdout, result.stderr)
        assert "gitops-tool.yaml:" in result.stderr and "output: the URL" in result.stderr
        assert "'https://ci:****@ci.example.test/out' holds a password" in result.stderr


# -- the Argo CD server address --------------------------------------------------------

def _config(tmp_path: Path, server: str) -> Path:
    folder = tmp_path / "argocd-config-ctx"
    folder.mkdir(exist_ok=True)
    (folder / "config").write_text(
        f"current-context: c\ncontexts:\n- {{name: c, server: '{server}', user: u}}\n"
        f"servers:\n- {{server: '{server}', insecure: true}}\n"
        f"users:\n- {{name: u, auth-token: {SENTINEL}}}\n")
    (folder / "config").chmod(0o600)
    return folder


# The user info of a server address: as written, and the forms that hide the colon or the
# token: (user info, what the refusal says, how it shows the address).
SERVER_CREDENTIALS = {
    "password": (f"admin:{PASSWORD}", "holds a password", "admin:****@127.0.0.1"),
    "encoded colon": (f"admin%3A{PASSWORD}", "holds a password", "admin:****@127.0.0.1"),
    "encoded colon, lowercase": (f"admin%3a{PASSWORD}", "holds a password",
                                 "admin:****@127.0.0.1"),
    "encoded colon, twice": (f"admin%253A{PASSWORD}", "holds a password",
                             "admin:****@127.0.0.1"),
    "token as user name": ("ghp_" + PASSWORD.replace("-", "") + "0123456789abcdefghij",
                           "holds a token as its user name", "****@127.0.0.1"),
}


def _server_given(where: str, server: str) -> tuple[dict[str, str], list[str]]:
    """(environment, flags) that give `server` to a command the way `where` says, with the
    sentinel token."""
    env = {"ARGOCD_AUTH_TOKEN": SENTINEL}
    if where == "--server":
        return env, ["--server", server]
    if where == "ARGOCD_OPTS":
        return {**env, "ARGOCD_OPTS": f"--server {server} --plaintext"}, []
    return {**env, "ARGOCD_SERVER": server}, []


@pytest.mark.parametrize("where", ["ARGOCD_SERVER", "--server", "ARGOCD_OPTS", "context"])
@pytest.mark.parametrize("scheme", ["http://", ""])
@pytest.mark.parametrize("form", sorted(SERVER_CREDENTIALS))
def test_a_server_address_with_credentials_is_refused_before_any_request(
    invoke, fake, tree, tree_root, tmp_path, where, scheme, form
):
    populate(fake, tree, "dev")
    userinfo, problem, shown = SERVER_CREDENTIALS[form]
    server = f"{scheme}{userinfo}@127.0.0.1:{fake.port}"
    if where == "context":
        env, flags = {"ARGOCD_CONFIG_DIR": str(_config(tmp_path, server))}, []
    else:
        env, flags = _server_given(where, server)
    for verb in (["status", "dev"], ["sync", "dev"], ["doctor", "dev"]):
        result = invoke("--repo", str(tree_root), *verb, *flags, env=env)
        assert result.exit_code == 2, (verb, result.stdout, result.stderr)
        said = result.stdout + result.stderr
        assert problem in said and shown in said
    assert fake.records == []  # nothing was sent


@pytest.mark.parametrize("where", ["ARGOCD_SERVER", "--server", "ARGOCD_OPTS"])
def test_a_user_name_in_the_server_address_is_never_shown(invoke, tree_root, where):
    """A user name alone is no credential and is not refused, but no message shows it."""
    server = "http://deploy-SENTINEL-bot@127.0.0.1:9"  # nothing listens on port 9
    env, flags = _server_given(where, server)
    # status and sync fail on the unreachable server (3); doctor reports a failed check (1)
    for verb, code in ((["status", "dev"], 3), (["sync", "dev"], 3), (["doctor", "dev"], 1)):
        result = invoke("--repo", str(tree_root), *verb, *flags, env=env,
                        secrets=(PASSWORD, SENTINEL, "deploy-SENTINEL-bot"))
        assert result.exit_code == code, (verb, result.stdout, result.stderr)
        assert "****@127.0.0.1:9" in result.stdout + result.stderr, verb


# -- a server that echoes the token ----------------------------------------------------

TOKEN = "tok-SENTINEL-a/b+c=d:e@f 9e3c"  # characters that URL-encoding changes

ECHOES = {
    "raw": lambda t: t,
    "upper": str.upper,
    "lower": str.lower,
    "url-encoded": lambda t: quote(t, safe=""),
    "url-encoded lowercase": lambda t: quote(t, safe="").lower(),
    "hex": lambda t: t.encode().hex(),
    "base64": lambda t: base64.b64encode(t.encode()).decode(),
    "base64url": lambda t: base64.urlsafe_b64encode(t.encode()).decode(),
    "base64 of the header": lambda t: base64.b64encode(f"Bearer {t}".encode()).decode(),
    "inside a longer base64": lambda t: base64.b64encode(f"x={t};y=1".encode()).decode(),
}


@pytest.fixture
def echo(start_fake, tree):
    server = start_fake(token=TOKEN)
    populate(server, tree, "dev")
    return server


@pytest.mark.parametrize("form", sorted(ECHOES))
@pytest.mark.parametrize("debug", [False, True], ids=["", "debug"])
def test_a_token_echoed_in_an_error_is_never_printed(invoke, echo, tree_root, form, debug):
    said = f"invalid session: {ECHOES[form](TOKEN)} is expired"
    echo.fault("GET /api/v1/applications", Fault(401, body=runtime_error(16, said)))
    env = {"ARGOCD_SERVER": echo.url, "ARGOCD_AUTH_TOKEN": TOKEN}
    result = invoke(*(["--debug"] if debug else []), "--repo", str(tree_root), "status", "dev",
                    env=env, secrets=(TOKEN,))
    assert result.exit_code == 3  # the server's message is shown, the token scrubbed from it
    assert re.search(r"invalid session: \S*\*\*\*\S* is expired", result.stderr)


@pytest.mark.parametrize("form", sorted(ECHOES))
def test_a_token_echoed_in_an_answer_is_never_printed(invoke, echo, tree_root, form):
    version = dict(echo.version, Version=f"v3.6.0+{ECHOES[form](TOKEN)}")
    echo.fault("GET /api/version", Fault(200, body=version))
    echo.apps["dev-api"].health_message = f"token {ECHOES[form](TOKEN)} seen"
    echo.apps["dev-api"].health = "Degraded"
    env = {"ARGOCD_SERVER": echo.url, "ARGOCD_AUTH_TOKEN": TOKEN}
    doctor = invoke("--repo", str(tree_root), "doctor", "dev", env=env, secrets=(TOKEN,))
    assert re.search(r"v3\.6\.0\+\S*\*\*\*", doctor.stdout)
    status = invoke("--repo", str(tree_root), "status", "dev", "-o", "json", env=env,
                    secrets=(TOKEN,))
    assert status.exit_code == 1


def test_a_token_hidden_behind_json_escapes_is_never_printed(invoke, echo, tree_root):
    escaped = "".join(f"\\u{ord(c):04x}" for c in TOKEN)  # valid JSON, the same string
    body = '{"code": 16, "error": "x", "message": "invalid session: ' + escaped + '"}'
    echo.fault("GET /api/v1/applications", Fault(401, body=body))
    result = invoke("--repo", str(tree_root), "status", "dev", secrets=(TOKEN,),
                    env={"ARGOCD_SERVER": echo.url, "ARGOCD_AUTH_TOKEN": TOKEN})
    assert result.exit_code == 3 and "invalid session: ***" in result.stderr
    version = '{"Version": "v3.6.0+' + escaped + '"}'
    echo.fault("GET /api/version", Fault(200, body=version))
    doctor = invoke("--repo", str(tree_root), "doctor", "dev", secrets=(TOKEN,),
                    env={"ARGOCD_SERVER": echo.url, "ARGOCD_AUTH_TOKEN": TOKEN})
    assert "v3.6.0+***" in doctor.stdout


def test_a_redirect_shows_only_the_host_it_points_at(invoke, fake, tree, tree_root):
    populate(fake, tree, "dev")
    target = f"https://admin:{PASSWORD}@elsewhere.test:8443/api?token={PASSWORD}"
    fake.fault("GET /api/v1/applications", Fault(302, headers={"Location": target}))
    result = invoke("--repo", str(tree_root), "status", "dev",
                    env={"ARGOCD_SERVER": fake.url, "ARGOCD_AUTH_TOKEN": SENTINEL})
    assert result.exit_code == 3 and "redirected (302) to elsewhere.test:8443" in result.stderr
