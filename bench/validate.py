"""Time `gitops-tool validate` against a plain sequential shell loop of the same helm commands.

    python bench/validate.py [--rounds N] [--cold]

Both run on a private copy of this repository's inputs, in the same run, alternating.
The loop runs, chart after chart and environment after environment, exactly the
`helm lint --strict` and `helm template` commands validate runs (same values files,
release name, namespace and `--set-string image.tag=<pin>`). A second loop variant also
runs `helm dependency build` per chart first, as a script on a fresh clone must.
--cold removes the vendored dependency archives before every run (the plain loop, which
cannot run without them, is then left out).
Each run's wall time and CPU time (its whole process tree) are reported: on a machine other
processes share, wall times say how busy it was, CPU times how much work each side did.
validate runs helm without Go garbage collection (GOGC=off up to GOMEMLIMIT=512MiB: a helm
run is too short for GC to pay); --loop-gc-off gives the loops the same settings.
Target: validate <= 0.55 x the loop on 2 cores.
"""

from __future__ import annotations

import argparse
import os
import resource
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from gitops_tool.adapters import files  # noqa: E402
from gitops_tool.adapters.helm import (  # noqa: E402
    GO_RUNTIME_DEFAULTS,
    find_helm,
    helm_version,
)

TARGET = 0.55


def copy_inputs(source: Path, dest: Path) -> Path:
    """Copy the repository's inputs to dest/repo, with dest/shared beside it (CRD schemas)."""
    repo = dest / "repo"
    repo.mkdir()
    shutil.copy2(source / "gitops-tool.yaml", repo / "gitops-tool.yaml")
    shutil.copytree(source / "environments", repo / "environments")
    ignore = shutil.ignore_patterns("charts", "Chart.lock", "*.tgz")
    shutil.copytree(source / "charts", repo / "charts", ignore=ignore)
    if (source / "argocd").is_dir():
        shutil.copytree(source / "argocd", repo / "argocd")
    if (source.parent / "shared").is_dir():
        (dest / "shared").symlink_to((source.parent / "shared").resolve())
    return repo


def loop_script(root: Path, helm: str, dependency_build: bool) -> str:
    """The plain loop: one helm command after the other."""
    settings = files.load_settings(root)
    chain = {n: i for i, n in enumerate(settings.promotion)}
    names = sorted(files.environment_names(root), key=lambda n: (chain.get(n, 99), n))
    envs = [files.load_environment(root, n) for n in names]
    q = shlex.quote
    lines = ["set -e"]
    for folder in files.chart_folders(root, settings):
        chart = folder.name
        if dependency_build:
            lines.append(f"{q(helm)} dependency build {q(str(folder))} --skip-refresh >/dev/null")
        for env in envs:
            values = (
                f"--values {q(str(folder / 'values.yaml'))} "
                f"--values {q(str(folder / f'values-{env.name}.yaml'))} "
                f"--set-string image.tag={q(env.releases[chart].image_tag)}"
            )
            lines.append(f"{q(helm)} lint {q(str(folder))} --strict {values} >/dev/null")
            lines.append(
                f"{q(helm)} template {chart} {q(str(folder))} --namespace {env.namespace} "
                f"{values} >/dev/null"
            )
    return "\n".join(lines) + "\n"


def clean_vendored(root: Path) -> None:
    for folder in (p for p in (root / "charts").iterdir() if p.is_dir()):
        shutil.rmtree(folder / "charts", ignore_errors=True)
        (folder / "Chart.lock").unlink(missing_ok=True)


def timed(args: list[str], env: dict[str, str]) -> tuple[float, float, int]:
    """(wall seconds, CPU seconds of the process tree, exit code) of one run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                          text=True)
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if done.returncode not in (0, 1):
        sys.stderr.write(done.stderr)
    return seconds, cpu, done.returncode


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--cold", action="store_true", help="no vendored archives at start")
    parser.add_argument("--repo", type=Path, default=REPO, help="the repository to copy")
    parser.add_argument(
        "--loop-gc-off", action="store_true",
        help="run the loops' helm with validate's Go settings too (GOGC=off GOMEMLIMIT=512MiB) "
        "instead of as a plain script runs it",
    )
    args = parser.parse_args()

    helm = find_helm(REPO)
    tool_env = {**os.environ, "GITOPS_TOOL_HELM": helm, "PYTHONPATH": str(REPO)}
    env = tool_env | (GO_RUNTIME_DEFAULTS if args.loop_gc_off else {})
    with tempfile.TemporaryDirectory(prefix="bench-validate-") as tmp:
        root = copy_inputs(args.repo.resolve(), Path(tmp))
        plain = Path(tmp) / "loop.sh"
        plain.write_text(loop_script(root, helm, dependency_build=False))
        with_deps = Path(tmp) / "loop-deps.sh"
        with_deps.write_text(loop_script(root, helm, dependency_build=True))
        validate = [sys.executable, "-m", "gitops_tool", "--repo", str(root), "validate",
                    "-o", "json"]
        charts = len(files.chart_folders(root, files.load_settings(root)))
        envs = len(files.environment_names(root))
        subprocess.run(["bash", str(with_deps)], env=env, check=True)  # warm: vendored, cached
        code = timed(validate, tool_env)[2]
        if code != 0:
            print(f"warning: validate exits {code} on this repository, so it skips work the "
                  "loops do: the ratios below are not fair ones")
        sides = [("loop", ["bash", str(plain)], env), ("loop+deps", ["bash", str(with_deps)], env),
                 ("validate", validate, tool_env)]
        if args.cold:
            sides = sides[1:]
        load_before = os.getloadavg()[0]
        wall: dict[str, list[float]] = {name: [] for name, _, _ in sides}
        cpu: dict[str, list[float]] = {name: [] for name, _, _ in sides}
        for _ in range(args.rounds):
            for name, cmd, side_env in sides:
                if args.cold:
                    clean_vendored(root)
                seconds, cpu_seconds, _ = timed(cmd, side_env)
                wall[name].append(seconds)
                cpu[name].append(cpu_seconds)
    median = {k: statistics.median(v) for k, v in wall.items()}
    median_cpu = {k: statistics.median(v) for k, v in cpu.items()}
    print(f"helm {helm_version(helm)}, {os.cpu_count()} cores, load average {load_before:.2f} "
          f"before / {os.getloadavg()[0]:.2f} after, {charts} charts x {envs} environments, "
          f"{args.rounds} rounds{' (cold)' if args.cold else ' (warm)'}"
          f"{', loops with GOGC=off' if args.loop_gc_off else ''}")
    for name in wall:
        runs = " ".join(f"{v:.2f}" for v in wall[name])
        print(f"  {name:<10} median {median[name]:6.2f}s wall {median_cpu[name]:6.2f}s CPU"
              f"   runs: {runs}")
    verdicts = []
    for base in (b for b in ("loop", "loop+deps") if b in median):
        ratio = median["validate"] / median[base]
        verdicts.append(ratio <= TARGET)
        print(f"  validate / {base:<10} = {ratio:.2f}x wall (target <= {TARGET}x), "
              f"{median_cpu['validate'] / median_cpu[base]:.2f}x CPU")
    return 0 if all(verdicts) else 1

if __name__ == "__main__":
    raise SystemExit(main())
