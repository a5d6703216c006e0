"""`notes/papers.base`: the notes as live tables in Obsidian's core Bases plugin (1.9+).

Two views over the notes' flat properties (Bases read nothing else):

- Board: every note with a repro spec (`repro`): the paper's linear top-1, ours as mean ± 95%
  interval, n, the gap, our protocol and the run (the properties `papernotes repro` owns:
  notes/format/repro_properties.py), best first;
- Reading list: status, rating, year, venue, tags (the template's properties), grouped by status.

The syntax is Obsidian's documented one (obsidianmd/obsidian-help `en/Bases/Bases syntax.md`
and `Functions.md`: `filters` with `and`, `formulas`, `properties` with `displayName`, table
views with `order`, `sort` and `groupBy`); tests/notes/test_bases.py checks that every name it
uses is a property the notes carry, a formula it defines, or a documented file property.
`init` and `board` write it when it is missing and never overwrite it: it is the user's to edit.
`notes/board.md` stays the static copy for tools that cannot render Bases.
"""

from __future__ import annotations

from pathlib import Path

from papernotes.core.atomic import atomic_write_text

NAME = "papers.base"

BASE = """\
# Your paper notes as live tables (Obsidian 1.9+, core plugin "Bases"). Written by papernotes
# when missing, never overwritten: edit it freely. notes/board.md is the static copy.
filters:
  and:
    - 'file.ext == "md"'
    - 'file.hasProperty("status")'
formulas:
  ours: 'if(repro_n, repro_top1.toFixed(2) + if(repro_ci95, " ± " + repro_ci95.toFixed(2), ""), "")'
  gap: 'if(repro_n && paper_top1, (repro_top1 - paper_top1).toFixed(2), "")'
properties:
  paper_top1:
    displayName: paper top-1
  formula.ours:
    displayName: ours (mean ± 95% CI)
  repro_n:
    displayName: "n"
  formula.gap:
    displayName: gap
  repro_protocol:
    displayName: our protocol
  repro_run:
    displayName: run
views:
  - type: table
    name: Board
    filters:
      and:
        - '!repro.isEmpty()'
    order:
      - file.name
      - repro
      - paper_top1
      - formula.ours
      - repro_n
      - formula.gap
      - repro_protocol
      - repro_run
    sort:
      - property: repro_top1
        direction: DESC
  - type: table
    name: Reading list
    groupBy:
      property: status
      direction: ASC
    order:
      - file.name
      - title
      - status
      - rating
      - year
      - venue
      - tags
    sort:
      - property: rating
        direction: DESC
      - property: year
        direction: DESC
"""


def write_base(notes_dir: Path) -> Path | None:
    """Write `notes/papers.base` if it is missing (the path), else leave it (None)."""
    path = notes_dir / NAME
    if path.exists():
        return None
    atomic_write_text(path, BASE)
    return path
