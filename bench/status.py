"""Benchmark: `status` over 10, 100 and 1,000 Applications on the fake Argo CD.

    python bench/status.py [--apps 1000]

Two measurements, both against the fake server (tests/support/argocd/fake.py)
started in this process on 127.0.0.1:

- in process: a Tree of N services built in memory (three planes), N matching
  Applications; times `status_of` (one List request, parsing, comparison) plus formatting
  the table, on a warm connection;
- whole process: `gitops-tool status staging` run as a subprocess over a repository of N
  services written to a temporary folder (start-up, loading the tree, connecting, the
  List request, the table), the server and token given through ARGOCD_SERVER and
  ARGOCD_AUTH_TOKEN.

Prints the HTTP requests made (they must not grow with N) and the wall time; the target
is 1 s for 1,000 apps, for each measurement.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from gitops_tool.adapters.argocd.config import ConnectionFlags  # noqa: E402
from gitops_tool.adapters.argocd.runtime import Runtime  # noqa: E402
from gitops_tool.adapters.files import load_tree  # noqa: E402
from gitops_tool.commands.status import status_of  # noqa: E402
from gitops_tool.output.status import status_table  # noqa: E402
from tests.support.argocd.apps import populate  # noqa: E402
from tests.support.argocd.fake import FakeArgo  # noqa: E402
from tests.support.trees import PLANES, argocd_spec, memory_tree, write_tree  # noqa: E402

TOKEN = "bench-token"
TARGET = 1.0  # seconds, for --apps applications


def services_of(count: int) -> dict[str, str]:
    """`count` services spread over the three planes."""
    return {f"svc-{i:04}": PLANES[i % 3][0] for i in range(count)}


def measure(count: int) -> tuple[int, float, bool]:
    """In process: status_of + status_table on a warm connection."""
    tree = memory_tree(services_of(count))
    env = tree.environments[0]
    with FakeArgo(token=TOKEN) as fake:
        populate(fake, tree, "dev")
        runtime = Runtime(env={"ARGOCD_SERVER": fake.url, "ARGOCD_AUTH_TOKEN": TOKEN,
                               "ARGOCD_CONFIG_DIR": str(ROOT / ".no-argocd-config")})
        with runtime.connect(ConnectionFlags()) as client:
            client.version()  # warm the connection, as a real run's first call would
            fake.records.clear()
            started = time.perf_counter()
            result = status_of(tree, env, client)
            status_table(result)
            seconds = time.perf_counter() - started
        return len(fake.records), seconds, result.ok and len(result.rows) == count


def command() -> list[str]:
    """`gitops-tool` as installed beside this interpreter, else `python -m gitops_tool`."""
    script = Path(sys.executable).with_name("gitops-tool")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "gitops_tool"]


def measure_process(count: int) -> tuple[int, float, bool]:
    """Whole process: `gitops-tool status staging` as a subprocess, start to exit."""
    folder = Path(tempfile.mkdtemp(prefix="bench-status-"))
    try:
        repo = write_tree(folder / "repo", argocd_spec(services_of(count)))
        tree = load_tree(repo, only=["staging"])
        (folder / "argocd").mkdir()  # an empty argocd config dir: only the variables count
        with FakeArgo(token=TOKEN) as fake:
            populate(fake, tree, "staging")
            env = dict(os.environ, ARGOCD_SERVER=fake.url, ARGOCD_AUTH_TOKEN=TOKEN,
                       ARGOCD_CONFIG_DIR=str(folder / "argocd"))
            env.pop("ARGOCD_OPTS", None)
            started = time.perf_counter()
            done = subprocess.run([*command(), "--repo", str(repo), "status", "staging"],
                                  env=env, capture_output=True, text=True, check=False)
            seconds = time.perf_counter() - started
            requests = len(fake.records)
        summary = f"staging: {count} of {count} applications Synced and Healthy"
        ok = done.returncode == 0 and summary in done.stdout
        if not ok:
            sys.stderr.write(f"exit {done.returncode}\n{done.stderr[-2000:]}")
        return requests, seconds, ok
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def report(title: str, counts: list[int], apps: int, run) -> bool:
    print(title)
    print(f"{'apps':>6}  {'requests':>8}  {'wall time':>9}  all ok")
    worst = 0.0
    for count in counts:
        requests, seconds, ok = run(count)
        print(f"{count:>6}  {requests:>8}  {seconds:>8.3f}s  {ok}")
        if count == apps:
            worst = seconds
    met = worst <= TARGET
    print(f"target: <= {TARGET:.3f} s for {apps} apps: {'met' if met else 'MISSED'}\n")
    return met


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--apps", type=int, default=1000)
    args = parser.parse_args()
    counts = sorted({10, 100, args.apps})
    met = report("in process: status_of + status_table", counts, args.apps, measure)
    met &= report("whole process: gitops-tool status staging (subprocess)", counts,
                  args.apps, measure_process)
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
