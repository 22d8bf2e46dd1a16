"""Finding the server and token like the argocd CLI (matrix rows 6 and 33)."""

from __future__ import annotations

import base64
import os
import re
from pathlib import Path

import pytest

from gitops_tool.adapters.argocd.config import (
    ConnectionFlags,
    Secret,
    base_url,
    config_path,
    parse_opts,
    resolve_connection,
)
from gitops_tool.errors import InputError

TOKEN = "tok-SENTINEL-config"
CONFIG = """\
contexts:
- name: work
  server: argocd.work.test
  user: argocd.work.test
- name: lab
  server: lab.test:8080
  user: lab.test:8080
current-context: work
servers:
- server: argocd.work.test
  grpc-web-root-path: ""
- server: lab.test:8080
  plain-text: true
  insecure: true
users:
- name: argocd.work.test
  auth-token: {token}
- name: lab.test:8080
  auth-token: lab-token
"""


def write_config(folder: Path, text: str = CONFIG.format(token=TOKEN), mode: int = 0o600) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "config"
    path.write_text(text)
    path.chmod(mode)
    return path


def resolve(env: dict[str, str], flags: ConnectionFlags | None = None, home: Path = Path("/x")):
    return resolve_connection(flags or ConnectionFlags(), env, home)


def test_the_current_context_gives_server_and_token(tmp_path):
    write_config(tmp_path)
    conn = resolve({"ARGOCD_CONFIG_DIR": str(tmp_path)})
    assert conn.base_url == "https://argocd.work.test"
    assert conn.token.reveal() == TOKEN and conn.verify is True
    assert conn.token_source == f"context 'work' in {tmp_path / 'config'}"


@pytest.mark.parametrize("mode", [0o600, 0o400])
def test_modes_0600_and_0400_are_accepted(tmp_path, mode):
    write_config(tmp_path, mode=mode)
    assert resolve({"ARGOCD_CONFIG_DIR": str(tmp_path)}).token.reveal() == TOKEN


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o660, 0o700])
def test_a_loose_mode_is_refused_and_the_file_left_alone(tmp_path, mode):
    path = write_config(tmp_path, mode=mode)
    before = (path.stat().st_mtime_ns, path.read_bytes())
    with pytest.raises(InputError) as info:
        resolve({"ARGOCD_CONFIG_DIR": str(tmp_path),
                 "ARGOCD_SERVER": "x.test", "ARGOCD_AUTH_TOKEN": "t"})
    assert str(path) in info.value.message and f"{mode:04o}" in info.value.message
    assert info.value.hint == f"chmod 600 {path}"
    assert (path.stat().st_mtime_ns, path.read_bytes()) == before
    assert oct(path.stat().st_mode & 0o777) == oct(mode)


def test_malformed_yaml_names_the_position_but_never_the_text(tmp_path):
    path = write_config(tmp_path, f"users:\n- name: a\n  auth-token: {TOKEN}\n   bad: [\n")
    with pytest.raises(InputError) as info:
        resolve({"ARGOCD_CONFIG_DIR": str(tmp_path)})
    assert str(path) in info.value.message
    assert "SENTINEL" not in info.value.message + (info.value.hint or "")


def test_a_dangling_current_context_is_refused(tmp_path):
    write_config(tmp_path, CONFIG.format(token=TOKEN).replace("current-context: work",
                                                               "current-context: gone"))
    with pytest.raises(InputError, match="current-context 'gone' does not exist"):
        resolve({"ARGOCD_CONFIG_DIR": str(tmp_path)})


def test_a_context_naming_an_undefined_user_is_refused(tmp_path):
    write_config(tmp_path, CONFIG.format(token=TOKEN).replace("  user: argocd.work.test",
                                                               "  user: nobody"))
    with pytest.raises(InputError, match="user 'nobody'"):
        resolve({"ARGOCD_CONFIG_DIR": str(tmp_path)})


def test_a_top_level_list_is_malformed(tmp_path):
    write_config(tmp_path, "- a\n- b\n")
    with pytest.raises(InputError, match="expected a mapping"):
        resolve({"ARGOCD_CONFIG_DIR": str(tmp_path)})


