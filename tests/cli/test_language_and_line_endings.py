"""A note's language decides its labels everywhere, and a CRLF note stays CRLF through every
write (issue 22): an imported Chinese Hexo post full of code and English terms, and the
`ideas` region's callout that holds only the user's own lines and never grows."""

from __future__ import annotations

from papernotes.core import notices
from papernotes.notes.format.region_edits import KEPT_TITLE
from papernotes.notes.format.regions import find_regions, region_body

from ..user_vault import MAE, SIMCLR, bare_lf, write_sources


def test_an_imported_chinese_crlf_post_gets_chinese_labels_and_stays_crlf(ws_dir, cli, tmp_path):
    sources = write_sources(tmp_path / "blog")
    r = cli("import", str(sources[MAE]))
    assert r.exit_code == 0, r.output
    path = ws_dir / "notes" / f"{MAE}.md"
    data = path.read_bytes()
    assert bare_lf(data) == 0
    text = data.decode("utf-8")
    assert "\r\n## 4. 方法/模型 (Methodology/Model)\r\n" in text  # `## Method`, in Chinese
    # every write path: the ideas region added, a property changed, the header, the callout
    assert cli("idea", "point", MAE, "遮住更多 patch").exit_code == 0
    assert cli("idea", "add", MAE, "换成 CNN", "--point", "1").exit_code == 0
    text = path.read_bytes().decode("utf-8")
    body = region_body(text, "ideas")
    assert "**要点 (Points)**" in body and "**补丁 (Patches)**" in body
    assert "**Points**" not in body and "(no points yet)" not in body
    assert bare_lf(path.read_bytes()) == 0
    text = text.replace("| 1 | 1 | other | idea | 换成 CNN |", "| 1 | 1 | other | planned | 换成 CNN |")
    text = text.replace("%% papernotes:end ideas %%", "我自己的一行\r\n%% papernotes:end ideas %%")
    path.write_bytes(text.encode("utf-8"))
    assert cli("idea", "point", MAE, "第二点").exit_code == 0
    data = path.read_bytes()
    assert bare_lf(data) == 0 and f"{KEPT_TITLE}\r\n> 我自己的一行\r\n".encode() in data
    r = cli("list")
    assert "⚪ 未读" in r.output and "Unread" not in r.output, r.output


def test_the_language_is_the_same_for_every_tool():
    from papernotes.notes.format.language import note_language

    chinese = ("# MAE 笔记\n\nMAE 用 ViT-B/16 encoder 和 mask token，decoder 只在预训练时用。\n\n"
               "```python\nimport torch\nloss = ((pred - target) ** 2).mean(dim=-1)\n```\n")
    assert note_language(chinese) == "zh"
    assert note_language("# Contrastive\n\nA note on 对比学习 and what it learns.\n") == "en"
    assert note_language("---\ntitle: a b c d e f g\n---\n对比学习的笔记\n") == "zh"
    tool_text = "%% papernotes:begin ideas %%\n**Points**\n\n(no points yet)\n%% papernotes:end ideas %%\n"
    assert note_language("对比学习\n\n" + tool_text) == "zh"  # the tools' own words do not count


def _story_note(cli, ws_dir):
    assert cli("new", "simclr").exit_code == 0
    assert cli("idea", "point", "simclr", "强增强").exit_code == 0
    assert cli("idea", "add", "simclr", "weaker jitter", "--point", "1", "--profile", "demo",
               "--set", "aug.color_strength=0.25", "--expect", "eval/linear_top1 <= -1",
               "--story", "augmentation").exit_code == 0
    assert cli("idea", "story", "simclr", "augmentation").exit_code == 0
    return ws_dir / "notes" / "simclr.md"


