"""`papernotes import` of a folder whose notes link to each other: names are kept, a name the
vault already has is renamed with the old name as an alias, and every link still reaches the
note it meant, by the doctor's resolver and by Obsidian's own rule (file name, any case)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from papernotes.cli.app import app
from papernotes.core.workspace import init_workspace
from papernotes.notes.doctor.checks import check_links
from papernotes.notes.doctor.links import build_index, resolve
from papernotes.notes.format.links import find_links, md_destination
from papernotes.notes.importer.plan import plan_import
from papernotes.notes.importer.write import write_imports
from papernotes.notes.lookup import note_names
from papernotes.notes.model.names import FORBIDDEN, fold, name_from_title, name_problem
from papernotes.notes.repair.mojibake_repair import repair_text


def run(*args: str):
    return CliRunner().invoke(app, list(args))


def obsidian_target(notes: Path, linkpath: str) -> Path | None:
    """Obsidian's rule, written from its documentation and nothing else: `[[X]]` opens the
    file named `X.md` (any case); aliases are not followed."""
    name = linkpath.rsplit("/", 1)[-1]
    name = name[:-3] if name.lower().endswith(".md") else name
    hits = [p for p in notes.glob("*.md") if p.stem.casefold() == name.casefold()]
    return hits[0] if len(hits) == 1 else None


def test_a_linked_folder_keeps_its_names_and_a_taken_name_keeps_its_links(ws_dir, tmp_path):
    notes = ws_dir / "notes"
    (notes / "Note B.md").write_text("---\ntitle: Someone else's B\n---\n# B\n", encoding="utf-8")
    src = tmp_path / "old-vault"
    src.mkdir()
    (src / "Note A.md").write_text(
        "# Note A\n\nSee [[Note B]], [[note b#Method|the method]] and [[Note B#^blk]].\n"
        "Also [[对比学习#背景]], [the file](Note%20B.md) and `[[Note B]]` in code.\n",
        encoding="utf-8")
    (src / "Note B.md").write_text("# Note B\n\n## Method\n\nThe trick. ^blk\n\nBack: [[Note A]]\n",
                                   encoding="utf-8")
    (src / "对比学习.md").write_text("# 对比学习\n\n## 背景\n\n见 [[Note A]]。\n", encoding="utf-8")

    res = run("import", str(src))
    assert res.exit_code == 0, res.output
    assert "renamed 'Note B' -> 'Note B 1' (the name is taken); the old name is kept as an " \
        "alias" in res.output
    # 4 to the renamed note, 2 to template headings the import renamed (## Method, ## 背景)
    assert "6 link(s) to renamed notes or headings of this import now name them" in res.output
    assert sorted(p.name for p in notes.glob("*.md")) == [
        "Note A.md", "Note B 1.md", "Note B.md", "对比学习.md"]
    a = (notes / "Note A.md").read_text(encoding="utf-8")
    assert "See [[Note B 1|Note B]], [[Note B 1#4. Methodology / Model|the method]] and " \
        "[[Note B 1#^blk|Note B#^blk]]." in a
    assert "Also [[对比学习#3. 背景知识 (Background)|对比学习#背景]]" in a
    assert "[the file](Note%20B%201.md) and `[[Note B]]` in code." in a  # code is never changed
    assert note_names(notes / "Note B 1.md") == ("Note B", ["Note B"])
    assert (notes / "Note B.md").read_text(encoding="utf-8").startswith("---\ntitle: Someone")

    index = build_index(ws_dir)
    for name in ("Note A", "Note B 1", "对比学习"):
        path = notes / f"{name}.md"
        text = path.read_text(encoding="utf-8")
        assert check_links(str(path), text, index) == [], name
        for link in find_links(text):
            assert resolve(index, link.linkpath, path).path == obsidian_target(notes, link.linkpath)
    assert resolve(index, "Note B", notes / "Note A.md").path == notes / "Note B.md"
    assert run("validate").exit_code == 0


# --- property: any Obsidian names, some already in the vault --------------------------------

_CHARS = st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp"),
                       blacklist_characters=FORBIDDEN + "`")  # backticks would make code spans
# names that the import's repair of damaged text leaves alone (ftfy reads a few rare pairs
# such as 'Ģ¤' as mojibake; that is the repair's business, not the names')
NAME = st.text(_CHARS, min_size=1, max_size=12).filter(
    lambda n: name_problem(n) is None and name_from_title(n) == n
    and not repair_text(f"- [[{n}]] [[{n}#Part 1|part 1]]\n").changed)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(names=st.lists(NAME, min_size=2, max_size=4, unique_by=fold), data=st.data())
def test_every_link_of_an_imported_folder_reaches_the_note_it_meant(names, data):
    taken = data.draw(st.lists(st.sampled_from(names), max_size=2, unique=True), label="taken")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        ws = init_workspace(root / "vault")
        for name in taken:  # someone else's notes of the same names
            (ws.notes_dir / f"{name}.md").write_text("# theirs\n", encoding="utf-8")
        src = root / "src"
        src.mkdir()
        for i, name in enumerate(names):
            links = "".join(f"- [[{other}]] [[{other}#Part {j}|part {j}]] "
                            f"[md]({md_destination(other)}.md)\n"
                            for j, other in enumerate(names) if other != name)
            (src / f"{name}.md").write_text(f"# N{i}\n\n## Part {i}\n\nmarker-{i}\n\n{links}",
                                            encoding="utf-8")
        plans = plan_import([src / f"{n}.md" for n in names], ws.notes_dir)
        write_imports(plans)
        by_source = {p.source.stem: p.target for p in plans}
        assert {p.key for p in plans if p.key != p.source.stem} == \
            {p.key for p in plans if p.source.stem in taken}  # only taken names change
        index = build_index(ws.root)
        for plan in plans:
            text = plan.target.read_text(encoding="utf-8")
            assert check_links(str(plan.target), text, index) == []
            meant = [by_source[n] for n in names if n != plan.source.stem]
            got = [obsidian_target(ws.notes_dir, link.linkpath) for link in find_links(text)]
            assert got == [t for t in meant for _ in range(3)]
            if plan.source.stem in taken:
                assert plan.source.stem in note_names(plan.target)[1]  # the old name: an alias
