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
    """Make a workspace: papernotes.yaml, notes/, templates/ and repro/."""
    from papernotes.core import shell
    from papernotes.core.workspace import init_workspace

    ws = init_workspace(directory, force=force)
    console.print(f"workspace ready: {ws.root}", markup=False, highlight=False, soft_wrap=True)
    console.print(f"next: cd {shell.quote(directory)} && {shell.command('new', 'simclr')}", markup=False,
                  highlight=False, soft_wrap=True)
