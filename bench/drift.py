"""Benchmark: `drift` over 1,000 Applications in each of 3 environments, on the fake Argo CD.

    python bench/drift.py [--apps 1000] [--runs 3]

A repository of N services in dev, staging and prod (tests/support/trees.py: argocd_spec) is
written to a temporary folder, rendered, and committed with real git history in which a few
pins move along the chain; the fake Argo CD (tests/support/argocd/fake.py) is started in this
process and holds the 3 x N Applications render declares, a few of them drifted.

- in process: `commands.drift.run` (loading the tree with its 4 x N values files checked,
  as render checks them, rendering it and comparing argocd/,
  one List request per environment, the git history of the environment files), plus the
  text report;
- whole process: `gitops-tool drift` as a subprocess (start-up included).

Prints the HTTP requests made (target: 3 List requests, whatever N) and the wall time (the
best of --runs; target: 2 s for 1,000 apps x 3 environments).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from gitops_tool.adapters.argocd.runtime import Runtime  # noqa: E402
from gitops_tool.adapters.files import load_tree  # noqa: E402
from gitops_tool.commands import drift, render  # noqa: E402
from gitops_tool.output.drift import drift_text  # noqa: E402
from tests.support.argocd.apps import populate  # noqa: E402
from tests.support.argocd.fake import FakeArgo  # noqa: E402
from tests.support.git.history import GitHistory  # noqa: E402
from tests.support.trees import PLANES, argocd_spec, write_tree  # noqa: E402

TOKEN = "bench-token"
TARGET = 2.0  # seconds, for --apps applications in each of 3 environments
LIST = "GET /api/v1/applications"
T0 = datetime(2026, 1, 1, tzinfo=UTC)


def services_of(count: int) -> dict[str, str]:
    return {f"svc-{i:04}": PLANES[i % 3][0] for i in range(count)}


def repository(folder: Path, count: int) -> Path:
    """N services, rendered; history: the initial commit, then three pins moving along."""
    root = write_tree(folder / "repo", argocd_spec(services_of(count)))
    render.run(render.RenderOptions(root=root))
    history = GitHistory(root)
    history.commit("initial", T0)
    for day, (env, service) in enumerate(
            (("dev", "svc-0001"), ("dev", "svc-0002"), ("staging", "svc-0001")), start=1):
        history.set_pin(env, service, "9.0.0")
        history.commit(f"{env}: {service} 9.0.0", T0 + timedelta(days=day))
    render.run(render.RenderOptions(root=root))
    history.commit("render", T0 + timedelta(days=4))
    return root


def loaded_fake(root: Path) -> FakeArgo:
    fake = FakeArgo(token=TOKEN).start()
    tree = load_tree(root)
    for env in ("dev", "staging", "prod"):
        populate(fake, tree, env)
    fake.apps["dev-svc-0003"].sync_status = "OutOfSync"
    fake.apps["prod-svc-0004"].health = "Degraded"
    return fake


def measure(root: Path, fake: FakeArgo, runs: int) -> tuple[int, int, float, int]:
    """In process: drift.run + the text report. (requests, lists, best seconds, exit)."""
    env = {"ARGOCD_SERVER": fake.url, "ARGOCD_AUTH_TOKEN": TOKEN,
           "ARGOCD_CONFIG_DIR": str(root.parent / "argocd-config")}
    best, requests, lists, code = float("inf"), 0, 0, -1
    for _ in range(runs):
        fake.records.clear()
        started = time.perf_counter()
        result = drift.run(drift.DriftOptions(root=root), Runtime(env=env))
        drift_text(result)
        best = min(best, time.perf_counter() - started)
        requests, lists, code = len(fake.records), len(fake.requests(LIST)), result.exit_code
    return requests, lists, best, code


def command() -> list[str]:
    script = Path(sys.executable).with_name("gitops-tool")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "gitops_tool"]


def measure_process(root: Path, fake: FakeArgo, runs: int) -> tuple[int, int, float, int]:
    env = dict(os.environ, ARGOCD_SERVER=fake.url, ARGOCD_AUTH_TOKEN=TOKEN,
               ARGOCD_CONFIG_DIR=str(root.parent / "argocd-config"))
    env.pop("ARGOCD_OPTS", None)
    best, requests, lists, code = float("inf"), 0, 0, -1
    for _ in range(runs):
        fake.records.clear()
        started = time.perf_counter()
        done = subprocess.run([*command(), "--repo", str(root), "drift"], env=env,
                              capture_output=True, text=True, check=False)
        best = min(best, time.perf_counter() - started)
        requests, lists, code = len(fake.records), len(fake.requests(LIST)), done.returncode
        if code not in (0, 1):
            sys.stderr.write(done.stderr[-2000:])
    return requests, lists, best, code


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--apps", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-drift-"))
    try:
        (folder / "argocd-config").mkdir()
        started = time.perf_counter()
        root = repository(folder, args.apps)
        print(f"set-up: {args.apps} services x 3 environments, rendered and committed "
              f"({time.perf_counter() - started:.1f} s, not timed)")
        fake = loaded_fake(root)
        try:
            print(f"{'measurement':<36}  {'requests':>8}  {'lists':>5}  {'best':>7}  exit")
            met = True
            for title, run in (("in process: drift.run + text report", measure),
                               ("whole process: gitops-tool drift", measure_process)):
                requests, lists, seconds, code = run(root, fake, args.runs)
                print(f"{title:<36}  {requests:>8}  {lists:>5}  {seconds:>6.3f}s  {code}")
                met &= lists == 3 and requests == 3 and seconds <= TARGET and code == 1
        finally:
            fake.stop()
        print(f"targets: 3 List requests, <= {TARGET:.1f} s for {args.apps} apps x 3 "
              f"environments: {'met' if met else 'MISSED'}")
        return 0 if met else 1
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
