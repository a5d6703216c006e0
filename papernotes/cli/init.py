"""`papernotes init [DIR]`: make a workspace (an Obsidian vault) with templates and repro specs."""

from __future__ import annotations

from pathlib import Path

import typer

from papernotes.cli.console import console, handles_errors


@handles_errors
def command(
    directory: Path = typer.Argument(Path("."), help="Folder to make the workspace in."),
    force: bool = typer.Option(False, "--force", help="Reset an existing workspace's config."),
) -> None:
    """Make a workspace: papernotes.yaml, notes/ (with papers.base), templates/, repro/ and
    .obsidian/types.json entries for its numeric and date properties."""
    from papernotes.core import shell
    from papernotes.core.workspace import init_workspace
    from papernotes.notes.bases import write_base
    from papernotes.notes.obsidian_types import add_types

    ws = init_workspace(directory, force=force)
    write_base(ws.notes_dir)  # live Board and Reading list views in Obsidian (Bases), if missing
    add_types(ws.root)  # numbers sort as numbers; entries the vault has are kept
    console.print(f"workspace ready: {ws.root}", markup=False, highlight=False, soft_wrap=True)
    console.print(f"next: cd {shell.quote(directory)} && {shell.command('new', 'simclr')}", markup=False,
                  highlight=False, soft_wrap=True)
