"""The drift report's words: counts agree with their nouns and verbs, and a part that could
not be checked says so in its own section."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from gitops_tool.commands.drift import DriftResult
from gitops_tool.core.drift.findings import Finding
from gitops_tool.output.drift import drift_markdown, drift_text

NOW = datetime(2026, 3, 1, tzinfo=UTC)


def behind(service: str, drift: bool = False) -> Finding:
    return Finding("behind", "environment", "prod", f"prod-{service}",
                   "environments/prod.yaml", f"{service} image: prod has 1.0.0, staging has "
                   "2.0.0", drift=drift)


def repo(file: str) -> Finding:
    return Finding("repo", "repo", "prod", "", file, "differs from what render produces")


def result(*findings: Finding, environments: tuple[str, ...] = ("prod",),
           stage_pairs: tuple[tuple[str, str], ...] = (("staging", "prod"),)) -> DriftResult:
    return DriftResult(environments=environments, findings=findings, unknown=(), server="",
                       live_skipped="no server", require_live=False,
                       max_lag=timedelta(days=7), checked_at=NOW, stage_pairs=stage_pairs)


def test_one_of_a_thing_is_singular_and_its_verb_agrees():
    text = drift_text(result(behind("api", drift=True), repo("argocd/prod/a.yaml")))
    assert "environment drift: 1 pin differs between stages; 1 counts as drift" in text
    assert "repo drift: 1 file under argocd/ differs from what render produces" in text
    assert "drift found: 1 finding (repo 1, live 0, environment 1)" not in text  # 2 findings
    assert "drift found: 2 findings (repo 1, live 0, environment 1)" in text
    assert "1 pin differ " not in drift_markdown(result(behind("api")))


def test_many_are_plural_and_their_verb_agrees():
    text = drift_text(result(behind("api"), behind("worker", drift=True),
                             repo("argocd/prod/a.yaml"), repo("argocd/prod/b.yaml")))
    assert "environment drift: 2 pins differ between stages; 1 counts as drift" in text
    assert "repo drift: 2 files under argocd/ differ from what render produces" in text
    assert "; 1 stage gap within --max-lag 7d" in text


def test_a_clean_environment_part_names_the_stages_it_compared():
    text = drift_text(result(environments=("staging", "prod"),
                             stage_pairs=(("dev", "staging"), ("staging", "prod"))))
    assert ("environment drift: consecutive stages pin the same images and revisions "
            "(staging with dev, prod with staging)") in text


def test_the_first_stage_alone_has_nothing_to_compare_and_says_so():
    text = drift_text(result(environments=("dev",), stage_pairs=()))
    assert ("environment drift: nothing to compare: dev has no earlier stage in the "
            "promotion chain") in text
    assert "pin the same" not in text


def test_a_long_diff_in_the_step_summary_ends_saying_where_it_was_cut():
    from gitops_tool.output.drift import DETAILS_MAX

    diff = "".join(f"+line {i:05} {'x' * 60}\n" for i in range(2 * DETAILS_MAX // 70))
    found = Finding("repo", "repo", "prod", "", "argocd/prod/big.yaml",
                    "differs from what render produces", details=diff)
    text = drift_markdown(result(found), limit=900_000)
    kept = text.count("\n+line ")
    assert 0 < kept < diff.count("\n")
    assert f"\n... diff cut at {kept} lines; the JSON output has it whole\n```" in text


def test_a_cut_step_summary_keeps_every_section_and_marks_where_each_was_cut():
    import re

    from gitops_tool.output.github import SUMMARY_BUDGET

    many = 3000
    pad = "x" * 150
    findings = (
        *(repo(f"argocd/prod/applications/prod-{i:04}-{pad}.yaml") for i in range(many)),
        *(Finding("out-of-sync", "live", "prod", f"prod-{i:04}-{pad}", "",
                  "sync status is OutOfSync") for i in range(many)),
        *(behind(f"svc-{i:04}-{pad}", drift=True) for i in range(many)),
    )
    text = drift_markdown(result(*findings), limit=SUMMARY_BUDGET)
    assert 0 < len(text.encode()) + 1 <= SUMMARY_BUDGET
    # the sections in order, each with its heading, its rows, then the marker
    parts = re.split(r"^### ", text, flags=re.M)[1:]
    assert [p.splitlines()[0].split(" (")[0] for p in parts] == [
        "Repo drift", "Live drift", "Environment drift"]
    shown = 0
    for part, title in zip(parts, ("repo drift", "live drift", "environment drift"),
                           strict=True):
        heading = re.match(r".* \((\d+) of 3000 findings left out\)$", part.splitlines()[0])
        assert heading, part.splitlines()[0]
        left_out = int(heading.group(1))
        rows = [line for line in part.splitlines() if line.startswith("| ") and
                not line.startswith(("| FILE", "| ENV", "| ---"))]
        assert rows and len(rows) + left_out == many
        assert part.rstrip().splitlines()[-1] == (
            f"✂️ **cut here**: {left_out} more findings of {title} not shown, to stay under "
            "GitHub's 1 MiB step-summary limit")
        shown += len(rows)
    assert f"Report cut at {shown} of {3 * many} findings" in text
