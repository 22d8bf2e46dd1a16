"""The one place where helm runs: find it, build chart dependencies, lint, template.

`lint`/`template` report helm's failures in their `HelmRun` and raise `HelmError` only when helm
cannot start; `dependency_build` raises `HelmFailed`, which carries its `HelmRun`. No shell;
helm is killed when the parent is interrupted. Chart directories are flock-ed (exclusive to
rebuild dependencies, shared to lint or template) for concurrent use.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import signal
import subprocess
import tarfile
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from fnmatch import fnmatch
from pathlib import Path
from typing import Any

from gitops_tool.core.helm import ARGOCD_HELM_MAJOR, major_version
from gitops_tool.core.names import HELM_TEMP_PREFIX
from gitops_tool.core.yamldoc import load_plain
from gitops_tool.errors import HelmError, InputError

REPO_ROOT = Path(__file__).resolve().parents[2]
_NOT_FOUND_HINT = "run `make helm` (or scripts/ensure_helm.py) or put helm v4 on PATH"
# Each helm run lives a tenth of a second: its Go garbage collector is wasted work, a fifth of
# its CPU (bench/validate.py). Collect only near 512 MiB (helm peaks near 100 MiB on these
# charts), unless the user set these variables.
GO_RUNTIME_DEFAULTS = {"GOGC": "off", "GOMEMLIMIT": "512MiB"}
_running: set[subprocess.Popen[str]] = set()
_running_lock = threading.Lock()
_stopped = threading.Event()  # set by stop_all(): no new helm run starts until allow_runs()


class HelmStopped(HelmError):
    """A helm run was refused or killed because stop_all() was called."""


@dataclass(frozen=True, slots=True)
class HelmRun:
    """One finished helm invocation."""

    args: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str
    seconds: float

    @property
    def ok(self) -> bool:
        return self.returncode == 0


class HelmFailed(HelmError):
    """helm ran and failed (`dependency_build`): `run` holds its exit status and output, for
    the caller to tell a chart error from helm crashing."""

    def __init__(self, message: str, hint: str | None, run: HelmRun) -> None:
        super().__init__(message, hint)
        self.run = run


def find_helm(repo_root: Path | None = None) -> str:
    """$GITOPS_TOOL_HELM; else `helm` on PATH if it is helm v4; else <repo_root>/.tools/bin/helm
    (what scripts/ensure_helm.py fetches); else the PATH helm whatever its version (validate
    then refuses a wrong major version with its hint).

    GitHub's ubuntu runners have helm 3 on PATH, hence the version check. It costs one
    `helm version` and runs only when it decides something: both a PATH helm and the local
    copy exist. Only commands that run helm call this (validate, doctor), never render.
    """
    if override := os.environ.get("GITOPS_TOOL_HELM"):
        if found := shutil.which(override):
            return found
        raise HelmError(f"GITOPS_TOOL_HELM={override}: not an executable", _NOT_FOUND_HINT)
    on_path = shutil.which("helm")
    local = (repo_root or REPO_ROOT) / ".tools" / "bin" / "helm"
    if not (local.is_file() and os.access(local, os.X_OK)):
        if on_path:
            return on_path
        raise HelmError("helm not found", hint=_NOT_FOUND_HINT)
    if on_path:
        run: HelmRun | None
        try:
            run = _run([on_path, "version", "--template", "{{ .Version }}"], timeout=60)
        except HelmError:  # it cannot start: not the one to use
            run = None
        if run and run.ok and major_version(run.stdout) == ARGOCD_HELM_MAJOR:
            return on_path
    return str(local)


def _run(args: Sequence[str], timeout: float = 300.0) -> HelmRun:
    """Run helm to completion; kill it on timeout or interruption."""
    started = time.monotonic()
    env = {**GO_RUNTIME_DEFAULTS, **os.environ}
    try:
        proc = subprocess.Popen(
            args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
        )
    except OSError as e:
        raise HelmError(f"cannot start {args[0]}: {e}", hint=_NOT_FOUND_HINT) from e
    with _running_lock:
        if _stopped.is_set():  # stop_all() ran while this one was starting
            proc.kill()
            proc.wait()
            raise HelmStopped(f"{' '.join(args[:2])}: stopped", hint="re-run the command")
        _running.add(proc)
    try:
        stdout, stderr = proc.communicate(timeout=timeout)
    except BaseException as e:  # KeyboardInterrupt, TimeoutExpired: never leave helm behind
        proc.kill()  # helm has nothing to flush: no need for a SIGTERM grace period
        proc.wait()
        if isinstance(e, subprocess.TimeoutExpired):
            raise HelmError(f"{' '.join(args[:3])}: no answer after {timeout:.0f} s",
                            hint="check that helm works (`helm version`), then re-run") from e
        raise
    finally:
        with _running_lock:
            _running.discard(proc)
    return HelmRun(tuple(args), proc.returncode, stdout, stderr, time.monotonic() - started)


def stop_all() -> None:
    """Terminate every helm process still running (other threads' too), e.g. on Ctrl-C, and
    refuse new ones until `allow_runs()`: the threads running helm then return at once."""
    with _running_lock:
        _stopped.set()
        running = list(_running)
    for proc in running:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)


def allow_runs() -> None:
    """Let helm run again after `stop_all()`."""
    _stopped.clear()


def helm_version(helm: str) -> str:
    """The helm version, e.g. "v4.1.4"."""
    run = _run([helm, "version", "--template", "{{ .Version }}"])
    if not run.ok:
        raise HelmError(f"`{helm} version` failed: {run.stderr.strip()}",
                        hint=_NOT_FOUND_HINT)
    return run.stdout.strip()


@contextmanager
def _locked(chart_dir: Path, exclusive: bool) -> Iterator[None]:
    """flock the chart directory itself: no lock file to clean up or to ignore."""
    fd = os.open(chart_dir, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        yield
    finally:
        os.close(fd)  # releases the lock


def _chart_yaml(chart_dir: Path) -> dict[str, Any]:
    """The parsed Chart.yaml ({} when it is empty or not a mapping: helm reports the rest)."""
    path = chart_dir / "Chart.yaml"
    try:
        data = load_plain(path.read_bytes(), str(path))
    except OSError as e:
        raise InputError(f"{path}: {e}", hint="is this a chart?") from e
    return data if isinstance(data, dict) else {}


def _packaged(source: Path) -> dict[str, bytes]:
    """The files helm packages from a local chart (honouring simple .helmignore patterns).

    Listed with os.walk, which skips what vanishes while it lists (helm's own temporary
    folders), never with a glob that would fail on them."""
    ignore = source / ".helmignore"
    lines = ignore.read_text().splitlines() if ignore.is_file() else []
    patterns = [x.strip().rstrip("/") for x in lines if x.strip() and not x.startswith("#")]
    patterns.append(f"{HELM_TEMP_PREFIX}*")
    files = [
        Path(top, name).relative_to(source).as_posix()
        for top, _, names in os.walk(source)
        for name in names
        if Path(top, name).is_file()
    ]
    return {
        rel: (source / rel).read_bytes()
        for rel in files
        if not any(fnmatch(n, pattern) for n in [rel, *rel.split("/")] for pattern in patterns)
    }


def _archived(archive: Path, name: str) -> dict[str, bytes]:
    """The files of a vendored chart archive ({} when it is missing or broken)."""
    try:
        with tarfile.open(archive) as tar:
            members = [(m.name.removeprefix(f"{name}/"), tar.extractfile(m)) for m in tar]
            return {path: file.read() for path, file in members if file is not None}
    except (OSError, tarfile.TarError):
        return {}


def _dependencies_up_to_date(chart_dir: Path) -> bool:
    """Whether charts/ holds exactly one archive per dependency, equal to its local source.

    Anything odd (a dependency or Chart.yaml without a string name or version, an unreadable
    source) is "not up to date": `helm dependency build` then says what is wrong.
    """
    archives = {p.name for p in (chart_dir / "charts").glob("*.tgz")}
    expected: set[str] = set()
    listed = _chart_yaml(chart_dir).get("dependencies") or []
    if not isinstance(listed, list):
        return False
    for dep in listed:
        name = dep.get("name") if isinstance(dep, dict) else None
        if not isinstance(name, str) or not name:
            return False
        repository = str(dep.get("repository") or "")
        if not repository.startswith("file://"):  # remote: trust any vendored version
            expected |= {a for a in archives if a.startswith(f"{name}-")} or {"?"}
            continue
        source = (chart_dir / repository.removeprefix("file://")).resolve()
        try:
            meta = _chart_yaml(source)
        except InputError:
            return False
        name, version = meta.get("name"), meta.get("version")
        if not isinstance(name, str) or not isinstance(version, str) or not name or not version:
            return False
        expected.add(archive := f"{name}-{version}.tgz")
        found, wanted = _archived(chart_dir / "charts" / archive, name), _packaged(source)
        # helm rewrites Chart.yaml when it packages: compare that one as data
        charts = [_loaded(files.pop("Chart.yaml", b"")) for files in (found, wanted)]
        if charts[0] != charts[1] or found != wanted:
            return False
    return archives == expected


def _loaded(text: bytes) -> Any:
    """Parsed YAML, or a marker that equals nothing else when it does not parse."""
    try:
        return load_plain(text, "Chart.yaml")
    except InputError:
        return object()


def dependency_build(helm: str, chart_dir: Path) -> None:
    """Vendor dependencies into charts/ unless up to date; rebuilds lock the chart and re-check."""
    chart_dir = chart_dir.resolve()
    if _dependencies_up_to_date(chart_dir):
        return
    with _locked(chart_dir, exclusive=True):
        if _dependencies_up_to_date(chart_dir):
            return
        (chart_dir / "Chart.lock").unlink(missing_ok=True)  # build output; stale ones block
        try:
            run = _run([helm, "dependency", "build", str(chart_dir), "--skip-refresh"])
        finally:  # a helm killed mid-build (Ctrl-C, a timeout) leaves its folder behind
            remove_helm_temp(chart_dir)
    if not run.ok:
        said = run.stderr.strip() or run.stdout.strip() or f"no message, exit {run.returncode}"
        hint = "check the chart's Chart.yaml dependencies and the library chart"
        raise HelmFailed(f"helm dependency build {chart_dir}: {said}", hint, run)


def remove_helm_temp(chart_dir: Path) -> None:
    """Remove the `tmpcharts-<pid>` folders `helm dependency build` works in. Called with
    the chart's exclusive lock held: no dependency build of ours runs there meanwhile."""
    try:
        with os.scandir(chart_dir) as entries:
            temp = [e.path for e in entries if e.name.startswith(HELM_TEMP_PREFIX)
                    and e.is_dir(follow_symlinks=False)]
    except OSError:
        return
    for path in temp:
        shutil.rmtree(path, ignore_errors=True)


def _run_on(
    chart_dir: Path, args: list[str], files: Sequence[Path], set_values: Mapping[str, str] | None
) -> HelmRun:
    """helm with --values per file and --set-string per parameter (strings, like Argo CD's),
    holding a shared lock on the chart so that no dependency rebuild happens underneath."""
    args += [a for path in files for a in ("--values", str(path))]
    args += [a for k, v in (set_values or {}).items() for a in ("--set-string", f"{k}={v}")]
    if not chart_dir.is_dir():  # nothing to protect: helm reports the missing chart
        return _run(args)
    with _locked(chart_dir, exclusive=False):
        return _run(args)


def lint(
    helm: str,
    chart_dir: Path,
    values_files: list[Path],
    strict: bool = True,
    set_values: dict[str, str] | None = None,
) -> HelmRun:
    """`helm lint [--strict]` of the chart with these values files and parameters."""
    args = [helm, "lint", str(chart_dir), *(["--strict"] if strict else [])]
    return _run_on(chart_dir, args, values_files, set_values)


def template(
    helm: str,
    chart_dir: Path,
    release: str,
    namespace: str,
    values_files: list[Path],
    set_values: dict[str, str] | None = None,
) -> HelmRun:
    """`helm template <release> <chart> --namespace <namespace>`, as Argo CD renders it."""
    args = [helm, "template", release, str(chart_dir), "--namespace", namespace]
    return _run_on(chart_dir, args, values_files, set_values)
