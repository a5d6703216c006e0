"""`papernotes validate` (not implemented yet)."""

from papernotes.cli.console import handles_errors


@handles_errors
def command() -> None:
    """Not implemented yet."""
    raise NotImplementedError
