"""`papernotes validate`: each broken note is one located line, exit 1, nothing is written."""



def _broken_vault(ws_dir, cli):
    assert cli("new", "simclr").exit_code == 0
    assert cli("new", "--title", "Good Note", "--key", "good").exit_code == 0
    notes = ws_dir / "notes"
    good = (notes / "good.md").read_text(encoding="utf-8")
    (notes / "latin1.md").write_bytes(good.encode("utf-8") + "café".encode("latin-1"))
    # frontmatter that is not YAML
    (notes / "badfm.md").write_text(good.replace("---\n", "---\ntitle: [unclosed\n", 1),
                                    encoding="utf-8")
    simclr = (notes / "simclr.md").read_text(encoding="utf-8")
    assert "-->" in simclr
    (notes / "badmermaid.md").write_text(simclr.replace("-->", "-=>", 1), encoding="utf-8")
    return notes


def test_a_clean_vault_validates(ws_dir, cli):
    assert cli("new", "simclr").exit_code == 0
    r = cli("validate")
    assert r.exit_code == 0, r.output
    assert "1 note(s) checked, 0 with problems" in r.output


def test_every_broken_note_is_one_located_line(ws_dir, cli, snapshot):
    notes = _broken_vault(ws_dir, cli)
    before = snapshot(ws_dir)
    r = cli("validate")
    assert r.exit_code == 1
    assert "Traceback" not in r.output
    lines = [ln for ln in r.output.splitlines() if ln.strip()]
    problems = [ln for ln in lines if ".md" in ln]
    assert len(problems) == 3, r.output
    by_file = {ln.split(":", 1)[0]: ln for ln in problems}
    assert set(by_file) == {str(notes / n) for n in ("badfm.md", "badmermaid.md", "latin1.md")}
    assert "UTF-8" in by_file[str(notes / "latin1.md")]
    for ln in problems:  # file:line: ...
        assert ln.split(":")[1].isdigit(), ln
    assert "5 note(s) checked, 3 with problems" in r.output
    assert snapshot(ws_dir) == before


def test_validate_named_paths_only(ws_dir, cli):
    notes = _broken_vault(ws_dir, cli)
    r = cli("validate", str(notes / "good.md"), str(notes / "simclr.md"))
    assert r.exit_code == 0 and "2 note(s) checked" in r.output
    r = cli("validate", str(notes / "latin1.md"))
    assert r.exit_code == 1 and "1 with problems" in r.output
    r = cli("validate", str(notes / "missing.md"))
    assert r.exit_code == 1 and "no such file" in r.output


def test_validate_outside_a_workspace_is_one_line(tmp_path, monkeypatch, cli):
    monkeypatch.chdir(tmp_path)
    r = cli("validate")
    assert r.exit_code != 0 and "papernotes init" in r.output and len(r.output.strip().splitlines()) == 1
