"""`papernotes validate [PATHS...]`: check notes against the template's schema."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from papernotes.cli.console import console, err_console, handles_errors
from papernotes.cli.progress_bar import progress_bar

PROGRESS_FROM = 200  # notes to parse before a progress bar is worth showing


@handles_errors
def command(
    paths: Optional[List[Path]] = typer.Argument(
        None, help="Note files or folders (default: every note in the vault)."),
    jobs: Optional[int] = typer.Option(
        None, "--jobs", "-j", min=1, help="Worker processes (default: one per CPU, up to 8, "
        "for 200 notes or more)."),
    no_cache: bool = typer.Option(
        False, "--no-cache", help="Parse every note, even those whose bytes already passed."),
) -> None:
    """Check notes; print every problem, each as `file:line: field: message`; exit 1 if any."""
    from papernotes.core.workspace import find_workspace
    from papernotes.notes.markdown_files import expand_markdown
    from papernotes.notes.validation import validate_files, validate_vault

    with progress_bar("parsing notes", PROGRESS_FROM) as progress:
        if paths:
            report = validate_files(expand_markdown(paths), jobs=jobs, progress=progress)
        else:
            report = validate_vault(find_workspace(), jobs=jobs, progress=progress,
                                    use_cache=False if no_cache else None)
    for problem in report.problems:
        console.print(str(problem), markup=False, highlight=False, soft_wrap=True)
    summary = f"{report.checked} note(s) checked, {report.failed} with problems"
    if len(report.problems) > report.failed:
        summary += f" ({len(report.problems)} problems)"
    if report.cached:
        summary += f" ({report.cached} unchanged since they last passed)"
    if report.problems:
        err_console.print(f"[bold red]{summary}[/]", highlight=False)
        raise typer.Exit(1)
    console.print(f"[green]{summary}[/]", highlight=False)
