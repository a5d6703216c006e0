"""Thin CLI commands: one file per command; each parses, calls a core function, prints."""