def test_the_tools_own_text_never_goes_into_the_kept_callout(ws_dir, cli):
    path = _story_note(cli, ws_dir)
    text = path.read_text(encoding="utf-8")
    assert "**故事线 (Story):** augmentation" in text and "flowchart LR" in text
    # a hand edit of the expected-effect cell, and a line typed inside the story's chain
    text = text.replace("| eval/linear_top1 <= -1 |", "| eval/linear_top1 <= -2 |")
    text = text.replace("flowchart LR\n", "flowchart LR\n  my own line\n")
    path.write_text(text, encoding="utf-8")
    r = cli("idea", "point", "simclr", "第二点")
    assert r.exit_code == 0 and "1 line typed" in r.output, r.output
    after = path.read_text(encoding="utf-8")
    assert "| eval/linear_top1 <= -2 |" in region_body(after, "ideas")
    tail = after[find_regions(after)["ideas"].end:]
    assert tail.startswith(f"\n{KEPT_TITLE}\n>   my own line\n\n---\n"), tail[:300]
    # the same line typed again, and more writes: one callout, and it does not grow
    again = after.replace("flowchart LR\n", "flowchart LR\n  my own line\n")
    path.write_text(again, encoding="utf-8")
    for text in ("第三点", "第四点"):
        assert cli("idea", "point", "simclr", text).exit_code == 0
    final = path.read_text(encoding="utf-8")
    assert final.count(KEPT_TITLE) == 1 and final.count("my own line") == 1


def test_a_region_in_the_other_language_is_not_an_edit(ws_dir, cli):
    """A Chinese note whose region a tool once wrote in English (what a note read as English
    got): the next write puts it in Chinese, with no callout of the English labels."""
    from papernotes.notes.format.ideas import render_ideas
    from papernotes.notes.format.parse import parse_note
    from papernotes.notes.format.regions import replace_region

    path = _story_note(cli, ws_dir)
    text = path.read_text(encoding="utf-8")
    english = render_ideas(parse_note(text, key="simclr").note.ideas, "en")
    path.write_text(replace_region(text, "ideas", english), encoding="utf-8")
    seen: list[str] = []
    previous = notices.set_sink(lambda level, text: seen.append(text))
    try:
        for point in ("第二点", "第三点"):
            assert cli("idea", "point", "simclr", point).exit_code == 0
    finally:
        notices.set_sink(previous)
    final = path.read_text(encoding="utf-8")
    assert KEPT_TITLE not in final and "**要点 (Points)**" in final and "**Story:**" not in final
    assert not [s for s in seen if "kept in a callout" in s], seen


def test_a_run_written_back_into_a_crlf_note_keeps_crlf_and_its_language(tmp_path):
    """The results write-back (`repro`), on the user's Chinese note with CRLF line endings and
    a header edited by hand: the region comes in CRLF and in Chinese, the header goes into the
    properties, and no line ends with a bare LF."""
    from papernotes.notes.format.parse import parse_note
    from papernotes.repro.results.writeback import RunRow, write_back

    from ..user_vault import SIMCLR_TEXT

    note = tmp_path / "notes" / f"{SIMCLR}.md"
    note.parent.mkdir(parents=True)
    note.write_bytes(SIMCLR_TEXT.replace("\n", "\r\n").encode("utf-8"))
    row = RunRow(run_id="a" * 32, date="2026-11-23", spec="simclr/demo", backbone="resnet18",
                 dataset="synthetic", epochs=3, batch=128, metrics={"eval/linear_top1": 41.5},
                 hardware="cpu", wall_time_s=60.0, link="http://127.0.0.1:5000/#/r/a")
    write_back(note, tmp_path, row, [], None)
    data = note.read_bytes()
    assert bare_lf(data) == 0
    text = data.decode("utf-8")
    assert "\r\n%% papernotes:begin repro %%\r\n### 复现结果" in text
    parsed = parse_note(text, key=SIMCLR)
    assert parsed.header_edits == () and parsed.note.status.value == "reading"
    assert "status: reading\r\n" in text and "**状态：** 🔵 在读\r\n" in text
