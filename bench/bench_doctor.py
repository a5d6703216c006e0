"""Benchmark for `papernotes doctor`'s repair, through every code page: damage notes we
wrote with the exact procedure (`codepages.damage`), repair them, count characters restored
exactly and whether the right page was found; check that undamaged text, ours and clean
text in the languages those pages are made for, is returned unchanged; time a ~20 KB note.

    /work/venv/bin/python bench/bench_doctor.py [--pages cp1252,cp1254] [--no-timing]
"""

from __future__ import annotations

import argparse
import difflib
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from papernotes.notes.repair.codepages import PAGES, damage
from papernotes.notes.repair.mojibake_repair import repair_text

DATA = Path(__file__).resolve().parent.parent / "tests" / "notes" / "repair" / "data"
TEMPLATE = Path("/work/shared/reference/paper-note-template.zh.md")
C1_KEPT = "latin-1+C1"  # Latin-1 whose C1 controls an editor kept: only soft hyphens lost

# Clean text in the languages of the pages, written by hand: never to be "repaired".
CLEAN = {
    "tr": "Öğrenciler ılık bir günde Şişli'deki kütüphanede çalıştı. İğdır'dan gelen "
          "Ayşe, ağaç gölgesinde ödevini bitirdi; ığdır, şğüçö, ĞÜŞİÖÇ.",
    "pl": "Zażółć gęślą jaźń. Łódź, Kraków i Gdańsk — źródła wiedzy są wszędzie; "
          "ćwiczenia z uczenia maszynowego są łatwe.",
    "el": "Η αυτοεπιβλεπόμενη μάθηση χρησιμοποιεί τα ίδια τα δεδομένα ως επίβλεψη. "
          "Ό,τι μαθαίνει το μοντέλο — «αναπαραστάσεις» — μεταφέρεται αλλού.",
    "ru": "Самообучение использует сами данные как разметку. Её «представления» — "
          "ключ ко всему; ещё один шаг, и всё готово…",
    "uk": "Самонавчання використовує дані як розмітку. Її модель — «ключ»; ії, є, ґ.",
    "cs": "Příliš žluťoučký kůň úpěl ďábelské ódy. Řeřicha, čeština, ů, ě.",
    "de": "Größere Stapel helfen: Straße, Übung, Ärger, Öl — „so“ sagt man.",
    "fr": "Déjà vu : l’élève naïf a mangé une crème brûlée à la fenêtre, Ça va ?",
    "vi": "Học tự giám sát dùng chính dữ liệu làm nhãn. Mô hình học được biểu diễn tốt.",
    "he": "למידה בפיקוח עצמי משתמשת בנתונים עצמם כתוויות.",
    "ar": "التعلم الذاتي يستخدم البيانات نفسها كتسميات.",
    "lt": "Savarankiškas mokymasis naudoja pačius duomenis kaip žymes; ąčęėįšųūž.",
}
LANGS = ["tr", "pl", "el", "ru", "uk", "cs", "de", "fr", "es", "vi", "he", "ar", "lt", "lv",
         "hu", "ro", "is", "pt", "bg", "fa"]


def wrong_chars(a: str, b: str) -> int:
    """Characters of `b` not reproduced exactly in `a` (edit-distance style, via difflib)."""
    sm = difflib.SequenceMatcher(None, a, b, autojunk=False)
    return len(b) - sum(m.size for m in sm.get_matching_blocks())


def damaged(text: str, page: str) -> str:
    if page == C1_KEPT:
        return damage(text, "latin-1", keep=set(range(0x80, 0xA0)))
    return damage(text, page)


