"""A patch whose experiment changes loses its verdict and what came with it (issue 23: `idea set
--unset` said "verdict cleared" but left the old result and run id)."""

from __future__ import annotations

from papernotes.notes.model.ideas_model import IdeaLog, Patch, PatchStatus, Verdict, parse_expectation
from papernotes.notes.patching import set_patch


def a_log() -> IdeaLog:
    v = Verdict(n=3, baseline_mean=30.1, baseline_sd=0.7, patch_mean=28.7, patch_sd=0.9,
                diff_mean=-1.4, ci_low=-1.8, ci_high=-0.9, link="http://h/#/r/1")
    return IdeaLog(patches=[Patch(id=1, text="weaker jitter", status=PatchStatus.verified,
                                  profile="demo", sets=("aug.color_strength=0.25", "aug.blur=false"),
                                  expect=parse_expectation("eval/linear_top1 <= -1"), verdict=v,
                                  result="eval/linear_top1 -1.40 [-1.80, -0.90] over 3 seeds",
                                  run_id="0" * 32)])


def test_unset_clears_the_verdict_its_result_and_its_run():
    new = set_patch(a_log(), 1, unset=["aug.blur"]).patches[0]
    assert new.sets == ("aug.color_strength=0.25",)
    assert (new.verdict, new.result, new.run_id, new.status) == (None, "", None, PatchStatus.planned)


def test_a_change_that_keeps_the_experiment_keeps_them():
    new = set_patch(a_log(), 1, hypothesis="colour is a shortcut").patches[0]
    assert new.verdict is not None and new.run_id == "0" * 32 and new.result.startswith("eval/")


def test_a_result_given_with_the_change_is_kept():
    new = set_patch(a_log(), 1, unset=["aug.blur"], result="by hand", run_id="1" * 32).patches[0]
    assert new.verdict is None and (new.result, new.run_id) == ("by hand", "1" * 32)


def test_a_verdict_fills_the_profile_it_ran_with_when_the_patch_named_none():
    from papernotes.notes.patching import record_verdict

    log = a_log()
    bare = IdeaLog(patches=[log.patches[0].model_copy(update={"profile": None, "verdict": None})])
    v = log.patches[0].verdict
    done = record_verdict(bare, 1, status=PatchStatus.verified, verdict=v, run_id="2" * 32,
                          result="r", profile="demo").patches[0]
    assert done.profile == "demo"
    own = record_verdict(log, 1, status=PatchStatus.verified, verdict=v, run_id="2" * 32,
                         result="r", profile="other").patches[0]
    assert own.profile == "demo"  # the patch's own is kept
