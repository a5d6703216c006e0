"""Write-back: only the repro region changes; runs accumulate; a resumed run replaces its row."""

from __future__ import annotations

import re
from pathlib import Path

from papernotes.notes.format.regions import region_body
from papernotes.repro.results.writeback import RunRow, existing_runs, write_back
from papernotes.repro.spec.model import Expected

USER = "---\ntitle: SimCLR\n---\n# SimCLR\n\n我的笔记 — keep me\r\nexact  bytes\n\n## 9. Reproduction\n"
TAIL = "\n## 10. After\n\ntrailing user text\n"
REGION = "%% papernotes:begin repro %%\nold\n%% papernotes:end repro %%\n"
EXPECTED = [Expected(metric="eval/linear_top1", value=94.0, backbone="resnet50", dataset="cifar10",
                     source="Chen et al. 2020, Appendix B.9")]


def row(run_id: str, top1: float) -> RunRow:
    return RunRow(run_id=run_id, date="2026-11-23", spec="simclr/demo", backbone="resnet18",
                  dataset="synthetic", epochs=3, batch=128,
                  metrics={"eval/linear_top1": top1, "eval/linear_top5": 99.5, "eval/knn_top1": 50.25},
                  hardware="cpu | 2 cores", wall_time_s=125.0, link=f"http://127.0.0.1:5000/#/r/{run_id}")


def png(tmp_path: Path) -> Path:
    p = tmp_path / "curves.png"
    p.write_bytes(b"\x89PNG fake bytes")
    return p


def test_rows_accumulate_and_user_text_is_kept(tmp_path):
    vault = tmp_path / "vault"
    note = vault / "notes" / "simclr.md"
    note.parent.mkdir(parents=True)
    note.write_bytes((USER + REGION + TAIL).encode())
    write_back(note, vault, row("a" * 32, 41.5), EXPECTED, png(tmp_path))
    write_back(note, vault, row("b" * 32, 43.25), EXPECTED, None)
    text = note.read_bytes().decode()
    # the flat properties Bases read follow the row just written; the rest is kept
    owned = ("paper_top1: 94.0\nrepro_top1: 43.25\nrepro_n: 1\n"
             f"repro_run: http://127.0.0.1:5000/#/r/{'b' * 32}\n")
    assert text.startswith(USER.replace("title: SimCLR\n", "title: SimCLR\n" + owned)
                           + "%% papernotes:begin repro %%\n")
    # the line typed inside the region is not lost: it moved into a callout right after it
    assert text.endswith("%% papernotes:end repro %%\n\n> [!warning] kept from your edit "
                         "(papernotes)\n> old\n" + TAIL)
    body = region_body(text, "repro")
    rows, embeds = existing_runs(body)
    assert [r.split(" | ")[0] for r in rows] == ["| `aaaaaaaa`", "| `bbbbbbbb`"]
    assert "| 41.50 (n=1) | 99.50 | 50.25 |" in rows[0] and "| 43.25 (n=1) |" in rows[1]
    assert "cpu / 2 cores" in rows[0] and "2m05s" in rows[0]
    assert "| **paper** |" in body and "| 94.0 |" in body
    assert embeds == ["![[notes/attachments/simclr-aaaaaaaa-curves.png]]"]
    assert (vault / "notes" / "attachments" / "simclr-aaaaaaaa-curves.png").read_bytes() == b"\x89PNG fake bytes"
    assert "old" not in body and text.count("> old") == 1  # kept once, at the first rewrite


def test_same_run_replaces_its_row(tmp_path):
    note = tmp_path / "simclr.md"
    note.write_text("# x\n", encoding="utf-8")
    write_back(note, tmp_path, row("c" * 32, 10.0), EXPECTED, None)
    write_back(note, tmp_path, row("c" * 32, 20.0), EXPECTED, None)
    rows, _ = existing_runs(region_body(note.read_text(encoding="utf-8"), "repro"))
    assert len(rows) == 1 and "| 20.00 (n=1) |" in rows[0]
    assert note.read_text(encoding="utf-8").startswith("# x\n\n%% papernotes:begin repro %%\n")
    # the row it replaced is the tool's own, not a line typed by hand: no callout, no warning
    assert "kept from your edit" not in note.read_text(encoding="utf-8")


