#!/usr/bin/env python3
"""Benchmark: whole-process `gitops-tool render`, beside the interpreter floor, in one run.

Cases (each a fresh process, timed with perf_counter around subprocess.run):

- floor: `python -c "import typer, yaml"` -- what any Typer + PyYAML CLI pays to start;
- repo: this repository's inputs (copied to a temporary folder, so the real argocd/ is never
  touched) with argocd/ already up to date: what `make run` does on a fresh clone;
- 1000x10 and 2000x10: generated trees of 1,000 and 2,000 charts in 10 environments
  (10,000 and 20,000 Applications), both "cold" (argocd/ empty: every file written) and
  "warm" (argocd/ up to date: every file read and compared, none written).

Targets (issue 9): repo <= 1.6x floor; 1000x10 warm <= 3 s, cold <= 3 s plus the time this
machine takes to create 10,000 files (the last case, measured in the same run); 2000x10 <= 2.1x
the 1000x10 time, cold and warm.
A last case times creating 10,000 small files with nothing else, to show how much of the
cold render is the filesystem's own cost (it varies a lot between machines and runs).
The best of --runs runs counts (the least disturbed by other work on the machine); the
median is shown beside it.

    python bench/render.py [--runs 5] [--keep DIR]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.trees import generated_spec, write_tree  # noqa: E402

CREATE_FILES = """
import os, sys
for env in range(10):
    folder = os.path.join(sys.argv[1], f"env{env}", "applications")
    os.makedirs(folder)
    for app in range(1000):
        fd = os.open(os.path.join(folder, f"app-{app}.yaml"), os.O_WRONLY | os.O_CREAT | os.O_EXCL)
        os.write(fd, b"x" * 1600)
        os.close(fd)
"""


def set_aside(folder: Path, work: Path) -> None:
    """Make `folder` absent for a cold run by renaming it into `work`'s trash, deleted at the
    end: deleting 10,000 files just before a timed run leaves the filesystem busy freeing them
    during it (ext4 here: the same render took 2 s or 5 s depending on that)."""
    if folder.exists():
        trash = work / "trash"
        trash.mkdir(exist_ok=True)
        folder.rename(trash / f"{len(list(trash.iterdir()))}")
    os.sync()


def tool() -> list[str]:
    """The console script beside this interpreter, else `python -m gitops_tool`."""
    script = Path(sys.executable).with_name("gitops-tool")
    return [str(script)] if script.exists() else [sys.executable, "-m", "gitops_tool"]


def copy_repo(dest: Path) -> Path:
    """This repository's inputs and committed output, as render sees them."""
    dest.mkdir(parents=True)
    shutil.copy2(ROOT / "gitops-tool.yaml", dest / "gitops-tool.yaml")
    for folder in ("environments", "charts", "argocd"):
        if (ROOT / folder).is_dir():
            shutil.copytree(
                ROOT / folder,
                dest / folder,
                ignore=shutil.ignore_patterns("charts", "Chart.lock", "*.tgz"),
            )
    return dest


def timed(command: list[str], runs: int, before: Callable[[], None] = lambda: None) -> list[float]:
    """Wall-clock seconds of `runs` runs of `command`; `before` runs untimed before each."""
    times = []
    for _ in range(runs):
        before()
        start = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True)
        times.append(time.perf_counter() - start)
        if done.returncode != 0:
            sys.exit(f"{' '.join(command)} failed ({done.returncode}):\n{done.stderr}")
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per case (default 5)")
    parser.add_argument("--keep", type=Path, help="generate the trees here and keep them")
    args = parser.parse_args()
    work = Path(args.keep or tempfile.mkdtemp(prefix="gitops-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    cli = tool()
    try:
        repo = copy_repo(work / "repo") if not (work / "repo").exists() else work / "repo"
        trees = {}
        for charts in (1000, 2000):
            path = work / f"tree{charts}"
            if not path.exists():
                write_tree(path, generated_spec(charts, 10))
            trees[charts] = path
        subprocess.run([*cli, "--repo", str(repo), "render"], capture_output=True, check=True)

        results: list[tuple[str, list[float]]] = []
        results.append(("floor: python -c 'import typer, yaml'",
                        timed([sys.executable, "-c", "import typer, yaml"], args.runs)))
        results.append(("repo: render (argocd/ up to date)",
                        timed([*cli, "--repo", str(repo), "render"], args.runs)))
        for charts, path in trees.items():
            command = [*cli, "--repo", str(path), "render"]

            def wipe(path: Path = path) -> None:
                set_aside(path / "argocd", work)

            results.append((f"{charts}x10: render, cold (writes {charts * 10} apps)",
                            timed(command, args.runs, wipe)))
            results.append((f"{charts}x10: render, warm (nothing to write)",
                            timed(command, args.runs)))
        # What the filesystem alone charges for the cold case: create as many small files.
        scratch = work / "fs-floor"

        def clear() -> None:
            set_aside(scratch, work)

        create = [sys.executable, "-c", CREATE_FILES, str(scratch)]
        results.append(("fs floor: create 10000 files of 1.6 kB", timed(create, args.runs, clear)))
    finally:
        shutil.rmtree(work / "trash", ignore_errors=True)
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)

    best = {name: min(times) for name, times in results}
    floor = best[results[0][0]]
    print(f"{'case':<46} {'best s':>8} {'median s':>9} {'x floor':>8}")
    for name, times in results:
        print(f"{name:<46} {min(times):>8.3f} {statistics.median(times):>9.3f} "
              f"{min(times) / floor:>8.2f}")
    repo_ratio = best[results[1][0]] / floor
    cold1, warm1, cold2, warm2 = (best[name] for name, _ in results[2:6])
    print()
    print(f"repo / floor            {repo_ratio:5.2f}  (target <= 1.60)")
    fs = best[results[6][0]]
    print(f"1000x10 cold            {cold1:5.2f} s (target <= 3 s + {fs:.2f} s to create the "
          "files)")
    print(f"1000x10 warm            {warm1:5.2f} s (target <= 3 s)")
    print(f"2000x10 / 1000x10 cold  {cold2 / cold1:5.2f}  (target <= 2.10)")
    print(f"2000x10 / 1000x10 warm  {warm2 / warm1:5.2f}  (target <= 2.10)")
    print(f"1000x10 cold - warm     {cold1 - warm1:5.2f} s, of which creating 10,000 files on this "
          f"filesystem alone takes {fs:.2f} s")


if __name__ == "__main__":
    main()
