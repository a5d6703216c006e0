"""papernotes: structured paper notes in an Obsidian vault, and real reproductions of the papers.

Packages (docs/ARCHITECTURE.md has the map):
    papernotes.core   — the bottom layer: the one error type, atomic writes, the file lock, YAML, workspace
    papernotes.notes  — note schema, rendering, parsing, vault I/O, idea log (never imports torch)
    papernotes.ssl    — the self-supervised training engine, eight methods (torch/torchvision/numpy only)
    papernotes.repro  — repro specs, launching, MLflow tracking, results written back into notes
    papernotes.cli    — thin typer commands over the parts above
"""

__version__ = "0.1.0"