def test_a_run_records_itself_on_the_patch_naming_it_and_changes_no_status(tmp_path):
    from papernotes.core.workspace import init_workspace
    from papernotes.notes.creation import notes_to_create
    from papernotes.notes.format.parse import parse_note
    from papernotes.notes.patching import add_patch, add_point, set_patch
    from papernotes.notes.vault import update_note, write_new_notes

    ws = init_workspace(tmp_path / "vault")
    write_new_notes(ws, notes_to_create(key="simclr", title=None, bibtex=None, note_key=None,
                                        lang="en"))

    def plan(note):
        log, point = add_point(note.ideas, "temperature 0.5 on CIFAR")
        log, _ = add_patch(log, "try 0.2", point=point.id, repro="simclr")  # names the spec only
        log, _ = add_patch(log, "resumed run", point=point.id, repro="simclr")
        log = set_patch(log, 2, run_id="d" * 32, status="running")
        return note.model_copy(update={"ideas": log})

    path, _ = update_note(ws, "simclr", plan)
    before = path.read_text(encoding="utf-8")
    patched = write_back(path, ws.root, row("d" * 32, 71.25), EXPECTED, None, spec="simclr")
    assert patched == [2]
    after = path.read_text(encoding="utf-8")
    log = parse_note(after, path=path, key="simclr").note.ideas
    p1, p2 = log.patches
    assert (p1.status.value, p1.run_id, p1.result) == ("idea", None, "")
    assert (p2.status.value, p2.run_id) == ("running", "d" * 32)  # a plain run decides nothing
    assert p2.result == "run dddddddd (simclr/demo, 3 epochs): linear top-1 71.25% vs paper 94.0%"
    # outside the two managed regions and the flat properties nothing moved
    assert after.count("\nrepro_top1: 71.25\nrepro_n: 1\n") == 1
    after = re.sub(r"\n(paper_top1|repro_top1|repro_n|repro_run): [^\n]*", "", after, count=4)
    between = lambda t: t.split("%% papernotes:end ideas %%")[1].split("%% papernotes:begin repro %%")[0]  # noqa: E731
    assert before.split("%% papernotes:begin ideas %%")[0] == after.split("%% papernotes:begin ideas %%")[0]
    assert between(before) == between(after)
    assert after.split("%% papernotes:end repro %%")[1] == before.split("%% papernotes:end repro %%")[1]


def test_region_heading_follows_the_note_language(tmp_path):
    """A note in the user's Chinese template gets a Chinese heading; columns stay as `list` reads them."""
    from papernotes.notes.listing import last_result

    zh = tmp_path / "zh.md"
    zh.write_text("# 论文阅读笔记：SimCLR\n\n## 9. 复现 (Reproduction)\n\n" + REGION, encoding="utf-8")
    en = tmp_path / "en.md"
    en.write_text("# Paper note: SimCLR\n\n## 9. Reproduction\n\n" + REGION, encoding="utf-8")
    for note in (zh, en):
        write_back(note, tmp_path, row("d" * 32, 33.0), EXPECTED, None)
    zh_body = region_body(zh.read_text(encoding="utf-8"), "repro")
    en_body = region_body(en.read_text(encoding="utf-8"), "repro")
    assert zh_body.startswith("### 复现结果 (papernotes repro)\n")
    assert en_body.startswith("### Reproduction (papernotes repro)\n")
    assert zh_body.split("\n", 1)[1] == en_body.split("\n", 1)[1]
    assert last_result(zh.read_text(encoding="utf-8")) == "synthetic · linear top-1 33.00 (n=1) · kNN top-1 50.25"


def test_the_spec_paper_finds_its_note_by_key_title_or_alias(ws_dir):
    from papernotes.core.workspace import find_workspace
    from papernotes.repro.run.publish import paper_note as _paper_note

    (ws_dir / "notes" / "对比学习.md").write_text("---\naliases: [SimCLR 复现]\n---\n# x\n",
                                               encoding="utf-8")
    ws, said = find_workspace(), []
    assert _paper_note(ws, "对比学习", said.append) == ws_dir / "notes" / "对比学习.md"
    assert said == []
    assert _paper_note(ws, "simclr 复现", said.append) == ws_dir / "notes" / "对比学习.md"
    assert said == [f"results go into note '对比学习' ({ws_dir / 'notes' / '对比学习.md'}): "
                    "'simclr 复现' matches its alias ignoring case"]
    assert _paper_note(ws, "mae", said.append) is None  # no note: the runner says how to make it


