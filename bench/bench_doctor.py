"""Benchmark for `papernotes doctor`'s repair: damage notes we wrote with the user's exact
procedure, repair them, count characters restored exactly, time a ~20 KB note, and check
that undamaged text is returned unchanged.

    /work/venv/bin/python bench/bench_doctor.py
"""

from __future__ import annotations

import difflib
import sys
import time
from pathlib import Path

from papernotes.notes.mojibake import damage
from papernotes.notes.mojibake_repair import repair_text

DATA = Path(__file__).resolve().parent.parent / "tests" / "doctor" / "data"
TEMPLATE = Path("/work/shared/reference/paper-note-template.zh.md")


def wrong_chars(a: str, b: str) -> int:
    """Characters of `b` not reproduced exactly in `a` (edit-distance style, via difflib)."""
    sm = difflib.SequenceMatcher(None, a, b, autojunk=False)
    return len(b) - sum(m.size for m in sm.get_matching_blocks())


def main() -> int:
    files = sorted(DATA.glob("*.zh.md"))
    if TEMPLATE.exists():
        files.append(TEMPLATE)
    total = wrong = hit = 0
    for f in files:
        text = f.read_text(encoding="utf-8")
        bad = damage(text)
        res = repair_text(bad)
        w = wrong_chars(res.text, text)
        n_hit = sum(any(b in (0x81, 0x8D, 0x8F, 0x90, 0x9D, 0xAD) for b in c.encode()) for c in text)
        total += len(text)
        wrong += w
        hit += n_hit
        print(f"{f.name:32s} chars={len(text):6d} hit={n_hit:5d} ambiguous={res.ambiguous:5d} "
              f"wrong={w:4d} exact={100 * (1 - w / len(text)):.2f}%")
        for c in res.least_confident(3):
            print(f"    least confident: line {c.line} {c.chosen!r} p={c.confidence:.2f}")
    print(f"ALL chars={total} lost-byte chars={hit} wrong={wrong} "
          f"exact={100 * (1 - wrong / total):.3f}% of all characters, "
          f"{100 * (1 - wrong / hit):.2f}% of damaged-beyond-re-encoding characters")

    big = "\n\n".join(f.read_text(encoding="utf-8") for f in files)
    while len(big.encode()) < 20_000:
        big += "\n\n" + big
    big = big.encode()[:20_000].decode("utf-8", "ignore")
    bad = damage(big)
    t0 = time.perf_counter()
    res = repair_text(bad)
    cold = time.perf_counter() - t0
    t0 = time.perf_counter()
    repair_text(damage(big.replace("的", "地")))
    warm = time.perf_counter() - t0
    print(f"20 KB note ({len(big.encode())} bytes, {len(big)} chars): repair {cold:.2f} s "
          f"(first, loading wordfreq), {warm:.2f} s (second text, tables loaded); "
          f"exact={100 * (1 - wrong_chars(res.text, big) / len(big)):.3f}%")

    clean_changed = sum(repair_text(f.read_text(encoding="utf-8")).text
                        != f.read_text(encoding="utf-8") for f in files)
    print(f"undamaged notes changed by repair: {clean_changed} of {len(files)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
