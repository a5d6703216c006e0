"""Specs: the YAML model, `--set` overrides and `--save` edits, finding a spec, resolving a
profile to an engine config, and the config hash that names a result."""
