"""The idea-log operations behind `papernotes idea`: pure functions, new ids, clear errors."""

import pytest

from papernotes.core.errors import PapernotesError
from papernotes.notes.idea_listing import idea_rows
from papernotes.notes.model.ideas_model import IdeaLog, PatchKind, PatchStatus
from papernotes.notes.patching import add_patch, add_point, set_patch


def _log_with_point():
    log, p1 = add_point(IdeaLog(), "mask 75% of the patches")
    log, p2 = add_point(log, "encoder sees only visible patches")
    return log, p1, p2


def test_points_and_patches_get_the_next_id_and_nothing_is_mutated():
    log, p1, p2 = _log_with_point()
    assert (p1.id, p2.id) == (1, 2)
    log2, patch = add_patch(log, "try a CNN encoder", point=2, kind="architecture",
                            hypothesis="works worse", cost="1 GPU-day")
    assert patch.id == 1 and patch.point == 2 and patch.kind is PatchKind.architecture
    assert patch.status is PatchStatus.idea
    assert log.patches == [] and len(log2.patches) == 1
    log3, patch2 = add_patch(log2, "add a contrastive loss", kind=PatchKind.loss)
    assert patch2.id == 2 and [p.id for p in log3.patches] == [1, 2]


def test_ids_follow_the_largest_even_after_gaps():
    log, _, _ = _log_with_point()
    log = log.model_copy(update={"points": [log.points[1]]})  # only point 2 left
    log, p = add_point(log, "third")
    assert p.id == 3


def test_a_patch_must_name_an_existing_point():
    log, _, _ = _log_with_point()
    with pytest.raises(PapernotesError) as err:
        add_patch(log, "x", point=7)
    msg = str(err.value)
    assert "no point 7" in msg and "1, 2" in msg and "idea point" in msg


def test_unknown_kind_lists_the_choices():
    with pytest.raises(PapernotesError, match="augmentation, architecture, loss"):
        add_patch(IdeaLog(), "x", kind="magic")


@pytest.mark.parametrize("text", ["", "   ", "two\nlines"])
def test_empty_or_multiline_text_is_refused(text):
    with pytest.raises(PapernotesError):
        add_point(IdeaLog(), text)


def test_set_patch_changes_only_the_named_fields():
    log, _, _ = _log_with_point()
    log, _ = add_patch(log, "a", point=1, hypothesis="h")
    log, _ = add_patch(log, "b")
    new = set_patch(log, 2, status="verified", result="+1.2 top-1", run_id="abc123", repro="simclr")
    b = new.patches[1]
    assert (b.status, b.result, b.run_id, b.repro) == (PatchStatus.verified, "+1.2 top-1", "abc123", "simclr")
    assert new.patches[0] == log.patches[0]
    assert log.patches[1].status is PatchStatus.idea  # the old log is untouched


def test_set_unknown_id_lists_the_ids():
    log, _ = add_patch(IdeaLog(), "a")
    log, _ = add_patch(log, "b")
    with pytest.raises(PapernotesError, match=r"no patch 9 \(patches: 1, 2\)"):
        set_patch(log, 9, status="verified")


def test_set_needs_something_to_change_and_a_known_status():
    log, _ = add_patch(IdeaLog(), "a")
    with pytest.raises(PapernotesError, match="nothing to change"):
        set_patch(log, 1)
    with pytest.raises(PapernotesError, match="idea, planned, running, verified"):
        set_patch(log, 1, status="done")


def test_set_rejects_a_bad_repro_name():
    log, _ = add_patch(IdeaLog(), "a")
    with pytest.raises(PapernotesError, match="invalid repro spec name"):
        set_patch(log, 1, repro="../etc")
    with pytest.raises(PapernotesError, match="repro"):
        add_patch(log, "b", repro="a/b")


def test_idea_rows_filter_by_status_and_show_the_point_text():
    log, _, _ = _log_with_point()
    log, _ = add_patch(log, "a", point=1)
    log, _ = add_patch(log, "b")
    log = set_patch(log, 2, status="running")
    rows = idea_rows("mae", log)
    assert [(r.key, r.id, r.point, r.status) for r in rows] == [
        ("mae", 1, "1. mask 75% of the patches", "idea"), ("mae", 2, "", "running")]
    assert [r.id for r in idea_rows("mae", log, status="running")] == [2]
    assert idea_rows("mae", log, status=PatchStatus.verified) == []


def test_experiment_fields_merge_by_field_and_changing_them_clears_the_verdict():
    from papernotes.notes.model.ideas_model import Verdict
    from papernotes.notes.patch_input import merge_sets
    from papernotes.notes.patching import record_verdict

    assert merge_sets(("a.b=1", "c.d=2"), ["a.b=3", "e.f=x y"], ["c.d"]) == ("a.b=3", "e.f=x y")
    with pytest.raises(PapernotesError, match="does not set 'z.z'"):
        merge_sets(("a.b=1",), (), ["z.z"])
    with pytest.raises(PapernotesError, match="FIELD=VALUE"):
        merge_sets((), ["epochs=3"])
    log, _ = add_patch(IdeaLog(), "weaker jitter", repro="simclr", sets=["aug.color_strength=0.25"],
                       expect="eval/linear_top1 <= -1")
    v = Verdict(n=3, baseline_mean=30.0, baseline_sd=0.5, patch_mean=28.0, patch_sd=0.4, diff_mean=-2.0,
                ci_low=-2.5, ci_high=-1.5)
    log = record_verdict(log, 1, status=PatchStatus.verified, verdict=v, run_id="p1", result="-2")
    assert set_patch(log, 1, cost="1 h").patches[0].verdict == v  # not the experiment
    changed = set_patch(log, 1, sets=["aug.color_strength=0.1"]).patches[0]
    assert changed.verdict is None and changed.status is PatchStatus.planned
    assert changed.sets == ("aug.color_strength=0.1",)
    kept = set_patch(log, 1, expect="eval/linear_top1 <= -3", status="verified").patches[0]
    assert kept.verdict is None and kept.status is PatchStatus.verified  # the user's own word wins
    with pytest.raises(PapernotesError, match="rise"):
        set_patch(log, 1, expect="eval/linear_top1 >= -1")
    assert set_patch(log, 1, expect="").patches[0].expect is None


def test_story_threads_are_shown_and_removed_by_name():
    from papernotes.notes.patching import show_story

    log, _ = add_patch(IdeaLog(), "a", story="aug")
    log, _ = add_patch(log, "b", story="speed")
    log2, shown = show_story(log, "aug")
    assert (log2.stories, shown) == (["aug"], ["aug"])
    log3, shown = show_story(log2)
    assert (log3.stories, shown) == (["aug", "speed"], ["aug", "speed"])
    assert show_story(log3, "aug", remove=True)[0].stories == ["speed"]
    with pytest.raises(PapernotesError, match="no patch belongs to the thread 'nope'"):
        show_story(log, "nope")
    with pytest.raises(PapernotesError, match="no patch belongs to a story"):
        show_story(IdeaLog())
