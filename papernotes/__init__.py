"""papernotes: structured paper notes in an Obsidian vault, and real reproductions of the papers.

Packages:
    papernotes.notes  — note schema, rendering, parsing, vault I/O, idea log (never imports torch)
    papernotes.ssl    — the SimCLR training engine (torch/torchvision/numpy only)
    papernotes.repro  — repro specs, launching, MLflow tracking, results written back into notes
    papernotes.cli    — thin typer commands over the three above
"""

__version__ = "0.1.0"
