"""Timings for the paper catalog and BibTeX round trip (each in a fresh interpreter for cold figures).

Run: /work/venv/bin/python bench/bench_catalog.py
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

COLD = {
    "import papernotes.notes.sources.catalog": "import papernotes.notes.sources.catalog",
    "load_card('simclr'), cold": "from papernotes.notes.sources.catalog import load_card\nload_card('simclr')",
    "list_cards() (14 cards), cold": "from papernotes.notes.sources.catalog import list_cards\nlist_cards()",
}


def _cold(stmt: str, repeat: int = 5) -> float:
    code = ("import time\nt0 = time.perf_counter()\n" + stmt +
            "\nprint(time.perf_counter() - t0)")
    runs = [float(subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                                 text=True).stdout) for _ in range(repeat)]
    return statistics.median(runs) * 1000


def _warm(fn, repeat: int = 20) -> float:
    runs = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - t0)
    return statistics.median(runs) * 1000


def main() -> None:
    from papernotes.notes.sources.bibtex import notes_from_bibtex, notes_to_bibtex
    from papernotes.notes.sources.catalog import card_to_note, list_cards

    rows = [(name, _cold(stmt)) for name, stmt in COLD.items()]
    cards = list_cards()
    rows.append(("list_cards(), cached", _warm(list_cards)))
    rows.append(("card_to_note x14 (zh)", _warm(lambda: [card_to_note(c, "zh") for c in cards])))
    notes = [card_to_note(c, "en") for c in cards]
    rows.append(("notes_to_bibtex (14 notes)", _warm(lambda: notes_to_bibtex(notes))))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "catalog.bib"
        path.write_text(notes_to_bibtex(notes), encoding="utf-8")
        rows.append(("notes_from_bibtex (14 entries)", _warm(lambda: notes_from_bibtex(path))))
    for name, ms in rows:
        print(f"| {name} | {ms:.1f} ms |")


if __name__ == "__main__":
    main()
