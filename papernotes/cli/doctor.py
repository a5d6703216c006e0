"""`papernotes doctor [PATHS] [--fix] [--json]`: find (and repair) damaged notes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import List, Optional

import typer

from papernotes.cli.console import console, err_console, handles_errors
from papernotes.cli.progress_bar import progress_bar


@handles_errors
def command(
    paths: Optional[List[Path]] = typer.Argument(
        None, help="Markdown files or folders (default: the vault's notes)."),
    fix: bool = typer.Option(False, "--fix", help="Repair damaged text and rewrite links to "
                             "renamed notes (a backup is kept)."),
    as_json: bool = typer.Option(False, "--json", help="Findings as JSON, for scripts."),
    strict: bool = typer.Option(
        False, "--strict", help="Count information too (template text left to fill, links to "
        "catalog papers without a note) as problems."),
) -> None:
    """Check Markdown files: damaged text, frontmatter, schema, links and embeds, template
    text left to fill. Exit 1 if a problem is found that --fix did not repair (information,
    such as template text left to fill, counts only with --strict)."""
    from papernotes.core.workspace import find_workspace
    from papernotes.notes.doctor.run import run_doctor

    targets = list(paths) if paths else [find_workspace().notes_dir]
    with progress_bar("checking files", 20) as progress:  # a damaged note takes seconds
        run = run_doctor(targets, fix=fix, progress=progress)
    fixed = set(run.fixed)
    left = [f for f in run.findings
            if not (f.path in fixed and (f.fixable or f.check == "mojibake-uncertain"))
            and (strict or f.severity != "info")]
    info = sum(f.severity == "info" for f in run.findings)
    if as_json:
        out = {
            "files": [{
                "path": str(r.path),
                "findings": [f.to_dict() for f in r.findings],
                "repair": None if r.repair is None else {
                    "layers": r.repair.layers, "sequences": r.repair.sequences,
                    "restored": r.repair.restored, "ambiguous": r.repair.ambiguous,
                    "pages": [{"lines": [v.line, v.end_line], "page": v.page,
                               "margin": v.margin, "runner_up": v.runner_up,
                               "lossless": v.lossless} for v in r.repair.pages],
                    "uncertain": r.repair.uncertain,
                    "least_confident": [
                        {"line": c.line, "chosen": c.chosen, "confidence": round(c.confidence, 4),
                         "alternatives": list(c.alternatives[:5])}
                        for c in r.repair.least_confident(5)],
                },
                "fixed": str(r.path) in fixed,
                "backup": run.fixed.get(str(r.path)),
            } for r in run.reports],
        }
        typer.echo(json.dumps(out, ensure_ascii=False, indent=2))
    else:
        from papernotes.notes.doctor.report import grouped_lines

        shown = [f for f in run.findings if not (f.path in fixed and f.fixable)]  # mended
        for line in grouped_lines(shown):
            console.print(line, markup=False, highlight=False, soft_wrap=True)
        for path, backup in run.fixed.items():
            mended = sum(f.fixable for f in run.findings if f.path == path)
            console.print(f"[green]repaired[/] {path} ({mended} finding(s) mended; original "
                          f"kept in {backup})", highlight=False, soft_wrap=True)
        summary = f"{len(run.reports)} file(s) checked, {len(left)} problem(s)"
        if info and not strict:
            summary += f", {info} for information (--strict counts them)"
        (err_console if left else console).print(summary, highlight=False)
    if left:
        raise typer.Exit(1)
