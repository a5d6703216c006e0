"""`papernotes validate`: each broken note is one located line, exit 1, nothing is written."""

import json


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


def test_validate_and_doctor_expand_paths_alike(ws_dir, cli):
    """One expansion (`markdown_files.py`): a missing path is one line naming it, exit 2; a
    folder is its *.md files at any depth, hidden folders skipped."""
    notes = ws_dir / "notes"
    assert cli("new", "simclr").exit_code == 0
    for command in ("validate", "doctor"):
        r = cli(command, str(notes / "missing.md"))
        assert r.exit_code == 2, (command, r.output)
        assert r.output.strip() == f"error: {notes / 'missing.md'}: no such file or folder", command
    sub = ws_dir / "folder" / "deeper"
    sub.mkdir(parents=True)
    (sub / "simclr.md").write_bytes((notes / "simclr.md").read_bytes())
    (ws_dir / "folder" / ".hidden").mkdir()
    (ws_dir / "folder" / ".hidden" / "junk.md").write_text("not a note", encoding="utf-8")
    r = cli("validate", str(ws_dir / "folder"))
    assert r.exit_code == 0 and "1 note(s) checked, 0 with problems" in r.output, r.output
    r = cli("doctor", "--json", str(ws_dir / "folder"))
    assert [f["path"] for f in json.loads(r.output)["files"]] == [str(sub / "simclr.md")]


def test_validate_outside_a_workspace_is_one_line(tmp_path, monkeypatch, cli):
    monkeypatch.chdir(tmp_path)
    r = cli("validate")
    assert r.exit_code != 0 and "papernotes init" in r.output and len(r.output.strip().splitlines()) == 1


def test_second_run_skips_unchanged_notes_but_sees_every_edit(ws_dir, cli, private_cache):
    from papernotes.core.workspace import find_workspace
    from papernotes.notes import validation_cache
    from papernotes.notes.validation import validate_vault

    cli("new", "simclr")
    cli("new", "--title", "MoCo", "--key", "moco")
    ws = find_workspace()
    first = validate_vault(ws)
    assert (first.checked, first.cached, first.ok) == (2, 0, True)
    assert validation_cache.cache_file(ws.root).is_file()
    assert str(validation_cache.cache_file(ws.root)).startswith(str(private_cache))
    second = validate_vault(ws)
    assert (second.checked, second.cached, second.ok) == (2, 2, True)
    # an edit that breaks a note is seen at once, and the note is never cached as valid
    moco = ws_dir / "notes" / "moco.md"
    moco.write_bytes(moco.read_bytes() + b"\n%% papernotes:begin ideas %%\n")
    for _ in range(2):
        report = validate_vault(ws)
        assert (report.cached, len(report.problems)) == (1, 1)
        assert "moco.md" in str(report.problems[0])
    # a note renamed onto another's bytes is parsed again (the key is part of the digest)
    (ws_dir / "notes" / "simclr2.md").write_bytes((ws_dir / "notes" / "simclr.md").read_bytes())
    assert validate_vault(ws).cached == 1
    # a stale parser fingerprint empties the cache; so does PAPERNOTES_NO_CACHE
    cache = validation_cache.cache_file(ws.root)
    cache.write_text(cache.read_text().replace('"fingerprint": "', '"fingerprint": "x'))
    assert validate_vault(ws).cached == 0
    assert validate_vault(ws, use_cache=False).cached == 0


def test_worker_processes_report_the_same_problems_in_order(ws_dir, cli):
    from papernotes.notes.validation import check_files

    notes = _broken_vault(ws_dir, cli)
    files = sorted(notes.glob("*.md")) * 3
    serial = [str(p) if p else None for p in check_files(files, jobs=1)]
    parallel = [str(p) if p else None for p in check_files(files, jobs=2)]
    assert parallel == serial and sum(p is not None for p in serial) == 9


def test_progress_counts_every_parsed_note_serial_and_in_workers(ws_dir, cli):
    from papernotes.notes.validation import check_files

    notes = _broken_vault(ws_dir, cli)
    files = sorted(notes.glob("*.md")) * 4  # 20 files
    for jobs in (1, 2):
        calls = []
        check_files(files, jobs=jobs, progress=lambda done, total, calls=calls: calls.append((done, total)))
        assert calls[-1] == (20, 20) and all(t == 20 for _, t in calls), jobs
        assert [d for d, _ in calls] == sorted({d for d, _ in calls}), jobs  # increasing
        assert len(calls) == 20 if jobs == 1 else 1 < len(calls) <= 20  # per note / per chunk


def test_no_cache_and_jobs_flags(ws_dir, cli, private_cache):
    cli("new", "simclr")
    cli("new", "--title", "MoCo", "--key", "moco")
    assert "2 note(s) checked, 0 with problems" in cli("validate").output
    r = cli("validate")
    assert r.exit_code == 0 and "(2 unchanged since they last passed)" in r.output
    r = cli("validate", "--no-cache", "--jobs", "2")
    assert r.exit_code == 0 and "2 note(s) checked, 0 with problems" in r.output
    assert "unchanged" not in r.output
    r = cli("validate", "--jobs", "0")
    assert r.exit_code == 2
