"""Nothing lost silently, every problem at once: `new --force` over a note the user worked in,
`validate` on a note with several problems, broken YAML, `doctor` on a fresh note."""

from __future__ import annotations

import json

from papernotes.notes.format.regions import region_body


def _worked_on(ws_dir, cli):
    """The SimCLR note after some work: ideas, a repro row, an own section, thoughts, a property."""
    assert cli("new", "simclr").exit_code == 0
    assert cli("idea", "point", "simclr", "strong augmentation").exit_code == 0
    assert cli("idea", "add", "simclr", "learned augmentation", "--point", "1").exit_code == 0
    path = ws_dir / "notes" / "simclr.md"
    text = path.read_text(encoding="utf-8")
    text = text.replace("%% papernotes:begin repro %%\n暂无运行记录。\n",
                        "%% papernotes:begin repro %%\n| run | dataset |\n| --- | --- |\n"
                        "| `abcdef12` | CIFAR-10 |\n\n")
    text = text.replace("(启发、疑问、能改进的地方)\n\n...\n", "(启发、疑问、能改进的地方)\n\n投影头为什么有效？\n")
    text = text.replace("status: unread\n", "status: reading\nmy-own: keep me  # mine\n")
    text = text.replace("\n## 5. 实验结果", "\n## 我的小节\n\n我自己的内容\n\n## 5. 实验结果")
    path.write_text(text, encoding="utf-8")
    return path, text


def test_new_force_keeps_regions_sections_and_text_and_leaves_a_backup(ws_dir, cli):
    path, before = _worked_on(ws_dir, cli)
    r = cli("new", "simclr", "--force")
    assert r.exit_code == 0, r.output
    after = path.read_text(encoding="utf-8")
    assert region_body(after, "ideas") == region_body(before, "ideas")
    assert region_body(after, "repro") == region_body(before, "repro")
    for kept in ("投影头为什么有效？", "## 我的小节\n\n我自己的内容\n\n## 5. 实验结果",
                 "my-own: keep me  # mine\n", "status: reading\n", "**状态：** 🔵 在读"):
        assert kept in after, kept
    # nothing of the catalog's changed since: the note is as it was, its header in step
    assert after == before.replace("**状态：** ⚪ 未读", "**状态：** 🔵 在读")
    backups = list((ws_dir / ".papernotes" / "backup").glob("*/notes/simclr.md"))
    assert len(backups) == 1 and backups[0].read_text(encoding="utf-8") == before
    assert "backup" in r.output and "kept" in r.output
    # in English: the sections the card wrote come in English, the user's text stays as it is
    r = cli("new", "simclr", "--force", "--lang", "en")
    assert r.exit_code == 0, r.output
    en = path.read_text(encoding="utf-8")
    assert "## 2. Abstract & Core Problem" in en and "## 1. Metadata" in en
    assert "投影头为什么有效？" in en and "## 我的小节" in en
    assert region_body(en, "repro") == region_body(before, "repro")
    assert len(list((ws_dir / ".papernotes" / "backup").glob("*/notes/simclr.md"))) == 2
    assert cli("validate").exit_code == 0


def test_new_force_on_a_note_that_does_not_read_writes_nothing(ws_dir, cli, snapshot,
                                                               one_error_line):
    assert cli("new", "simclr").exit_code == 0
    path = ws_dir / "notes" / "simclr.md"
    path.write_text(path.read_text(encoding="utf-8").replace("rating:", "rating: 9", 1),
                    encoding="utf-8")
    before = snapshot(ws_dir)
    r = cli("new", "simclr", "--force")
    line = one_error_line(r.output)
    assert r.exit_code == 2 and "rating: 9 is more than 5" in line and "move the file away" in line
    assert snapshot(ws_dir) == before


def test_validate_lists_every_problem_of_a_note_in_one_run(ws_dir, cli):
    assert cli("new", "simclr").exit_code == 0
    path = ws_dir / "notes" / "simclr.md"
    text = path.read_text(encoding="utf-8")
    text = text.replace("status: unread", "status: finished").replace("rating:", "rating: 7", 1)
    path.write_text(text.replace("year: 2020", "year: 20200"), encoding="utf-8")
    lines = path.read_text(encoding="utf-8").split("\n")
    at = {k: next(i for i, ln in enumerate(lines, 1) if ln.startswith(k + ":"))
          for k in ("status", "rating", "year")}
    r = cli("validate")
    assert r.exit_code == 1
    problems = [ln for ln in r.output.splitlines() if ln.startswith(str(path))]
    assert problems == [
        f"{path}:{at['status']}: status: 'finished' is not a reading status "
        "(use unread, skimmed, reading, read-carefully)",
        f"{path}:{at['rating']}: rating: 7 is more than 5",
        f"{path}:{at['year']}: year: 20200 is more than 2100",
    ]
    assert "1 note(s) checked, 1 with problems (3 problems)" in r.output
    # a command that reads the note shows the first in one line, and how many more there are
    r = cli("show", "simclr")
    assert r.exit_code == 2 and "(and 2 more: `papernotes validate` lists them)" in r.output


def test_broken_yaml_names_the_line_of_the_mistake_and_where_the_parser_gave_up(ws_dir, cli):
    assert cli("new", "simclr").exit_code == 0
    path = ws_dir / "notes" / "simclr.md"
    text = path.read_text(encoding="utf-8").replace("title: A Simple", 'title: "A Simple', 1)
    path.write_text(text, encoding="utf-8")
    r = cli("validate")
    assert r.exit_code == 1
    line = next(ln for ln in r.output.splitlines() if ln.startswith(str(path)))
    assert line.startswith(f"{path}:2: frontmatter: invalid YAML: the quote opened on this line "
                           "is never closed (the parser gave up at line ")
    gave_up = int(line.split("gave up at line ")[1].split(":")[0])
    assert gave_up > 2 and text.split("\n")[gave_up - 1].startswith("arxiv:")


def test_doctor_on_a_fresh_note_exits_0_and_strict_counts_the_information(ws_dir, cli):
    assert cli("new", "simclr").exit_code == 0
    r = cli("doctor")
    assert r.exit_code == 0, r.output
    assert "placeholder (info): template text still to fill: ..." in r.output
    assert "wikilink (info): [[moco]]: no note yet; `papernotes new moco` makes it" in r.output
    assert "0 problem(s)" in r.output and "for information (--strict counts them)" in r.output
    r = cli("doctor", "--strict")
    assert r.exit_code == 1
    report = json.loads(cli("doctor", "--json").output)["files"][0]["findings"]
    info = [f for f in report if f["severity"] == "info"]
    assert info and len(info) == len(report)
    assert f"{len(report)} problem(s)" in r.output
    # a link to a paper outside the catalog and the vault is still a problem
    path = ws_dir / "notes" / "simclr.md"
    path.write_text(path.read_text(encoding="utf-8") + "\nsee [[no-such-paper]]\n", encoding="utf-8")
    r = cli("doctor")
    assert r.exit_code == 1 and "wikilink: [[no-such-paper]] links to no note" in r.output