def test_argocd_context_flag_picks_another_context(tmp_path):
    write_config(tmp_path)
    conn = resolve({"ARGOCD_CONFIG_DIR": str(tmp_path)}, ConnectionFlags(context="lab"))
    assert conn.base_url == "http://lab.test:8080" and conn.verify is False
    assert conn.token.reveal() == "lab-token"
    assert f"TLS verification is off (insecure: true for server 'lab.test:8080' in " \
        f"{tmp_path / 'config'}): the token is sent to whoever answers at lab.test:8080" \
        in conn.warnings
    with pytest.raises(InputError, match="--argocd-context 'nope'"):
        resolve({"ARGOCD_CONFIG_DIR": str(tmp_path)}, ConnectionFlags(context="nope"))


def test_environment_overrides_the_file_and_flags_override_both(tmp_path):
    write_config(tmp_path)
    env = {"ARGOCD_CONFIG_DIR": str(tmp_path), "ARGOCD_SERVER": "env.test:443",
           "ARGOCD_AUTH_TOKEN": "env-token"}
    conn = resolve(env)
    assert (conn.base_url, conn.token.reveal(), conn.token_source) == (
        "https://env.test:443", "env-token", "ARGOCD_AUTH_TOKEN")
    conn = resolve(env, ConnectionFlags(server="https://flag.test", auth_token=" flag-token\n"))
    assert (conn.base_url, conn.token.reveal(), conn.token_source, conn.server_source) == (
        "https://flag.test", "flag-token", "--auth-token", "--server")


def test_argocd_opts_are_flag_defaults(tmp_path):
    env = {"ARGOCD_CONFIG_DIR": str(tmp_path), "ARGOCD_SERVER": "env.test",
           "ARGOCD_AUTH_TOKEN": "env-token",
           "ARGOCD_OPTS": "--grpc-web --server=opts.test --plaintext --auth-token 'opts token'"}
    conn = resolve(env)
    assert conn.base_url == "http://opts.test" and conn.token.reveal() == "opts token"
    assert conn.token_source == "ARGOCD_OPTS --auth-token"
    assert any("--grpc-web" in w for w in conn.warnings)
    assert resolve(env, ConnectionFlags(server="flag.test")).base_url == "http://flag.test"


def test_argocd_opts_parsing():
    flags, warnings = parse_opts("--insecure --server-crt /ca.pem --argocd-context=lab "
                                 "--config /c --port-forward --unknown x")
    assert flags == ConnectionFlags(insecure=True, server_crt="/ca.pem", context="lab",
                                    config="/c")
    assert warnings == ("ARGOCD_OPTS: --port-forward is not supported by gitops-tool; ignored",)
    with pytest.raises(InputError, match="--server needs a value"):
        parse_opts("--server")
    with pytest.raises(InputError, match="cannot parse"):
        parse_opts("--server 'unterminated")


def test_argocd_opts_config_names_the_file(tmp_path):
    path = write_config(tmp_path / "elsewhere")
    conn = resolve({"ARGOCD_OPTS": f"--config {path}"})
    assert conn.token.reveal() == TOKEN


def test_config_path_follows_the_cli():
    home = Path("/home/me")
    assert config_path({"ARGOCD_CONFIG_DIR": "/cfg"}, home) == Path("/cfg/config")
    assert config_path({"XDG_CONFIG_HOME": "/xdg"}, home) == Path("/xdg/argocd/config")
    assert config_path({}, home) == Path("/home/me/.config/argocd/config")


def test_server_with_or_without_scheme():
    assert base_url("argocd.test", False) == "https://argocd.test"
    assert base_url("argocd.test:8080/", True) == "http://argocd.test:8080"
    assert base_url("https://argocd.test", True) == "https://argocd.test"
    assert base_url("argocd.test", False, "/argo-cd/") == "https://argocd.test/argo-cd"
    with pytest.raises(InputError, match="scheme"):
        base_url("ftp://argocd.test", False)
    with pytest.raises(InputError, match="no host"):
        base_url("https://", False)


