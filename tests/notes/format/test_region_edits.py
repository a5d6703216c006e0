"""Nothing typed by the user is lost at a rewrite: hand edits inside a managed region (folded
in, or kept in a callout after it), the header under the title, the blank line after a table."""

from __future__ import annotations

import pytest

from papernotes.core import notices
from papernotes.notes.format.parse import parse_note
from papernotes.notes.format.region_edits import KEPT_TITLE, ideas_edit, ideas_leftovers
from papernotes.notes.format.regions import find_regions, region_body, wrap_region
from papernotes.notes.format.render import render_new, render_update
from papernotes.notes.model.ideas_model import IdeaLog, Patch, PatchStatus
from papernotes.notes.model.schema import ReadingStatus

from ..conftest import simclr_note


@pytest.fixture
def warnings():
    seen: list[str] = []
    previous = notices.set_sink(lambda level, text: seen.append(f"{level}: {text}"))
    yield seen
    notices.set_sink(previous)


def _add_patch(note, text="a new idea"):
    log = note.ideas
    new = Patch(id=len(log.patches) + 1, text=text)
    return note.model_copy(update={"ideas": IdeaLog(points=log.points, patches=[*log.patches, new])})


def test_a_hand_edited_region_keeps_the_edit(warnings):
    text = render_new(simclr_note("en"))
    # the user edits the patch row's status by hand, and types two lines inside the region
    text = text.replace("| 1 | 1 | augmentation | planned |", "| 1 | 1 | augmentation | running |")
    text = text.replace("%% papernotes:end ideas %%",
                        "TODO: try the 1% label split\n- ask Ting about the blur\n"
                        "%% papernotes:end ideas %%")
    parsed = parse_note(text, path="notes/simclr.md", key="simclr")
    assert parsed.note.ideas.patches[0].status == PatchStatus.running  # the row is read in
    out = render_update(parsed, _add_patch(parsed.note))

    body = region_body(out, "ideas")
    assert "| 1 | 1 | augmentation | running |" in body  # folded into the model, rewritten
    assert "| 2 |  | other | idea | a new idea |" in body
    assert "TODO" not in body and "ask Ting" not in body
    after = out[find_regions(out)["ideas"].end:]
    assert after.startswith(f"\n{KEPT_TITLE}\n> TODO: try the 1% label split\n"
                            "> - ask Ting about the blur\n\n---\n")
    assert len(warnings) == 1 and warnings[0].startswith("warning: notes/simclr.md:")
    assert "ideas: 2 lines typed inside the managed region 'ideas' were kept" in warnings[0]
    # the callout is outside the region: the next rewrite leaves it alone and warns no more
    again = parse_note(out, path="notes/simclr.md", key="simclr")
    out2 = render_update(again, _add_patch(again.note, "third"))
    assert out2.count("> TODO: try the 1% label split") == 1 and len(warnings) == 1


def test_an_untouched_region_is_not_an_edit(lang):
    body = region_body(render_new(simclr_note(lang)), "ideas")
    assert ideas_edit(body, lang) is None
    # the region of an older version (no blank line after the table) is not an edit either
    assert ideas_edit(body.rstrip("\n") + "\n", lang) is None
    assert ideas_leftovers(body) == []


def test_a_row_typed_by_hand_is_folded_in_with_nothing_left_over():
    body = region_body(render_new(simclr_note("en")), "ideas")
    assert ideas_edit(body.replace("| planned |", "|   verified   |"), "en") is None  # spacing
    typed = body.replace("| cheap SSL |\n", "| cheap SSL |\n| 2 | 1 | loss | idea | typed |\n")
    edit = ideas_edit(typed, "en")
    assert edit is not None and edit.kept == () and "read in" in edit.message


def test_the_header_follows_the_properties_changed_in_obsidian(ws_dir, warnings):
    """The user changes the properties in Obsidian's panel: the header still says what both said
    at the last write (`header_state` remembers it), so the next rewrite brings it along."""
    from papernotes.notes import header_state

    path = ws_dir / "notes" / "simclr.md"
    note = simclr_note("zh")
    text = render_new(note)
    header_state.record(ws_dir, [(path, note)])
    assert "**状态：** 🟢 已精读\n" in text and "**评级：** ⭐⭐⭐⭐⭐ (根据" in text
    text = text.replace("status: read-carefully\n", "status: skimmed\n").replace(
        "rating: 5\n", "rating: 2\n")
    parsed = header_state.resolve(ws_dir, parse_note(text, path=path, key="simclr"))
    assert (parsed.note.status, parsed.note.rating) == (ReadingStatus.skimmed, 2)
    out = render_update(parsed, _add_patch(parsed.note))
    assert "**状态：** 🟡 已略读\n" in out and "**评级：** ⭐⭐ (根据个人理解和对工作的评价)\n" in out
    assert "status: skimmed\n" in out and "rating: 2\n" in out
    assert sum("the header line now follows it" in w for w in warnings) == 2
    out = render_update(parse_note(out, key="simclr"), parsed.note.model_copy(
        update={"status": ReadingStatus.reading, "rating": None}))
    assert "**状态：** 🔵 在读\n" in out and "**评级：** ☆☆☆☆☆ (根据" in out


def test_a_region_ending_with_a_table_has_a_blank_line_before_its_end_marker():
    wrapped = wrap_region("repro", "| a | b |\n| - | - |\n| 1 | 2 |")
    assert wrapped.endswith("| 1 | 2 |\n\n%% papernotes:end repro %%\n")
    assert wrap_region("repro", "No runs yet.").endswith("No runs yet.\n%% papernotes:end repro %%\n")
    text = render_new(simclr_note("en"))
    assert "| cheap SSL |\n\n%% papernotes:end ideas %%" in text
