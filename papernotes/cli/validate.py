"""`papernotes validate [PATHS...]`: check notes against the template's schema."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from papernotes.cli.console import console, err_console, handles_errors


@handles_errors
def command(
    paths: Optional[List[Path]] = typer.Argument(
        None, help="Note files or folders (default: every note in the vault)."),
) -> None:
    """Check notes; print each problem as `file:line: field: message`; exit 1 if any."""
    from papernotes.notes.validation import expand_targets, validate_files, validate_vault
    from papernotes.notes.workspace import find_workspace

    report = validate_files(expand_targets(paths)) if paths else validate_vault(find_workspace())
    for problem in report.problems:
        console.print(str(problem), markup=False, highlight=False, soft_wrap=True)
    summary = f"{report.checked} note(s) checked, {len(report.problems)} with problems"
    if report.problems:
        err_console.print(f"[bold red]{summary}[/]", highlight=False)
        raise typer.Exit(1)
    console.print(f"[green]{summary}[/]", highlight=False)