def test_the_header_follows_the_properties_when_a_run_is_written_back(tmp_path):
    from papernotes.notes import header_state
    from papernotes.notes.format.render import render_new

    from ..notes.conftest import simclr_note

    note = tmp_path / "simclr.md"
    header_state.record(tmp_path, [(note, simclr_note("en"))])  # as the tool wrote it
    text = render_new(simclr_note("en")).replace("status: read-carefully", "status: reading")
    note.write_text(text, encoding="utf-8")  # the property changed in Obsidian; the header is stale
    write_back(note, tmp_path, row("d" * 32, 50.0), EXPECTED, None)
    out = note.read_text(encoding="utf-8")
    assert "**Status:** 🔵 Reading\n" in out and "Read carefully" not in out


def test_flat_properties_follow_the_row_and_validate_checks_them(tmp_path):
    from papernotes.core.errors import PapernotesError
    from papernotes.notes.format.frontmatter import split_frontmatter
    from papernotes.notes.format.parse import parse_note

    note = tmp_path / "simclr.md"
    note.write_text("---\ntitle: SimCLR\nrepro: simclr\n---\n# SimCLR\n", encoding="utf-8")
    r = RunRow(**{**row("e" * 32, 66.666).__dict__, "protocol": "synthetic · resnet18 · 3 ep"})
    write_back(note, tmp_path, r, EXPECTED, None)
    values = split_frontmatter(note.read_text(encoding="utf-8")).values
    assert {k: values.get(k) for k in ("paper_top1", "repro_top1", "repro_ci95", "repro_n",
                                       "repro_protocol", "repro_run")} == {
        "paper_top1": 94.0, "repro_top1": 66.67, "repro_ci95": None, "repro_n": 1,
        "repro_protocol": "synthetic · resnet18 · 3 ep", "repro_run": r.link}
    parse_note(note.read_text(encoding="utf-8"), path=note)  # valid
    bad = note.read_text(encoding="utf-8").replace("repro_n: 1", "repro_n: three")
    try:
        parse_note(bad, path=note)
    except PapernotesError as exc:
        assert (exc.field, exc.line) == ("repro_n", bad.split("\n").index("repro_n: three") + 1)
        assert "whole number" in exc.message
    else:
        raise AssertionError("a bad repro_n passed")


def test_new_force_keeps_the_flat_properties(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from papernotes.cli.app import app
    from papernotes.notes.format.frontmatter import split_frontmatter

    vault = tmp_path / "vault"
    assert CliRunner().invoke(app, ["init", str(vault)]).exit_code == 0
    monkeypatch.chdir(vault)
    assert CliRunner().invoke(app, ["new", "simclr", "--lang", "en"]).exit_code == 0
    note = vault / "notes" / "simclr.md"
    write_back(note, vault, row("f" * 32, 55.5), EXPECTED, None)
    r = CliRunner().invoke(app, ["new", "simclr", "--lang", "en", "--force"])
    assert r.exit_code == 0, r.output
    values = split_frontmatter(note.read_text(encoding="utf-8")).values
    assert (values["repro_top1"], values["repro_n"], values["paper_top1"]) == (55.5, 1, 94.0)


def test_the_ledger_under_the_table_follows_the_last_row(tmp_path, capsys):
    from papernotes.notes.sources.catalog import load_card
    from papernotes.repro.results.our_protocol import our_protocol
    from papernotes.repro.results.run_record import card_ledger, ledger_lines
    from papernotes.ssl.config import PretrainConfig

    ours = our_protocol(PretrainConfig(), "synthetic")
    lines = ledger_lines(card_ledger("simclr", ours, 41.5))
    card = load_card("simclr")
    assert len(lines) == len(card.results) and all(ln.startswith("- vs ") for ln in lines)
    first = card.results[0]
    assert lines[0].startswith(f"- vs paper {first.metric} {first.value:g} ({first.protocol.text()}): ")
    assert "protocol: dataset synthetic vs " in lines[0]
    note = tmp_path / "simclr.md"
    note.write_text("# x\n", encoding="utf-8")
    r = row("a" * 32, 41.5)
    write_back(note, tmp_path, RunRow(**{**r.__dict__, "ledger": tuple(lines)}), EXPECTED, None)
    body = region_body(note.read_text(encoding="utf-8"), "repro")
    assert body.count("\n- vs ") == len(lines) and "Ledger: the last row" in body
    write_back(note, tmp_path, row("b" * 32, 43.0), EXPECTED, None)  # no card: no ledger
    text = note.read_text(encoding="utf-8")
    assert "- vs " not in text and "kept from your edit" not in text
    assert "warning" not in capsys.readouterr().err
