"""The promotion plan: what moves, per-service revisions, changes re-applied on a newer
file (conflicts), rollbacks; idempotence as a property."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from gitops_tool.core.promote.plan import (
    REVISION,
    Change,
    apply_changes,
    changes_between,
    moves_between,
    promoted_versions,
    rebase_changes,
    restored_versions,
)
from gitops_tool.core.promote.versions import Pin, Versions

A, B, C = "a" * 40, "b" * 40, "c" * 40
STAGING = Versions(B, {"api": Pin("2.0"), "web": Pin("1.1"), "db": Pin("9", C)})
PROD = Versions(A, {"api": Pin("1.0"), "web": Pin("1.1"), "db": Pin("8")})


def test_a_full_promotion_takes_the_revision_and_every_pin():
    wanted = promoted_versions(STAGING, B, PROD)
    assert wanted == Versions(B, {"api": Pin("2.0"), "db": Pin("9", C), "web": Pin("1.1")})
    assert {c.key for c in changes_between(PROD, wanted)} == {
        "source.revision", "releases.api.image", "releases.db.image", "releases.db.revision"}


def test_a_service_promotion_moves_its_chart_with_its_image():
    wanted = promoted_versions(STAGING, B, PROD, ["api"])
    assert wanted.revision == A  # the environment's revision stays
    assert wanted.pins["api"] == Pin("2.0", B)  # the commit api runs in staging
    assert wanted.pins["web"] == Pin("1.1")
    assert promoted_versions(STAGING, B, PROD, ["db"]).pins["db"] == Pin("9", C)


def test_a_pin_revision_equal_to_the_environment_is_never_written():
    target = Versions(B, {"api": Pin("1.0")})
    assert promoted_versions(STAGING, B, target, ["api"]).pins["api"] == Pin("2.0")


def test_moves_name_image_and_revision():
    moves = moves_between(PROD, promoted_versions(STAGING, B, PROD, ["api"]))
    assert [(m.service, m.old_image, m.new_image, m.old_revision, m.new_revision)
            for m in moves] == [("api", "1.0", "2.0", A, B)]


def test_changes_re_applied_on_a_newer_file():
    ours = changes_between(PROD, promoted_versions(STAGING, B, PROD))
    # someone moved web (not ours) and nothing else: all of ours still to make
    newer = Versions(A, {**PROD.pins, "web": Pin("1.2")})
    todo, conflicts = rebase_changes(ours, newer)
    assert not conflicts and set(todo) == set(ours)
    # someone moved api too, to something else: a conflict naming both values
    newer = Versions(A, {**PROD.pins, "api": Pin("1.5")})
    todo, conflicts = rebase_changes(ours, newer)
    assert [(c.ours.key, c.ours.old, c.ours.new, c.theirs) for c in conflicts] == [
        ("releases.api.image", "1.0", "2.0", "1.5")]
    # someone made the same change already: nothing to do for it
    newer = Versions(A, {**PROD.pins, "api": Pin("2.0")})
    todo, conflicts = rebase_changes(ours, newer)
    assert not conflicts and "releases.api.image" not in {c.key for c in todo}


def test_a_removed_service_is_a_conflict():
    ours = (Change(("releases", "gone", "image"), "1", "2"),)
    assert rebase_changes(ours, PROD)[1][0].theirs is None


def test_rollback_restores_what_the_older_file_pinned():
    then = Versions(C, {"api": Pin("0.9"), "old": Pin("1")})
    wanted, kept, gone = restored_versions(PROD, then)
    assert wanted.revision == C and wanted.pins["api"] == Pin("0.9")
    assert kept == ("db", "web") and gone == ("old",)
    # a kept service keeps its chart's commit too: the environment's moves back to C, where
    # its chart may not exist yet
    assert wanted.pins["web"] == Pin("1.1", A) and wanted.pins["db"] == Pin("8", A)
    assert changes_between(wanted, wanted) == ()
    assert apply_changes(PROD, changes_between(PROD, wanted)) == wanted
    assert REVISION == ("source", "revision")


_sha = st.sampled_from([A, B, C])
_tag = st.sampled_from(["1.0", "1.1", "2.0"])
_pins = st.dictionaries(st.sampled_from(["api", "web", "db"]),
                        st.builds(Pin, _tag, st.sampled_from(["", A, B, C])), min_size=3)


@given(_sha, _pins, _sha, _pins, _sha, st.lists(st.sampled_from(["api", "web", "db"]),
                                                 unique=True))
def test_promoting_twice_changes_nothing_the_second_time(
    source_rev, source_pins, target_rev, target_pins, commit, services
):
    source = Versions(source_rev, source_pins)
    target = Versions(target_rev, {n: Pin(p.image, "" if p.revision == target_rev
                                           else p.revision) for n, p in target_pins.items()})
    once = promoted_versions(source, commit, target, services)
    assert promoted_versions(source, commit, once, services) == once
    assert apply_changes(target, changes_between(target, once)) == once
    assert all(p.revision != once.revision for p in once.pins.values())
    for name in services or once.pins:  # every promoted service runs what it runs in source
        assert once.revision_of(name) == (source.pins[name].revision or commit)
        assert once.pins[name].image == source.pins[name].image
