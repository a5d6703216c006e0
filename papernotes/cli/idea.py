"""`papernotes idea add|list|set` (not implemented yet)."""

import typer

app = typer.Typer(help="The idea-patching log: distil the paper's points, patch one, verify it.",
                  no_args_is_help=True)