def test_no_token_or_no_server_anywhere_is_input_error(tmp_path):
    with pytest.raises(InputError, match=r"no Argo CD token for argocd\.test") as info:
        resolve({"ARGOCD_CONFIG_DIR": str(tmp_path), "ARGOCD_SERVER": "argocd.test"})
    assert "ARGOCD_AUTH_TOKEN" in info.value.hint
    with pytest.raises(InputError, match="no Argo CD server"):
        resolve({"ARGOCD_CONFIG_DIR": str(tmp_path), "ARGOCD_AUTH_TOKEN": "t"})


def test_server_crt_and_certificate_authority_data(tmp_path):
    crt = tmp_path / "ca.pem"
    crt.write_text("PEM")
    env = {"ARGOCD_CONFIG_DIR": str(tmp_path), "ARGOCD_SERVER": "a.test",
           "ARGOCD_AUTH_TOKEN": "t"}
    assert resolve(env, ConnectionFlags(server_crt=str(crt))).verify == str(crt)
    with pytest.raises(InputError, match="no such file"):
        resolve(env, ConnectionFlags(server_crt=str(tmp_path / "none.pem")))
    data = base64.b64encode(b"-----BEGIN CERTIFICATE-----").decode()
    write_config(tmp_path, CONFIG.format(token=TOKEN).replace(
        '  grpc-web-root-path: ""', f"  certificate-authority-data: {data}"))
    conn = resolve({"ARGOCD_CONFIG_DIR": str(tmp_path)})
    assert conn.ca_data == "-----BEGIN CERTIFICATE-----"


def test_the_token_never_shows_in_reprs(tmp_path):
    write_config(tmp_path)
    conn = resolve({"ARGOCD_CONFIG_DIR": str(tmp_path)})
    assert "SENTINEL" not in repr(conn) + str(conn) + repr(conn.token) + str(conn.token)
    assert "SENTINEL" not in repr(ConnectionFlags(auth_token=TOKEN))
    assert repr(Secret("x")) == "Secret('***')"


def test_reading_never_writes_the_file(tmp_path):
    path = write_config(tmp_path)
    before = path.stat().st_mtime_ns
    resolve({"ARGOCD_CONFIG_DIR": str(tmp_path)})
    assert path.stat().st_mtime_ns == before and not os.access(path, os.X_OK)


@pytest.mark.parametrize("bad", ["\nX", "\x7f", "\t", "é", "\u2028", "ключ"],
                         ids=["newline", "del", "tab", "latin1", "separator", "cyrillic"])
@pytest.mark.parametrize("where", ["ARGOCD_AUTH_TOKEN", "--auth-token", "config"])
def test_a_token_with_a_control_or_non_ascii_character_is_refused_unshown(tmp_path, bad,
                                                                         where):
    token = f"{TOKEN}abc{bad}X"
    env = {"ARGOCD_SERVER": "argo.test"}
    flags = ConnectionFlags()
    if where == "ARGOCD_AUTH_TOKEN":
        env["ARGOCD_AUTH_TOKEN"] = token
    elif where == "--auth-token":
        flags = ConnectionFlags(auth_token=token)
    else:
        write_config(tmp_path / "cfg", CONFIG.format(token=f'"{token}"'.encode(
            "unicode_escape").decode()))
        env = {"ARGOCD_CONFIG_DIR": str(tmp_path / "cfg")}
    with pytest.raises(InputError) as info:
        resolve(env, flags)
    assert info.value.exit_code == 2
    text = info.value.message + (info.value.hint or "")
    assert "SENTINEL" not in text and bad not in text
    assert (where if where != "config" else "context 'work'") in info.value.message


def test_a_huge_config_is_refused_unread(tmp_path):
    write_config(tmp_path, CONFIG.format(token=TOKEN) + "#" * (9 * 1024 * 1024) + "\n")
    with pytest.raises(InputError, match=re.escape(f"{tmp_path / 'config'}: larger than")):
        resolve({"ARGOCD_CONFIG_DIR": str(tmp_path)})


def test_a_config_that_is_a_pipe_is_refused_not_waited_on(tmp_path):
    os.mkfifo(tmp_path / "config", 0o600)
    with pytest.raises(InputError, match=re.escape(f"{tmp_path / 'config'}: not a regular")):
        resolve({"ARGOCD_CONFIG_DIR": str(tmp_path)})
