"""`doctor`'s output (issue 22): problems first, the same finding said once with its count (a
big note does not print thousands of lines), `--fix` never guesses between two notes that
carry the same alias, and a link it fixed is not listed again as fixable."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from papernotes.cli.app import app


def run(*args: str):
    return CliRunner().invoke(app, list(args))


def test_repeated_findings_are_grouped_and_problems_come_first(ws_dir):
    assert run("new", "simclr").exit_code == 0
    notes = ws_dir / "notes"
    big = notes / "big.md"
    body = "".join(f"第 {i} 段：见 [[no-such-paper]] 与 [[moco]]。\n\n" for i in range(3000))
    big.write_text("# big\n\n" + body, encoding="utf-8")

    r = run("doctor")
    lines = [ln for ln in r.output.splitlines() if ln.strip()]
    assert r.exit_code == 1
    assert len(lines) < 15, r.output
    assert lines[0].startswith(f"{big}:3: wikilink: [[no-such-paper]] links to no note "
                               "[3000 times; also lines 5, 7, 9, 11, 13 and 2994 more]"), lines[0]
    moco = [ln for ln in lines if "[[moco]]: no note yet" in ln]
    n_moco = sum("[[moco]]" in f["message"] for f in _all(ws_dir))
    assert n_moco > 3000  # big.md's and the catalog note's, said once across the files
    assert len(moco) == 1 and "(info)" in moco[0] and f"[{n_moco} times; also at " in moco[0], moco
    info_at = lines.index(moco[0])
    assert all("(info)" not in ln for ln in lines[:info_at])  # problems first
    assert lines[-1] == "2 file(s) checked, 3000 problem(s), " \
        f"{sum(f['severity'] == 'info' for f in _all(ws_dir))} for information " \
        "(--strict counts them)"
    assert len([f for f in _all(ws_dir) if f["path"] == str(big)]) == 6000  # --json: all


def _all(ws_dir):
    out = json.loads(run("doctor", "--json").output)
    return [f for file in out["files"] for f in file["findings"]]


def test_fix_never_guesses_between_two_notes_of_one_alias(ws_dir):
    notes = ws_dir / "notes"
    (notes / "SimCLR v1.md").write_text("---\naliases: [SimCLR]\n---\n# v1\n", encoding="utf-8")
    (notes / "SimCLR v2.md").write_text("---\naliases: [SimCLR]\n---\n# v2\n", encoding="utf-8")
    (notes / "清单.md").write_text("# 清单\n\n[[SimCLR]] 和 [[simclr v1]]\n", encoding="utf-8")
    before = (notes / "清单.md").read_bytes()

    r = run("doctor", "--fix", str(notes / "清单.md"))
    assert (notes / "清单.md").read_bytes() == before  # nothing to mend, nothing guessed
    assert "renamed-link: [[SimCLR]] is an alias of 2 notes: notes/SimCLR v1.md, notes/SimCLR " \
        "v2.md; link to one by its name (not guessed)" in " ".join(r.output.split()), r.output
    assert "fixable" not in r.output and "repaired" not in r.output


def test_a_fixed_link_is_not_listed_again_as_fixable(ws_dir):
    notes = ws_dir / "notes"
    (notes / "New Name.md").write_text("---\naliases: [Old Name]\n---\n# N\n", encoding="utf-8")
    (notes / "A.md").write_text("# A\n\n[[Old Name]] and [[Old Name]] and [[gone]]\n",
                                encoding="utf-8")
    r = run("doctor", str(notes / "A.md"))
    assert "fixable: --fix" in r.output

    r = run("doctor", "--fix", str(notes / "A.md"))
    assert "[[New Name|Old Name]] and [[New Name|Old Name]]" in (notes / "A.md").read_text(
        encoding="utf-8")
    assert "fixable" not in r.output and "renamed-link" not in r.output, r.output
    assert "repaired" in r.output and "2 finding(s) mended" in r.output
    assert "[[gone]] links to no note" in r.output and r.exit_code == 1