def accuracy(files: list[Path], pages: list[str]) -> None:
    print("| page | chars | wrong | exact | Chinese exact | English exact | page found | "
          "unclear lines | time |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for page in pages:
        label = PAGES["latin-1" if page == C1_KEPT else page].label
        t0 = time.process_time()
        tot = {"zh": 0, "en": 0}
        bad = {"zh": 0, "en": 0}
        found = unclear = 0
        worst = []
        for f in files:
            text = f.read_text(encoding="utf-8")
            res = repair_text(damaged(text, page))
            lang = "en" if f.name.endswith(".en.md") else "zh"
            w = wrong_chars(res.text, text)
            tot[lang] += len(text)
            bad[lang] += w
            found += res.page == label
            unclear += len(res.unclear)
            worst.append((w, f.name))
        cpu = time.process_time() - t0
        n, w = sum(tot.values()), sum(bad.values())
        print(f"| {page} | {n} | {w} | {100 * (1 - w / n):.2f}% | "
              f"{100 * (1 - bad['zh'] / tot['zh']):.2f}% | "
              f"{100 * (1 - bad['en'] / max(tot['en'], 1)):.2f}% | {found}/{len(files)} | "
              f"{unclear} | {cpu:.1f} s |", flush=True)
        print(f"<!-- {page} worst: {sorted(worst, reverse=True)[:3]} -->", flush=True)


def false_positives(files: list[Path], per_lang: int) -> None:
    import wordfreq

    changed, total = [], 0
    for f in files:
        text = f.read_text(encoding="utf-8")
        total += 1
        if repair_text(text).text != text:
            changed.append(f.name)
    for lang, text in CLEAN.items():
        total += 1
        if repair_text(text).text != text:
            changed.append(f"hand-written {lang}")
    rng = random.Random(7)
    for lang in LANGS:
        words = wordfreq.top_n_list(lang, 5000)
        for _ in range(per_lang):
            sent = " ".join(rng.choice(words) for _ in range(rng.randint(1, 30)))
            sent = rng.choice(["{}", "«{}»", "“{}”", "{} — {}…", "# {}\n\n{}."]).format(
                sent.capitalize(), rng.choice(words))
            total += 1
            if repair_text(sent).text != sent:
                changed.append(f"{lang}: {sent[:40]!r}")
    print(f"\nundamaged texts changed by repair: {len(changed)} of {total} "
          f"({len(files)} notes, {len(CLEAN)} hand-written paragraphs, {per_lang} random "
          f"sentences of wordfreq words in each of {len(LANGS)} languages)")
    for c in changed[:10]:
        print("   ", c)


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
print(load, cpu, wall)
"""


def timing(files: list[Path], pages: list[str]) -> None:
    big = "\n\n".join(f.read_text(encoding="utf-8") for f in files)
    while len(big.encode()) < 20_000:
        big += "\n\n" + big
    big = big.encode()[:20_000].decode("utf-8", "ignore")
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "big.md"
        for page in pages:
            src.write_text(damaged(big, page), encoding="utf-8")
            for run in (1, 2):
                # a fresh process each time: what `papernotes doctor --fix` pays for one note
                out = subprocess.run([sys.executable, "-c", _TIMED, str(src)], check=True,
                                     capture_output=True, text=True).stdout
                load_cpu, cpu, wall = (float(x) for x in out.split())
                exact = 100 * (1 - wrong_chars(Path(tmp, "out.md").read_text(encoding="utf-8"),
                                               big) / len(big))
                print(f"20 KB note through {page} ({len(big.encode())} bytes, {len(big)} "
                      f"chars), fresh process #{run}: load tables {load_cpu:.2f} s CPU; repair "
                      f"{cpu:.2f} s CPU, {wall:.2f} s wall; exact={exact:.3f}%", flush=True)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pages", default=",".join([*PAGES, C1_KEPT]))
    ap.add_argument("--random", type=int, default=100, help="random sentences per language")
    ap.add_argument("--no-timing", action="store_true")
    args = ap.parse_args()
    pages = args.pages.split(",")
    files = sorted(DATA.glob("*.zh.md")) + sorted(DATA.glob("*.en.md"))
    if TEMPLATE.exists():
        files.append(TEMPLATE)
    accuracy(files, pages)
    false_positives(files, args.random)
    if not args.no_timing:
        timing(files, ["cp1252", "cp1253"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
