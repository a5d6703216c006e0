"""The `ideas` region: render_ideas/parse_ideas are exact inverses on what the tool writes."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from papernotes.errors import PapernotesError
from papernotes.notes.format.ideas import parse_ideas, render_ideas
from papernotes.notes.model.ideas_model import IdeaLog, Patch, PatchKind, PatchStatus, Point

_text = st.text(st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\r"),
                min_size=1, max_size=25).map(str.strip).filter(lambda t: t and "<br>" not in t)


@st.composite
def logs(draw):
    pids = draw(st.lists(st.integers(1, 60), unique=True, max_size=5))
    points = [Point(id=i, text=draw(_text)) for i in pids]
    patches = [Patch(id=i, text=draw(_text), point=draw(st.sampled_from([None, *pids])),
                     kind=draw(st.sampled_from(list(PatchKind))),
                     status=draw(st.sampled_from(list(PatchStatus))),
                     hypothesis=draw(_text | st.just("")), cost=draw(_text | st.just("")),
                     result=draw(_text | st.just("")),
                     repro=draw(st.sampled_from([None, "simclr"])),
                     run_id=draw(st.sampled_from([None, "0a1b2c"])), story=draw(_text | st.just("")))
               for i in draw(st.lists(st.integers(1, 60), unique=True, max_size=4))]
    return IdeaLog(points=points, patches=patches)


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


def test_errors_carry_file_lines():
    body = render_ideas(IdeaLog(patches=[Patch(id=1, text="x")]), "zh").replace("| other |", "| nope |")
    with pytest.raises(PapernotesError) as info:
        parse_ideas(body, path="n.md", first_line=40)
    assert info.value.line == 40 + body.split("\n").index("| 1 |  | nope | idea | x |  |  |  |  |  |  |")
    with pytest.raises(PapernotesError, match="columns"):
        parse_ideas("| a | b |\n| - | - |\n| 1 | 2 |\n", path="n.md")
