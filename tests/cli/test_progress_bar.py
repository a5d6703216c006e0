"""The progress bar of import, doctor and validate: on a terminal only, from its threshold, fed
by the notes layer once per file."""

from __future__ import annotations

import io

from rich.console import Console

from papernotes.cli import progress_bar as bar_module
from papernotes.cli.progress_bar import progress_bar
from papernotes.notes.doctor.run import run_doctor
from papernotes.notes.importer.plan import plan_import


def test_the_bar_shows_on_a_terminal_once_the_work_reaches_its_threshold(monkeypatch):
    out = io.StringIO()
    monkeypatch.setattr(bar_module, "err_console", Console(file=out, force_terminal=True, width=80))
    with progress_bar("reading notes", 3) as update:
        update(1, 2)  # 2 files: below the threshold
    assert "reading notes" not in out.getvalue()
    with progress_bar("reading notes", 3) as update:
        for done in range(1, 4):
            update(done, 3)
    assert "reading notes" in out.getvalue() and "3/3" in out.getvalue()


def test_no_bar_off_a_terminal(monkeypatch):
    out = io.StringIO()
    monkeypatch.setattr(bar_module, "err_console", Console(file=out, force_terminal=False))
    with progress_bar("checking files", 0) as update:
        assert update is None
    assert out.getvalue() == ""


def test_import_and_doctor_report_each_file(ws_dir, tmp_path):
    src = tmp_path / "old"
    src.mkdir()
    for i in range(3):
        (src / f"n{i}.md").write_text(f"# note {i}\n\ntext\n", encoding="utf-8")
    calls: list[tuple[int, int]] = []
    plans = plan_import(sorted(src.glob("*.md")), ws_dir / "notes", progress=lambda *a: calls.append(a))
    assert len(plans) == 3 and calls == [(1, 3), (2, 3), (3, 3)]
    calls.clear()
    run = run_doctor([src], progress=lambda *a: calls.append(a))
    assert len(run.reports) == 3 and calls == [(1, 3), (2, 3), (3, 3)]
