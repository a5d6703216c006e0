"""`papernotes new ID` against sources on loopback: every id form, the properties and where
they came from, the abstract callout, the provenance, and one line for every failure."""

from __future__ import annotations

import pytest
import yaml

from tests.notes.remote.conftest import answer, serve_arxiv, serve_s2


def _props(path):
    text = path.read_text(encoding="utf-8")
    return yaml.safe_load(text.split("---\n")[1]), text


def test_arxiv_id_fills_every_property_and_keeps_the_answer(sources, fast_ws, cli):
    serve_arxiv(sources, "1111.2011", answer("arxiv_1111.2011v2.xml"))
    serve_s2(sources, "arXiv:1111.2011", None)  # S2 does not know it: a warning, not a failure
    r = cli("new", "1111.2011")
    assert r.exit_code == 0, r.output
    path = fast_ws / "notes" / ("Quantum Criticality for Extended Nodes on a Bethe Lattice in "
                                "the Large Connectivity Limit.md")
    props, text = _props(path)
    assert props["title"] == ("Quantum Criticality for Extended Nodes on a Bethe Lattice in the "
                              "Large Connectivity Limit")
    assert props["authors"] == ["James M. Murray", "Adrian Del Maestro", "Zlatko Tesanovic"]
    assert props["venue"] == "Phys. Rev. B 85, 115117 (2012)"  # arXiv's journal_ref
    assert props["year"] == 2012  # the published version's, as the venue names it
    assert props["arxiv"] == "1111.2011"
    assert props["doi"] == "10.1103/PhysRevB.85.115117"
    assert props["citekey"] == "murrayQuantumCriticalityExtended2012"
    assert props["pdf"] == "https://arxiv.org/pdf/1111.2011"
    assert "> [!abstract]- 摘要原文 (arXiv 1111.2011)" in text
    assert "> Theoretical description of anisotropic systems" in text
    stored = fast_ws / ".papernotes" / "sources" / "arxiv" / "1111.2011.xml"
    assert stored.read_bytes() == answer("arxiv_1111.2011v2.xml")
    assert (stored.parent / "1111.2011.xml.fetched").read_text()[:4].isdigit()
    r = cli("validate")  # the note reads back: every other command can use it
    assert r.exit_code == 0, r.output
    r = cli("doctor", str(path))
    assert r.exit_code == 0, r.output


@pytest.mark.parametrize("given", ["1111.2011v2", "arXiv:1111.2011", "https://arxiv.org/abs/1111.2011v1",
                                   "https://arxiv.org/pdf/1111.2011v2.pdf",
                                   "https://doi.org/10.48550/arXiv.1111.2011"])
def test_every_form_of_an_arxiv_id(sources, fast_ws, cli, given):
    serve_arxiv(sources, "1111.2011", answer("arxiv_1111.2011v2.xml"))
    serve_s2(sources, "arXiv:1111.2011", None)
    r = cli("new", given, "--key", "murray", "--dry-run")
    assert r.exit_code == 0, r.output
    assert "arxiv: 1111.2011  [arXiv, fetched" in r.output


def test_old_style_id_and_unicode_names(sources, fast_ws, cli):
    serve_arxiv(sources, "cs/0112017", answer("arxiv_cs_0112017.xml"))
    serve_s2(sources, "arXiv:cs/0112017", None)
    r = cli("new", "cs/0112017", "--key", "old")
    assert r.exit_code == 0, r.output
    props, _ = _props(fast_ws / "notes" / "old.md")
    assert props["arxiv"] == "cs/0112017"
    assert props["authors"] == ["Jürgen Schmidhuber", "Łukasz Kaiser"]
    assert props["citekey"] == "schmidhuberOldStyleIdentifier2001"


