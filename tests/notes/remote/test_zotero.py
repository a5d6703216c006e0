"""`papernotes new --zotero CITEKEY`: the item from Better BibTeX's JSON-RPC (read-only), its
citekey kept as the note's."""

from __future__ import annotations

import json

import yaml

from tests.notes.remote.conftest import answer


def _rpc(server):
    server.expect_request("/zotero/better-bibtex/json-rpc", method="POST").respond_with_data(
        answer("zotero_bbt_export.json"), content_type="application/json")


def test_zotero_item_gives_the_catalog_note_with_the_users_citekey(sources, fast_ws, cli):
    _rpc(sources)
    r = cli("new", "--zotero", "grillBootstrapYourOwn2020")
    assert r.exit_code == 0, r.output
    text = (fast_ws / "notes" / "byol.md").read_text(encoding="utf-8")  # BYOL is a catalog paper
    props = yaml.safe_load(text.split("---\n")[1])
    assert props["citekey"] == "grillBootstrapYourOwn2020"
    assert props["repro"] == "byol"
    assert "> [!abstract]- 摘要原文 (Zotero grillBootstrapYourOwn2020)" in text
    request = json.loads(sources.log[0][0].get_data())
    assert request["method"] == "item.export"  # read-only: nothing is written to Zotero
    assert request["params"] == [["grillBootstrapYourOwn2020"], "Better CSL JSON"]


def test_zotero_cjk_item_and_failures(sources, fast_ws, cli, monkeypatch):
    _rpc(sources)
    r = cli("new", "--zotero", "liuSurvey2021", "--key", "survey")
    assert r.exit_code == 0, r.output
    props = yaml.safe_load((fast_ws / "notes" / "survey.md").read_text(encoding="utf-8")
                           .split("---\n")[1])
    assert props["authors"] == ["刘 潇"] and props["venue"] == "软件学报"
    assert props["citekey"] == "liuSurvey2021" and props["year"] == 2021
    monkeypatch.setenv("PAPERNOTES_ZOTERO_URL", "http://127.0.0.1:9")
    r = cli("new", "--zotero", "nobody2020")
    lines = [ln for ln in r.output.splitlines() if ln.strip()]
    assert r.exit_code == 2 and len(lines) == 1 and "Zotero" in lines[0]
    assert "Better BibTeX" in lines[0]
