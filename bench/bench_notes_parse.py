"""Benchmark for notes parsing/rendering (what `papernotes validate` and `idea` spend per note).

Times parse_note, render_new and render_update on the golden SimCLR notes (fully populated,
~150 lines, zh and en), best of 5 repeats, and prints notes/s. Also prints the load average,
since the 2-core machine is shared.

    /work/venv/bin/python bench/bench_notes_parse.py
"""

from __future__ import annotations

import os
import time
import timeit
from pathlib import Path

from papernotes.notes.format.parse import parse_note
from papernotes.notes.format.render import render_new, render_update

GOLDEN = Path(__file__).resolve().parent.parent / "tests" / "notes" / "format" / "golden"


def rate(fn, number: int = 200) -> str:
    """Notes/s by wall clock and by this process's CPU time (the machine is shared: CPU time
    is what one free core would give)."""
    fn()
    wall = min(timeit.repeat(fn, number=number, repeat=5))
    cpu = min(timeit.repeat(fn, number=number, repeat=5, timer=time.process_time))
    return f"{number / wall:7.0f} notes/s wall, {number / cpu:7.0f} notes/s per CPU core"


def main() -> None:
    print(f"load average: {os.getloadavg()[0]:.2f}")
    for lang in ("zh", "en"):
        text = (GOLDEN / f"simclr.{lang}.md").read_bytes().decode("utf-8")
        parsed = parse_note(text, key="simclr")
        changed = parsed.note.model_copy(update={"rating": 4})
        print(f"{lang}: {len(text.splitlines())} lines, {len(text.encode())} bytes")
        print(f"  parse_note     {rate(lambda t=text: parse_note(t, key='simclr'))}")
        print(f"  render_new     {rate(lambda p=parsed: render_new(p.note))}")
        print(f"  render_update  {rate(lambda p=parsed, c=changed: render_update(p, c))}"
              " (one property changed)")


if __name__ == "__main__":
    main()
