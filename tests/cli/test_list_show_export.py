"""`papernotes list`, `show` and `export --bibtex` on a real vault."""

import re

from papernotes.notes.format.regions import replace_region


def _vault(ws_dir, cli):
    assert cli("new", "simclr").exit_code == 0
    assert cli("new", "--title", "Momentum Contrast", "--key", "moco").exit_code == 0
    path = ws_dir / "notes" / "simclr.md"
    table = ("| run | dataset | linear top-1 |\n|---|---|---|\n"
             "| 1 | CIFAR-10 | 61.2 |\n| 2 | CIFAR-10 | 83.4 |\n")
    path.write_text(replace_region(path.read_text(encoding="utf-8"), "repro", table),
                    encoding="utf-8")


def test_list_shows_every_note_with_the_last_repro_result(ws_dir, cli):
    _vault(ws_dir, cli)
    r = cli("list")
    assert r.exit_code == 0, r.output
    assert "2 note(s)" in r.output
    assert "A Simple Framework" in r.output and "Momentum Contrast" in r.output
    assert "CIFAR-10 · linear top-1 83.4" in r.output and "61.2" not in r.output


def test_list_filters_by_tag_and_status(ws_dir, cli, one_error_line):
    _vault(ws_dir, cli)
    from papernotes.core.workspace import find_workspace
    from papernotes.notes.vault import load_note

    simclr = load_note(find_workspace(), "simclr").note
    tag = simclr.meta.tags[0]
    r = cli("list", "--tag", tag)
    assert "1 note(s)" in r.output and "simclr" in r.output and "moco" not in r.output
    r = cli("list", "--status", simclr.status.value)
    assert "simclr" in r.output
    r = cli("list", "--tag", "no-such-tag")
    assert r.exit_code == 0 and "no notes match" in r.output
    r = cli("list", "--status", "finished")
    assert r.exit_code != 0 and "read-carefully" in one_error_line(r.output)


def test_last_result_picks_the_last_table_row():
    from papernotes.notes.listing import last_result

    def region(body):
        return f"x\n%% papernotes:begin repro %%\n{body}%% papernotes:end repro %%\n"

    assert last_result(region("| a | b |\n|---|---|\n| 1 | 2 |\n| 3 | 4 |\n")) == "3 · 4"
    assert last_result("no region\n") == ""
    assert last_result(region("| a | b |\n|---|---|\n")) == ""
    assert last_result(region("暂无运行记录。\n")) == ""
    table = ("| run | dataset | linear top-1 | kNN top-1 |\n| --- | --- | --- | --- |\n"
             "| **paper** | CIFAR-10 | 94.0 |  |\n")
    assert last_result(region(table)) == ""  # the paper's own numbers are not a run
    table += "| `ab12cd34` | CIFAR-10 | 61.20 | – |\n| `ef56ab78` | STL-10 | 70.10 | 65.00 |\n"
    assert last_result(region(table)) == "STL-10 · linear top-1 70.10 · kNN top-1 65.00"


def test_show_prints_metadata_results_and_ideas(ws_dir, cli, one_error_line):
    _vault(ws_dir, cli)
    cli("idea", "point", "simclr", "projection head")
    cli("idea", "add", "simclr", "drop the projection head", "--point", "1")
    r = cli("show", "simclr")
    assert r.exit_code == 0, r.output
    for expected in ("A Simple Framework", "Ting Chen", "76.5", "drop the projection head",
                     "projection head"):
        assert expected in r.output, expected
    r = cli("show", "simclrr")
    line = one_error_line(r.output)
    assert r.exit_code != 0 and "no note 'simclrr'" in line and "simclr?" in line


def test_export_bibtex_to_stdout_and_file(ws_dir, cli, tmp_path, one_error_line):
    _vault(ws_dir, cli)
    r = cli("export", "--bibtex")
    assert r.exit_code == 0, r.output
    # the title-only `moco` note is not a paper: left out, and said so
    assert len(re.findall(r"^@\w+\{", r.output, flags=re.M)) == 1
    assert "Contrastive Learning of Visual Representations" in r.output
    assert "not papers" in r.output and "moco" in r.output
    out = tmp_path / "refs.bib"
    assert cli("export", "--bibtex", "-o", str(out)).exit_code == 0
    first = out.read_bytes()
    assert first.decode().count("@") == 1
    out.write_text("mine\n")
    r = cli("export", "--bibtex", "-o", str(out))
    assert r.exit_code != 0 and "--force" in one_error_line(r.output)
    assert out.read_text() == "mine\n"
    assert cli("export", "--bibtex", "-o", str(out), "--force").exit_code == 0
    assert out.read_bytes() == first
    r = cli("export")
    assert r.exit_code != 0 and "--bibtex" in one_error_line(r.output)
    # a folder that does not exist (a typo) is refused, not made
    missing = tmp_path / "no-such-folder" / "refs.bib"
    r = cli("export", "--bibtex", "-o", str(missing))
    assert r.exit_code == 2 and "no such folder" in one_error_line(r.output), r.output
    assert not missing.parent.exists()


def test_last_result_reads_the_region_the_repro_runner_writes():
    from papernotes.notes.format.regions import wrap_region
    from papernotes.notes.listing import last_result
    from papernotes.repro.results.writeback import RunRow, render_region

    row = RunRow(run_id="0123456789abcdef", date="2026-11-23", spec="simclr/cifar10-smoke",
                 backbone="resnet18", dataset="CIFAR-10", epochs=1, batch=64,
                 metrics={"eval/linear_top1": 41.234, "eval/knn_top1": 38.5}, hardware="2-core CPU",
                 wall_time_s=95.0, link="http://localhost:5000/#/runs/0123")
    body = render_region([], ["| " + " | ".join(row.cells()) + " |"], [])
    assert last_result("# note\n" + wrap_region("repro", body)) == \
        "CIFAR-10 · linear top-1 41.23 (n=1) · kNN top-1 38.50"


def test_list_and_idea_list_skip_a_broken_note_with_a_warning(ws_dir, cli):
    _vault(ws_dir, cli)
    cli("idea", "add", "simclr", "idea-one")
    (ws_dir / "notes" / "broken.md").write_text("---\ntitle: [x\n---\n# hi\n", encoding="utf-8")
    r = cli("list")
    assert r.exit_code == 0 and "2 note(s)" in r.output
    assert "skipped:" in r.output and "1 note(s) skipped" in r.output
    assert "broken.md:2" in r.output and "gave up at line 3" in r.output  # the mistake, and where found
    r = cli("idea", "list")
    assert r.exit_code == 0 and "idea-one" in r.output and "broken.md" in r.output
    r = cli("export", "--bibtex")  # an export must not silently leave a paper out
    assert r.exit_code != 0 and "broken.md" in r.output