def test_thirty_five_authors_all_in_order(sources, fast_ws, cli):
    serve_arxiv(sources, "2303.00001", answer("arxiv_2303.00001.xml"))
    serve_s2(sources, "arXiv:2303.00001", None)
    assert cli("new", "2303.00001", "--key", "big").exit_code == 0
    props, _ = _props(fast_ws / "notes" / "big.md")
    assert len(props["authors"]) == 35
    assert props["authors"][3] == "Zoë Ağaoğlu" and props["authors"][10] == "Øystein Ångström"
    assert props["authors"][-1] == "Author35 Surname35"


def test_published_venue_from_semantic_scholar_and_the_catalog_note(sources, fast_ws, cli):
    serve_arxiv(sources, "2002.05709", answer("arxiv_2002.05709.xml"))
    serve_s2(sources, "arXiv:2002.05709", answer("s2_2002.05709.json"))
    r = cli("new", "2002.05709", "--dry-run")
    assert r.exit_code == 0, r.output
    assert "the catalog's 'simclr'" in r.output
    r = cli("new", "https://arxiv.org/abs/2002.05709")
    assert r.exit_code == 0, r.output
    props, text = _props(fast_ws / "notes" / "simclr.md")  # the catalog's note, its card's text
    assert props["venue"] == "ICML"  # the card's own, kept
    assert props["citekey"] == "chenSimpleFrameworkContrastive2020"
    assert props["pdf"] == "https://arxiv.org/pdf/2002.05709"
    assert "> [!abstract]- 摘要原文 (arXiv 2002.05709)" in text
    assert (fast_ws / ".papernotes/sources/s2/arXiv_2002.05709.json").is_file()


def test_semantic_scholar_venue_for_a_paper_the_catalog_lacks(sources, fast_ws, cli):
    body = answer("arxiv_2002.05709.xml").replace(b"2002.05709", b"2002.99999")
    serve_arxiv(sources, "2002.99999", body)
    serve_s2(sources, "arXiv:2002.99999", answer("s2_2002.05709.json").replace(b"2002.05709", b"2002.99999"))
    r = cli("new", "2002.99999", "--key", "sim", "--dry-run")
    assert r.exit_code == 0, r.output
    assert "venue: International Conference on Machine Learning  [Semantic Scholar, fetched" in r.output
    assert "title: A Simple Framework for Contrastive Learning of Visual Representations  [arXiv" in r.output
    assert "code: https://github.com/google-research/simclr  [arXiv" in r.output  # from its comment
    assert not (fast_ws / "notes" / "sim.md").exists()  # a dry run writes nothing
    assert not (fast_ws / ".papernotes" / "sources").exists()


def test_doi_without_arxiv_id(sources, fast_ws, cli):
    sources.expect_request("/doi/10.1126/science.169.3946.635",
                           headers={"Accept": "application/vnd.citationstyles.csl+json"}
                           ).respond_with_data(answer("csl_science.json"),
                                               content_type="application/vnd.citationstyles.csl+json")
    r = cli("new", "https://doi.org/10.1126/science.169.3946.635", "--key", "water")
    assert r.exit_code == 0, r.output
    props, text = _props(fast_ws / "notes" / "water.md")
    assert props["title"] == "The Structure of Ordinary Water"
    assert props["authors"] == ["Henry S. Frank"]
    assert props["venue"] == "Science" and props["year"] == 1970
    assert props["doi"] == "10.1126/science.169.3946.635" and props.get("arxiv") is None
    assert props["citekey"] == "frankStructureOrdinaryWater1970"
    assert "> The train of thought pursued" in text  # the JATS abstract, as text


def test_cached_answer_serves_a_second_note_offline(sources, fast_ws, cli, monkeypatch):
    serve_arxiv(sources, "1111.2011", answer("arxiv_1111.2011v2.xml"))
    serve_s2(sources, "arXiv:1111.2011", None)
    assert cli("new", "1111.2011", "--key", "a").exit_code == 0
    (fast_ws / "notes" / "a.md").unlink()
    monkeypatch.setenv("PAPERNOTES_ARXIV_URL", "http://127.0.0.1:9/nothing")
    r = cli("new", "1111.2011", "--key", "a", "--dry-run")
    assert r.exit_code == 0, r.output
    assert "[arXiv, stored" in r.output


