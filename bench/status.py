"""Benchmark: `status` over 10, 100 and 1,000 Applications on the fake Argo CD.

    python bench/status.py [--apps 1000]

Builds a Tree of N services in memory (three planes), serves N matching Applications
from the fake server (tests/integration/argocd/fakeargo.py) on 127.0.0.1, and times
`status_of` (one List request, parsing, comparison) plus formatting the table. Prints the
HTTP requests made (they must not grow with N) and the wall time; the target is 1 s
for 1,000 apps.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from gitops_tool.adapters.argocd_config import ConnectionFlags  # noqa: E402
from gitops_tool.adapters.argocd_runtime import Runtime  # noqa: E402
from gitops_tool.commands.status import status_of  # noqa: E402
from gitops_tool.output.argocd import status_table  # noqa: E402
from tests.integration.argocd.fakeargo import FakeArgo  # noqa: E402
from tests.integration.argocd.trees import PLANES, memory_tree, populate  # noqa: E402

TOKEN = "bench-token"


def tree_of(count: int):
    """`count` services spread over the three planes, in one environment."""
    return memory_tree({f"svc-{i:04}": PLANES[i % 3][0] for i in range(count)})


def measure(count: int) -> tuple[int, float, bool]:
    tree = tree_of(count)
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--apps", type=int, default=1000)
    args = parser.parse_args()
    print(f"{'apps':>6}  {'requests':>8}  {'wall time':>9}  all ok")
    worst = 0.0
    for count in sorted({10, 100, args.apps}):
        requests, seconds, ok = measure(count)
        print(f"{count:>6}  {requests:>8}  {seconds:>8.3f}s  {ok}")
        if count == args.apps:
            worst = seconds
    print(f"target: <= 1.000 s for {args.apps} apps: {'met' if worst <= 1.0 else 'MISSED'}")
    return 0 if worst <= 1.0 else 1


if __name__ == "__main__":
    sys.exit(main())
