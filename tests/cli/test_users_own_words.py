"""The user's own words where the tools expect data (issue 22): free-text result cells, header
lines edited by hand, tags in the user's case, ids YAML would read as numbers, `new --force` on
the note of an imported paper. Each goes through the real CLI on a note shaped like theirs."""

from __future__ import annotations

import re

import pytest

from papernotes.notes.format.parse import parse_note
from papernotes.notes.format.regions import region_body

from ..user_vault import FREE_CELLS, SIMCLR, SIMCLR_TEXT, write_into, write_sources


def _props(text: str) -> str:
    return text[:text.index("\n---\n", 4) + 1]


def test_free_text_result_cells_are_kept_and_read_for_their_number(ws_dir, cli):
    path = write_into(ws_dir)
    note = parse_note(SIMCLR_TEXT, key=SIMCLR).note
    assert note.meta.year == 2020  # `2020（ICML，arXiv 预印本更早）`
    results = note.results
    assert [(r.value, r.spread, r.shown) for r in results] == [
        (70.1, 0.2, "70.1±0.2"), (70.0, None, "~70"), (None, None, "N/A"), (None, None, "—"),
        (76.5, None, "76.5 (4x)")]
    r = cli("list")
    assert r.exit_code == 0 and "skipped" not in r.output and SIMCLR in r.output, r.output
    r = cli("show", SIMCLR)
    assert r.exit_code == 0, r.output
    for shown in FREE_CELLS:
        assert shown in r.output
    assert cli("idea", "point", SIMCLR, "强增强").exit_code == 0
    assert cli("validate").exit_code == 0
    after = path.read_text(encoding="utf-8")
    for shown in FREE_CELLS:  # every cell byte for byte
        assert f"| {shown} |" in after


def test_new_force_keeps_free_text_cells_of_a_catalog_note(ws_dir, cli):
    assert cli("new", "simclr").exit_code == 0
    path = ws_dir / "notes" / "simclr.md"
    text = path.read_text(encoding="utf-8").replace("| 69.3 |", "| 69.3±0.1 |").replace(
        "| 94.0 |", "| N/A |")
    path.write_text(text, encoding="utf-8")
    r = cli("new", "simclr", "--force")
    assert r.exit_code == 0, r.output
    after = path.read_text(encoding="utf-8")
    assert "| 69.3±0.1 |" in after and "| N/A |" in after


def test_validate_reports_every_bad_cell_of_the_idea_tables(ws_dir, cli):
    assert cli("new", "simclr").exit_code == 0
    assert cli("idea", "add", "simclr", "one").exit_code == 0
    assert cli("idea", "add", "simclr", "two").exit_code == 0
    path = ws_dir / "notes" / "simclr.md"
    text = path.read_text(encoding="utf-8")
    text = text.replace("| 1 |  | other | idea | one |", "| 1 |  | magic | idea | one |")
    text = text.replace("| 2 |  | other | idea | two |", "| 2 | x | other | idea | two |")
    path.write_text(text, encoding="utf-8")
    r = cli("validate")
    assert r.exit_code != 0
    lines = [ln for ln in r.output.splitlines() if "simclr.md:" in ln]
    assert len(lines) == 2, r.output
    assert "ideas.patches" in lines[0] and "'magic'" in lines[0]
    assert "ideas.patches.point" in lines[1] and "'x'" in lines[1]


def test_a_header_edited_by_hand_is_read_back_into_the_properties(ws_dir, cli):
    path = write_into(ws_dir)
    r = cli("idea", "point", SIMCLR, "强增强")
    assert r.exit_code == 0, r.output
    after = path.read_text(encoding="utf-8")
    props = _props(after)
    assert "status: reading\n" in props and "date: 2024-06-24\n" in props
    assert "rating: 4\n" in props
    # the header stays as the user wrote it, and the write said what it did
    for line in ("**日期：** 2024/6/24", "**状态：** 🔵 在读", "**评级：** ⭐⭐⭐⭐☆ (根据个人理解"):
        assert line in after
    assert r.output.count("the property now follows the header") == 3, r.output
    assert "🔵 在读" in cli("list").output
    # nothing left to read back: the next write is quiet about the header
    r = cli("idea", "point", SIMCLR, "第二点")
    assert "follows" not in r.output and path.read_text(encoding="utf-8").count("在读") == 1


def _edited_then_written(cli, ws_dir, old: str, new: str):
    """The catalog's SimCLR note with `old` edited into `new`, then a tool write; (result, text)."""
    assert cli("new", "simclr").exit_code == 0
    path = ws_dir / "notes" / "simclr.md"
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    r = cli("idea", "point", "simclr", "x")
    assert r.exit_code == 0, r.output
    return r, path.read_text(encoding="utf-8")


