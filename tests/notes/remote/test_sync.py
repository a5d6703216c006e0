"""`papernotes sync`: a preprint that has been published gets its venue and DOI; what the user
changed stays; a diff first, a backup, and every other byte of the note kept."""

from __future__ import annotations

import json

import yaml

from tests.notes.remote.conftest import answer, serve_arxiv

ID = "2002.99999"  # SimCLR's answers under an id the catalog does not know


def _arxiv(server):
    serve_arxiv(server, ID, answer("arxiv_2002.05709.xml").replace(b"2002.05709", ID.encode()))


def _s2_published(server):
    record = json.loads(answer("s2_2002.05709.json").replace(b"2002.05709", ID.encode()))
    record["externalIds"]["DOI"] = "10.5555/3524938.3525087"
    server.expect_request(f"/s2/graph/v1/paper/arXiv:{ID}").respond_with_json(record)


def _props(path):
    return yaml.safe_load(path.read_text(encoding="utf-8").split("---\n")[1])


def test_published_preprint_gets_venue_and_doi_and_user_edits_stay(sources, fast_ws, cli):
    _arxiv(sources)
    sources.expect_oneshot_request(f"/s2/graph/v1/paper/arXiv:{ID}").respond_with_data(
        b'{"error": "not found"}', status=404)
    assert cli("new", ID, "--key", "sim").exit_code == 0
    note = fast_ws / "notes" / "sim.md"
    assert _props(note)["venue"] == "arXiv"
    text = note.read_text(encoding="utf-8")
    # the user's own edits: a property, a line of their own
    text = text.replace("authors:\n  - Ting Chen", "authors:\n  - T. Chen").replace(
        "## 3.", "我自己的一行。\n\n## 3.", 1)
    note.write_text(text, encoding="utf-8")

    r = cli("sync", "sim")  # stored answers only: S2 was never answered, so no venue yet
    assert r.exit_code == 0, r.output
    assert "0 changed" in r.output

    _s2_published(sources)
    r = cli("sync", "sim", "--fetch", "--dry-run")
    assert r.exit_code == 0, r.output
    assert "notes/sim.md: venue: 'arXiv' -> 'International Conference on Machine Learning'" in r.output
    assert "notes/sim.md: doi: None -> '10.5555/3524938.3525087'" in r.output
    assert "notes/sim.md: authors: kept [T. Chen; Simon Kornblith" in r.output
    assert note.read_text(encoding="utf-8") == text  # a dry run writes nothing

    r = cli("sync", "sim", "--fetch")
    assert r.exit_code == 0, r.output
    props = _props(note)
    assert props["venue"] == "International Conference on Machine Learning"
    assert props["doi"] == "10.5555/3524938.3525087"
    assert props["year"] == 2020
    assert props["authors"][0] == "T. Chen"  # the user's edit
    assert props["citekey"] == "chenSimpleFrameworkContrastive2020"  # never re-made
    after = note.read_text(encoding="utf-8")
    # the body byte for byte, but for the venue cell, which showed papernotes' old value
    assert "| **出版来源** | International Conference on Machine Learning |" in after
    assert after.split("---\n", 2)[2] == text.split("---\n", 2)[2].replace(
        "| **出版来源** | arXiv |", "| **出版来源** | International Conference on Machine Learning |")
    backups = list((fast_ws / ".papernotes" / "backup").rglob("sim.md"))
    assert len(backups) == 1 and backups[0].read_text(encoding="utf-8") == text

    r = cli("sync", "sim")  # again, from the stored answers: nothing left to change
    assert r.exit_code == 0 and "0 changed" in r.output, r.output


def test_an_imported_note_is_synced_by_its_arxiv_id(sources, fast_ws, cli):
    note = fast_ws / "notes" / "imported.md"
    note.write_text(f'---\ntitle: My SimCLR notes\narxiv: "{ID}"\nvenue: arXiv\n---\n# SimCLR\n\n'
                    "Mine.\n", encoding="utf-8")
    r = cli("sync", "imported")
    assert r.exit_code == 2 and "no stored answer" in r.output and "--fetch" in r.output
    _arxiv(sources)
    _s2_published(sources)
    r = cli("sync", "--fetch")
    assert r.exit_code == 0, r.output
    assert "imported.md: venue: 'arXiv' -> 'International Conference on Machine Learning'" in r.output
    assert "title: kept 'My SimCLR notes'" in r.output
    text = note.read_text(encoding="utf-8")
    assert "title: My SimCLR notes\n" in text and text.endswith("# SimCLR\n\nMine.\n")
    assert _props(note)["authors"][3] == "Geoffrey Hinton"  # an empty property is filled
    assert _props(note)["citekey"] == "chenSimpleFrameworkContrastive2020"  # for export from now on


def test_a_note_without_identifier_is_one_line(fast_ws, cli):
    assert cli("new", "--title", "Reading list", "--key", "reading").exit_code == 0
    r = cli("sync", "reading")
    lines = [ln for ln in r.output.splitlines() if ln.strip()]
    assert r.exit_code == 2 and len(lines) == 1 and "no arXiv id, DOI" in lines[0], r.output
    assert cli("new", "simclr").exit_code == 0  # an arXiv id, but no answer fetched yet
    r = cli("sync")  # the whole vault: such notes are simply not synced
    assert r.exit_code == 0, r.output
    assert r.output.strip() == ("0 note(s) synced, 0 changed, 1 with no stored answer "
                                "(`papernotes sync --fetch` asks the sources)")



def test_the_summary_is_one_line_on_a_narrow_terminal(fast_ws, cli, monkeypatch):
    # a wrapped summary would cut the suggested `papernotes sync --fetch` in two when pasted
    from papernotes.cli import console as console_mod

    assert cli("new", "simclr").exit_code == 0
    monkeypatch.setattr(console_mod.console, "width", 60)
    r = cli("sync", "--dry-run")
    assert r.exit_code == 0 and r.output.strip() == (
        "0 note(s) synced, 0 would change, 1 with no stored answer "
        "(`papernotes sync --fetch` asks the sources)"), r.output
