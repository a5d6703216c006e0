"""Property: any note name Obsidian accepts works in every command (new, list, show, idea,
the repro write-back, export), through the real CLI on a real vault."""

from __future__ import annotations

import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from papernotes.core.workspace import find_workspace, init_workspace
from papernotes.notes.doctor.checks import check_links
from papernotes.notes.doctor.links import build_index
from papernotes.notes.model.names import FORBIDDEN, fold, name_from_title, name_problem
from papernotes.notes.vault import load_all, load_note
from papernotes.repro.results.writeback import RunRow, write_back

_VAULTS = itertools.count()
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 16

# Names as a user types them into Obsidian: any character Obsidian allows in a file name
# (letters of every script, emoji, punctuation, spaces) and a few that users actually write.
_CHARS = st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp"),
                       blacklist_characters=FORBIDDEN)
NAMES = st.one_of(
    st.sampled_from(["对比学习", "Attention Is All You Need", "MoCo v2 (He et al.) & friends",
                     "naïve café", "😀 notes", "-leading dash", "100% 复现", "Ελληνικά", "a..b"]),
    st.text(_CHARS, min_size=1, max_size=16),
).filter(lambda n: name_problem(n) is None and name_from_title(n) == n)


def _row(n: int) -> RunRow:
    return RunRow(run_id=f"{n:08d}" + "f" * 24, date="2026-11-23", spec="simclr/demo",
                  backbone="resnet18", dataset="synthetic", epochs=1, batch=32,
                  metrics={"eval/linear_top1": 40.0 + n}, hardware="cpu", wall_time_s=3.0,
                  link="http://127.0.0.1:5000/#/experiments/1/runs/x")


@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=NAMES)
def test_every_command_takes_any_obsidian_name(cli, tmp_path, monkeypatch, name):
    # a fresh vault per example: hypothesis replays a failing example, which must meet the
    # same vault (a shared one holds the notes of earlier examples: flaky replays)
    ws_dir = tmp_path / f"vault-{next(_VAULTS)}"
    init_workspace(ws_dir)
    monkeypatch.chdir(ws_dir)
    notes = ws_dir / "notes"
    made = len(list(notes.glob("*.md"))) + 1

    r = cli("new", f"--title={name}", "--lang", "en")  # `=`: a name may start with '-'
    assert r.exit_code == 0, r.output
    path = notes / f"{name}.md"
    assert r.output.strip() == str(path) and path.is_file()

    parsed, problems = load_all(find_workspace())
    assert problems == [] and name in {p.note.key for p in parsed}
    r = cli("list")
    assert r.exit_code == 0 and "skipped" not in r.output, r.output

    r = cli("show", "--", name)
    assert r.exit_code == 0 and "using note" not in r.output, r.output
    if fold(name.upper()) == fold(name) and name.upper() != name:
        r = cli("show", "--", name.upper())  # any case finds it, and says which note
        assert r.exit_code == 0 and f"using note '{name}'" in r.output, r.output

    r = cli("idea", "add", "--", name, "swap the augmentation")
    assert r.exit_code == 0, r.output
    ws = find_workspace()
    assert [p.text for p in load_note(ws, name).note.ideas.patches] == ["swap the augmentation"]

    curves = tmp_path / "curves.png"
    curves.write_bytes(PNG)
    write_back(path, ws_dir, _row(made), [], curves)
    text = path.read_text(encoding="utf-8")
    embed = f"![[notes/attachments/{name}-{made:08d}-curves.png]]"
    assert embed in text and f"`{made:08d}`" in text
    assert (notes / "attachments" / f"{name}-{made:08d}-curves.png").read_bytes() == PNG
    assert check_links(str(path), text, build_index(ws_dir)) == []  # the embed resolves
    assert load_note(ws, name).note.key == name  # still a valid note after the write-back

    out = tmp_path / "papers.bib"
    r = cli("export", "--bibtex", "-o", str(out), "--force")
    assert r.exit_code == 0, r.output
    # a note made from a bare title is not a paper (no authors, arXiv id or DOI): left out, and said
    assert f"left out {made} note(s) that are not papers" in r.output and name in r.output, r.output