@pytest.mark.parametrize("written, status", [("在读", "reading"), ("已精读", "read-carefully"),
                                             ("🟡 skimmed", "skimmed"), ("reading", "reading")])
def test_a_status_in_any_form_the_template_shows_is_read(ws_dir, cli, written, status):
    _, after = _edited_then_written(cli, ws_dir, "**状态：** ⚪ 未读", f"**状态：** {written}")
    assert f"status: {status}\n" in after and f"**状态：** {written}\n" in after


def test_a_property_changed_in_obsidian_brings_the_header_along(ws_dir, cli):
    r, after = _edited_then_written(cli, ws_dir, "status: unread\n", "status: reading\n")
    assert "the header line now follows it" in r.output, r.output
    assert "status: reading\n" in after and "**状态：** 🔵 在读\n" in after


def test_a_header_no_form_reads_is_kept_with_a_warning(ws_dir, cli):
    r, after = _edited_then_written(cli, ws_dir, "**状态：** ⚪ 未读", "**状态：** 看了一半")
    assert "warning" in r.output and "看了一半" in r.output, r.output
    assert "**状态：** 看了一半\n" in after and "status: unread\n" in after


def test_tags_keep_the_users_case_and_match_ignoring_it(ws_dir, cli, tmp_path):
    sources = write_sources(tmp_path / "old-vault")
    r = cli("import", str(sources[SIMCLR]))
    assert r.exit_code == 0, r.output
    text = (ws_dir / "notes" / f"{SIMCLR}.md").read_text(encoding="utf-8")
    assert re.search(r"tags:\n  - SimCLR\n  - 对比学习\n  - ViT\n", text), _props(text)
    assert "source-tags" not in text
    r = cli("list", "--tag", "simclr")
    assert r.exit_code == 0 and "#SimCLR" in r.output and "1 note(s)" in r.output, r.output
    # the card's `simclr`-like tags do not come in twice, whatever their case
    note = parse_note(text.replace("  - ViT\n", "  - ViT\n  - vit\n  - simclr\n"), key="k").note
    assert note.meta.tags == ["SimCLR", "对比学习", "ViT"]


def test_an_unquoted_arxiv_id_is_its_text_and_is_written_quoted(ws_dir, cli, tmp_path):
    note = parse_note("---\narxiv: 2003.04300\n---\n# x\n", key="x").note
    assert note.meta.arxiv == "2003.04300"
    sources = write_sources(tmp_path / "old-vault")
    r = cli("import", str(sources[SIMCLR]), "--dry-run")
    assert r.exit_code == 0 and "source-arxiv" not in r.output, r.output
    # the header the user edited is what the imported note's properties say
    assert "property status: reading from the header line 12 ('🔵 在读')" in r.output
    assert cli("import", str(sources[SIMCLR])).exit_code == 0
    text = (ws_dir / "notes" / f"{SIMCLR}.md").read_text(encoding="utf-8")
    props = _props(text)
    assert 'arxiv: "2002.05709"\n' in props and "year: 2020\n" in props
    assert "source-arxiv" not in props
    # written back by a tool: still the id as text, quoted
    assert cli("idea", "point", SIMCLR, "x").exit_code == 0
    assert 'arxiv: "2002.05709"\n' in (ws_dir / "notes" / f"{SIMCLR}.md").read_text(encoding="utf-8")


def test_new_force_remakes_the_imported_note_of_the_paper(ws_dir, cli, tmp_path):
    sources = write_sources(tmp_path / "old-vault")
    assert cli("import", str(sources[SIMCLR])).exit_code == 0
    path = ws_dir / "notes" / f"{SIMCLR}.md"
    assert cli("idea", "point", SIMCLR, "我的要点").exit_code == 0
    before = path.read_text(encoding="utf-8")
    r = cli("new", "simclr", "--force")
    assert r.exit_code == 0, r.output
    assert "already in the vault" not in r.output
    assert f"made again as the note '{SIMCLR}'" in r.output
    assert sorted(p.name for p in (ws_dir / "notes").glob("*.md")) == [f"{SIMCLR}.md"]
    after = path.read_text(encoding="utf-8")
    assert region_body(after, "ideas") == region_body(before, "ideas")
    for cell in FREE_CELLS:
        assert f"| {cell} |" in after
    # the same name in another case is the same note to Obsidian: made again, not refused
    (ws_dir / "notes" / "SimCLR.md").write_bytes(path.read_bytes())
    path.unlink()
    r = cli("new", "simclr", "--force")
    assert r.exit_code == 0 and "made again as the note 'SimCLR'" in r.output, r.output
    assert sorted(p.name for p in (ws_dir / "notes").glob("*.md")) == ["SimCLR.md"]
