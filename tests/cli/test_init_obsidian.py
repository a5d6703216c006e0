"""`papernotes init`: the live board (notes/papers.base) and Obsidian's property types."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from papernotes.cli.app import app
from papernotes.notes.bases import BASE


def test_init_writes_the_base_and_types_and_keeps_the_users_own(tmp_path):
    vault = tmp_path / "vault"
    (vault / ".obsidian").mkdir(parents=True)
    (vault / ".obsidian" / "types.json").write_text('{"types": {"year": "text"}}', encoding="utf-8")
    r = CliRunner().invoke(app, ["init", str(vault)])
    assert r.exit_code == 0, r.output
    assert (vault / "notes" / "papers.base").read_text(encoding="utf-8") == BASE
    types = json.loads((vault / ".obsidian" / "types.json").read_text(encoding="utf-8"))["types"]
    assert types["year"] == "text"  # the user's
    assert types["repro_top1"] == types["paper_top1"] == types["rating"] == "number"
    (vault / "notes" / "papers.base").write_text("views: []\n", encoding="utf-8")
    assert CliRunner().invoke(app, ["init", str(vault), "--force"]).exit_code == 0
    assert (vault / "notes" / "papers.base").read_text(encoding="utf-8") == "views: []\n"