def _one_line(r) -> str:
    lines = [ln for ln in r.output.splitlines() if ln.strip()]
    assert r.exit_code == 2, r.output
    assert len(lines) == 1 and lines[0].startswith("error: "), r.output
    assert "Traceback" not in r.output
    return lines[0]


def test_failures_are_one_line_and_write_nothing(sources, fast_ws, cli, monkeypatch):
    before = sorted(p.name for p in (fast_ws / "notes").iterdir())
    serve_arxiv(sources, "2101.00002", b"", status=429, headers={"Retry-After": "30"})
    line = _one_line(cli("new", "2101.00002"))
    assert "arXiv" in line and "429" in line and "30 s" in line
    serve_arxiv(sources, "2101.00003", answer("arxiv_1111.2011v2.xml")[:900])  # cut short
    assert "cut short" in _one_line(cli("new", "2101.00003"))
    serve_arxiv(sources, "1234.99999", answer("arxiv_error.xml"))
    assert "no paper 1234.99999" in _one_line(cli("new", "1234.99999"))
    sources.expect_request("/doi/10.1000/broken").respond_with_data(b'{"title": "Cut', status=200)
    assert "not CSL-JSON" in _one_line(cli("new", "10.1000/broken"))
    sources.expect_request("/doi/10.1000/missing").respond_with_data(b"", status=404)
    assert "404" in _one_line(cli("new", "10.1000/missing"))
    monkeypatch.setenv("PAPERNOTES_ARXIV_URL", "http://127.0.0.1:9/nothing")  # nobody listens
    line = _one_line(cli("new", "2101.00004"))
    assert line.startswith("error: arXiv: cannot reach") and "--title" in line
    assert sorted(p.name for p in (fast_ws / "notes").iterdir()) == before
    assert not (fast_ws / ".papernotes" / "sources").exists()


def test_timeout_is_one_line(sources, fast_ws, cli):
    import time

    def slow(request):
        time.sleep(3)
        from werkzeug import Response
        return Response(answer("arxiv_1111.2011v2.xml"))

    sources.expect_request("/arxiv").respond_with_handler(slow)
    line = _one_line(cli("new", "1111.2011"))
    assert "no answer from" in line and "within 2 s" in line


def test_withdrawn_paper_is_made_with_a_warning(sources, fast_ws, cli):
    serve_arxiv(sources, "2101.00001", answer("arxiv_withdrawn.xml"))
    serve_s2(sources, "arXiv:2101.00001", None)
    r = cli("new", "2101.00001", "--key", "gone")
    assert r.exit_code == 0, r.output
    assert "withdrawn" in r.output


def test_a_catalog_key_still_wins(fast_ws, cli):
    r = cli("new", "simclr")
    assert r.exit_code == 0, r.output
    assert (fast_ws / "notes" / "simclr.md").is_file()


def test_endpoints_from_the_workspace_config(sources, fast_ws, cli, monkeypatch):
    monkeypatch.delenv("PAPERNOTES_ARXIV_URL")
    cfg = fast_ws / "papernotes.yaml"
    cfg.write_text(cfg.read_text() + f"  arxiv_url: {sources.url_for('/mirror')}\n")
    sources.expect_request("/mirror").respond_with_data(answer("arxiv_1111.2011v2.xml"))
    serve_s2(sources, "arXiv:1111.2011", None)
    r = cli("new", "1111.2011", "--dry-run")
    assert r.exit_code == 0, r.output
    assert "venue: Phys. Rev. B 85, 115117 (2012)  [arXiv" in r.output


