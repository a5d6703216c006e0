"""Notes: the schema of the user's paper-note template, rendering, parsing back, the vault, ideas.

This package never imports torch or mlflow: `papernotes new`, `list`, `validate` and `idea`
stay fast.
"""
