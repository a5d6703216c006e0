"""The `ideas` region: render_ideas/parse_ideas are exact inverses on what the tool writes."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from papernotes.core.errors import PapernotesError
from papernotes.notes.format.ideas import parse_ideas, render_ideas
from papernotes.notes.model.ideas_model import IdeaLog, Patch, PatchKind, PatchStatus, Point, Verdict, parse_expectation

_text = st.text(st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\r"),
                min_size=1, max_size=25).map(str.strip).filter(lambda t: t and "<br>" not in t)


# values as the note shows them: two decimals, or three significant digits below 0.1
_value = st.one_of(st.integers(-99999, 99999).map(lambda i: i / 100),
                   st.sampled_from([0.0123, -0.0456, 0.00789, 1.5e-05]))


def _sd(mean: float, sd: float) -> float:
    """An SD as the note shows it beside its mean: to the mean's two decimals (three
    significant digits beside a mean shown so)."""
    return abs(sd) if mean != 0 and abs(mean) < 0.1 else round(abs(sd), 2)


@st.composite
def verdicts(draw):
    base, patch = draw(_value), draw(_value)
    return Verdict(n=draw(st.integers(2, 30)), baseline_mean=base, baseline_sd=_sd(base, draw(_value)),
                   patch_mean=patch, patch_sd=_sd(patch, draw(_value)), diff_mean=draw(_value),
                   ci_low=draw(_value), ci_high=draw(_value),
                   seeds_needed=draw(st.none() | st.integers(3, 999)),
                   link=draw(st.sampled_from(["", "http://127.0.0.1:5000/#/experiments/1/runs/ab12"])))


@st.composite
def logs(draw):
    pids = draw(st.lists(st.integers(1, 60), unique=True, max_size=5))
    points = [Point(id=i, text=draw(_text)) for i in pids]
    stories = ["aug", "speed | fast"]
    patches = [Patch(id=i, text=draw(_text), point=draw(st.sampled_from([None, *pids])),
                     kind=draw(st.sampled_from(list(PatchKind))),
                     status=draw(st.sampled_from(list(PatchStatus))),
                     hypothesis=draw(_text | st.just("")), cost=draw(_text | st.just("")),
                     result=draw(_text | st.just("")),
                     repro=draw(st.sampled_from([None, "simclr"])),
                     run_id=draw(st.sampled_from([None, "0a1b2c"])),
                     story=draw(st.sampled_from(["", *stories]) | _text),
                     profile=draw(st.sampled_from([None, "demo"])),
                     sets=draw(st.sampled_from([(), ("aug.color_strength=0.25",),
                                                ("train.epochs=5", "aug.blur_prob=1.0,0.1", "data.root=a b")])),
                     expect=draw(st.sampled_from([None, parse_expectation("eval/linear_top1 >= +1"),
                                                  parse_expectation("time/wall_s <= -0.5")])),
                     verdict=draw(st.none() | verdicts()))
               for i in draw(st.lists(st.integers(1, 60), unique=True, max_size=4))]
    shown = draw(st.lists(st.sampled_from(stories), unique=True, max_size=2))
    return IdeaLog(points=points, patches=patches, stories=shown)


@settings(max_examples=120, deadline=None)
@given(logs(), st.sampled_from(["zh", "en"]))
def test_round_trip(log, lang):
    body = render_ideas(log, lang)
    assert parse_ideas(body) == log
    assert render_ideas(parse_ideas(body), lang) == body


@pytest.mark.parametrize("text", ["> quoted", "# heading", "1. numbered", "- dash", "\\back", "```x",
                                  "a | b", "two\nlines", "=== under"])
def test_block_markers_in_points_stay_text(text):
    log = IdeaLog(points=[Point(id=7, text=text)], patches=[Patch(id=1, text=text, hypothesis=text)])
    assert parse_ideas(render_ideas(log, "en")) == log


def test_readable_form():
    log = IdeaLog(points=[Point(id=1, text="mask 75% of patches")],
                  patches=[Patch(id=2, point=1, kind="speed", text="encoder sees visible patches",
                                 status="verified", run_id="abc123", result="3x faster")])
    assert render_ideas(log, "en") == (
        "**Points**\n\n1. mask 75% of patches\n\n**Patches**\n\n"
        "| # | point | kind | status | patch | hypothesis | cost | result | repro | run | story |\n"
        "| --: | --: | :-- | :-- | :-- | :-- | :-- | :-- | :-- | :-- | :-- |\n"
        "| 2 | 1 | speed | verified | encoder sees visible patches |  |  | 3x faster |  | abc123 |  |\n")


def test_experiments_table_reads_as_written():
    v = Verdict(n=3, baseline_mean=30.17, baseline_sd=0.76, patch_mean=28.77, patch_sd=0.93,
                diff_mean=-1.4, ci_low=-1.83, ci_high=-0.97, link="http://h/#/r/1")
    log = IdeaLog(patches=[Patch(id=1, text="weaker jitter", status="verified", profile="demo",
                                 sets=("aug.color_strength=0.25",),
                                 expect=parse_expectation("eval/linear_top1 <= -1"), verdict=v),
                           Patch(id=2, text="plain idea")])
    body = render_ideas(log, "en")
    assert body.endswith(
        "**Experiments**\n\n"
        "| # | profile | set | expect | baseline | patch | difference [95% CI] | N | seeds to settle | parent run |\n"
        "| --: | :-- | :-- | :-- | :-- | :-- | :-- | :-- | :-- | :-- |\n"
        "| 1 | demo | `aug.color_strength=0.25` | eval/linear_top1 <= -1 | 30.17 ± 0.76 SD | 28.77 ± 0.93 SD "
        "| -1.40 [-1.83, -0.97] | 3 |  | [MLflow](http://h/#/r/1) |\n")
    assert parse_ideas(body).patches[0].verdict.baseline_sd == 0.76
    # an unlabelled cell (as written before SD was labelled) still reads
    assert parse_ideas(body.replace(" SD |", " |")).patches[0].verdict.patch_sd == 0.93
    # a user's edit of the experiment reads back; an unknown patch number is a located error
    edited = body.replace("`aug.color_strength=0.25`", "`aug.color_strength=0.5` `train.epochs=5`")
    assert parse_ideas(edited).patches[0].sets == ("aug.color_strength=0.5", "train.epochs=5")
    with pytest.raises(PapernotesError, match="experiment of patch 7") as info:
        parse_ideas(body.replace("| 1 | demo |", "| 7 | demo |"), path="n.md", first_line=10)
    assert info.value.line == 10 + body.split("\n").index(
        next(ln for ln in body.split("\n") if ln.startswith("| 1 | demo |")))
    with pytest.raises(PapernotesError, match="expect"):
        parse_ideas(body.replace("eval/linear_top1 <= -1", "eval/linear_top1 < 1"))
    with pytest.raises(PapernotesError, match="MEAN ± SD"):
        parse_ideas(body.replace("30.17 ± 0.76 SD", "30.17"))


def test_story_is_derived_and_only_its_name_is_read_back():
    log = IdeaLog(patches=[Patch(id=1, text='a "b"', story="s", status="verified"),
                           Patch(id=2, text="c", story="s"), Patch(id=3, text="d", story="t")],
                  stories=["s"])
    body = render_ideas(log, "zh")
    assert "**故事线 (Story):** s" in body and "p1 --> p2" in body and "p3" not in body
    assert 'p1["#1 a #quot;b#quot;<br/>verified"]' in body and "class p1 verified" in body
    # the derived table and chain follow the patches, whatever the user did to them
    assert parse_ideas(body.replace("p1 --> p2", "p2 --> p1")) == log


def test_errors_carry_file_lines():
    body = render_ideas(IdeaLog(patches=[Patch(id=1, text="x")]), "zh").replace("| other |", "| nope |")
    with pytest.raises(PapernotesError) as info:
        parse_ideas(body, path="n.md", first_line=40)
    assert info.value.line == 40 + body.split("\n").index("| 1 |  | nope | idea | x |  |  |  |  |  |  |")
    with pytest.raises(PapernotesError, match="columns"):
        parse_ideas("| a | b |\n| - | - |\n| 1 | 2 |\n", path="n.md")


def test_a_standard_deviation_is_labelled_and_rounded_as_its_mean():
    from papernotes.notes.format.ideas_story import mean_sd

    assert mean_sd(15.25, 0.0707) == "15.25 ± 0.07 SD"  # not "± 0.0707" beside "± 0.21"
    assert mean_sd(15.25, 0.21) == "15.25 ± 0.21 SD"
    assert mean_sd(0.0123, 0.0011) == "0.0123 ± 0.0011 SD"  # a mean shown to 3 significant digits