def test_doi_429_names_the_wait(sources, fast_ws, cli):
    sources.expect_request("/doi/10.1000/busy").respond_with_data(
        b"", status=429, headers={"Retry-After": "120"})
    line = _one_line(cli("new", "10.1000/busy"))
    assert line.startswith("error: doi.org: too many requests") and "in 120 s" in line


def test_semantic_scholar_failures_are_a_warning_and_the_note_keeps_arxivs_venue(sources, fast_ws, cli):
    serve_arxiv(sources, "2104.99999", answer("arxiv_2104.14294.xml").replace(b"2104.14294", b"2104.99999"))
    sources.expect_oneshot_request("/s2/graph/v1/paper/arXiv:2104.99999").respond_with_data(
        b"", status=429, headers={"Retry-After": "60"})
    r = cli("new", "2104.99999", "--key", "one")
    assert r.exit_code == 0, r.output
    assert "warning: Semantic Scholar: too many requests" in r.output and "sync --fetch" in r.output
    assert "venue: arXiv" in (fast_ws / "notes" / "one.md").read_text(encoding="utf-8")
    assert not (fast_ws / ".papernotes/sources/s2").exists()  # a failure is no answer to keep
    (fast_ws / "notes" / "one.md").unlink()  # else `new` names it: the vault has that paper
    sources.expect_oneshot_request("/s2/graph/v1/paper/arXiv:2104.99999").respond_with_data(
        b'{"paperId": "abc", "title": "Emer', content_type="application/json")  # cut short
    r = cli("new", "2104.99999", "--key", "two", "--dry-run")
    assert r.exit_code == 0 and "warning: Semantic Scholar: the answer" in r.output, r.output
    assert "authors: Mathilde Caron; Hugo Touvron; Ishan Misra; Hervé Jégou" in r.output


def test_force_makes_the_note_again_with_one_callout_and_the_users_text(sources, fast_ws, cli):
    serve_arxiv(sources, "1111.2011", answer("arxiv_1111.2011v2.xml"))
    serve_s2(sources, "arXiv:1111.2011", None)
    assert cli("new", "1111.2011", "--key", "q").exit_code == 0
    note = fast_ws / "notes" / "q.md"
    text = note.read_text(encoding="utf-8")
    note.write_text(text.replace("## 3.", "我的一行。\n\n## 3.", 1), encoding="utf-8")
    r = cli("new", "1111.2011", "--key", "q", "--force")
    assert r.exit_code == 0, r.output
    again = note.read_text(encoding="utf-8")
    assert again.count("> [!abstract]-") == 1 and "我的一行。" in again
    assert 'citekey: "murrayQuantumCriticalityExtended2012"' in again  # not made unique against itself


def test_a_bad_key_is_one_line(sources, fast_ws, cli):
    serve_arxiv(sources, "1111.2011", answer("arxiv_1111.2011v2.xml"))
    serve_s2(sources, "arXiv:1111.2011", None)
    line = _one_line(cli("new", "1111.2011", "--key", "a/b"))
    assert line.startswith("error: key: ") and "--key" in line
    assert not list((fast_ws / "notes").glob("*.md")) or all(
        p.name != "b.md" for p in (fast_ws / "notes").rglob("*.md"))


def test_a_paper_the_vault_has_is_named_without_asking_the_network(fast_ws, cli, monkeypatch):
    # `new 2002.05709` with notes/simclr.md holding that arXiv id: the note that has it, offline
    assert cli("new", "simclr").exit_code == 0
    monkeypatch.setenv("PAPERNOTES_ARXIV_URL", "http://127.0.0.1:9/nothing")  # nobody listens
    for args in (("2002.05709", "--dry-run"), ("https://arxiv.org/abs/2002.05709v3",)):
        line = _one_line(cli("new", *args))
        assert line == ("error: new: '2002.05709' is already in the vault as notes/simclr.md "
                        "(same arXiv id 2002.05709) (`papernotes show simclr`)"), line
