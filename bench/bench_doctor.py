"""Benchmark for `papernotes doctor`'s repair: damage notes we wrote with the user's exact
procedure, repair them, count characters restored exactly, time a ~20 KB note, and check
that undamaged text is returned unchanged.

    /work/venv/bin/python bench/bench_doctor.py
"""

from __future__ import annotations

import difflib
import subprocess
import sys
import tempfile
from pathlib import Path

from papernotes.notes.repair.mojibake import damage
from papernotes.notes.repair.mojibake_repair import repair_text

DATA = Path(__file__).resolve().parent.parent / "tests" / "notes" / "repair" / "data"
TEMPLATE = Path("/work/shared/reference/paper-note-template.zh.md")


def wrong_chars(a: str, b: str) -> int:
    """Characters of `b` not reproduced exactly in `a` (edit-distance style, via difflib)."""
    sm = difflib.SequenceMatcher(None, a, b, autojunk=False)
    return len(b) - sum(m.size for m in sm.get_matching_blocks())


_TIMED = """
import sys, time
from pathlib import Path
t = time.process_time()
import papernotes.notes.repair.langmodel as lm
lm._tables(); lm._pairs()
load = time.process_time() - t
from papernotes.notes.repair.mojibake_repair import repair_text
src = Path(sys.argv[1])
text = src.read_text(encoding="utf-8")
w, c = time.perf_counter(), time.process_time()
res = repair_text(text)
cpu, wall = time.process_time() - c, time.perf_counter() - w
(src.parent / "out.md").write_text(res.text, encoding="utf-8")
print(load, cpu, wall, 0)
"""


def main() -> int:
    files = sorted(DATA.glob("*.zh.md")) + sorted(DATA.glob("*.en.md"))
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
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "big.md"
        src.write_text(damage(big), encoding="utf-8")
        for run in (1, 2, 3):
            # a fresh process each time: what `papernotes doctor --fix` pays for one note
            out = subprocess.run([sys.executable, "-c", _TIMED, str(src)], check=True,
                                 capture_output=True, text=True).stdout
            load_cpu, cpu, wall, exact = (float(x) for x in out.split())
            exact = 100 * (1 - wrong_chars(Path(tmp, "out.md").read_text(encoding="utf-8"), big)
                           / len(big))
            print(f"20 KB note ({len(big.encode())} bytes, {len(big)} chars), fresh process "
                  f"#{run}: load tables {load_cpu:.2f} s CPU; repair {cpu:.2f} s CPU, "
                  f"{wall:.2f} s wall; exact={exact:.3f}%")

    clean_changed = sum(repair_text(f.read_text(encoding="utf-8")).text
                        != f.read_text(encoding="utf-8") for f in files)
    print(f"undamaged notes changed by repair: {clean_changed} of {len(files)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
