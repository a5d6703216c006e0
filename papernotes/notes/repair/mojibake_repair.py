"""Repair of damaged text through any single-byte code page (`codepages.py`).

Per block (paragraph), every page that can explain its damage (`detect.py`) reads it back;
of the pages that explain the most of it, one that explains it without a lost byte is taken
before any that needs one (the lossless case, exact); otherwise each page's most probable repair (`viterbi.py`) is scored by the
language model, the best wins, and a block whose best page is only slightly better than the
page of the rest of the document follows the document. The page chosen and its margin over
the next one are reported; where two pages give different repairs and the margin is small,
those lines are left as they are and reported as unclear. Damage applied twice is undone
layer by layer. Text damaged some other lossless way is left to ftfy.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from papernotes.notes.repair.codepages import CodePage
from papernotes.notes.repair.detect import Detection, Explanation, detect
from papernotes.notes.repair.mojibake import DamagedRun, code_spans
from papernotes.notes.repair.result import PageVerdict, RepairResult, Unclear  # noqa: F401
from papernotes.notes.repair.viterbi import Choice, decode_layer

CLEAR_MARGIN = 3.0  # nats: below this, two pages' different repairs are not told apart
FOLLOW_DOCUMENT = 6.0  # nats: a block follows the document's page unless this much better
# nats, once per document: the most common misreading wins a near tie, an editor that strips
# Latin-1's C1 controls is rarer than one that keeps them
PRIOR = {"cp1252": 1.5, "latin-1": -1.5}


@dataclass
class _Reading:
    """One page's repair of one block."""

    exp: Explanation
    text: str
    sequences: int
    restored: int
    ambiguous: int
    choices: list[Choice]
    score: float = 0.0
    refined: bool = False  # read near another page's reading, not by a Viterbi of its own


def _read(text: str, exp: Explanation, near: str | None = None) -> _Reading:
    a = exp.start
    runs = [DamagedRun(r.start - a, r.end - a, r.units, r.clear) for r in exp.runs]
    decoded = decode_layer(text[a:exp.end], runs, exp.page, exp.lost, near=near)
    assert decoded is not None  # every run parsed, so every unit has candidates
    new, lay, choices = decoded
    return _Reading(exp, new, lay.sequences, lay.restored, len(lay.slots), choices,
                    refined=near is not None)


def _score(readings: list[_Reading]) -> None:
    """Log-probability of each reading, over the lines where the readings differ, less an
    Occam factor: each lost byte put back costs the log of the number of bytes its page can
    lose (the best repair of a page that loses more bytes is never worse, so without it
    Latin-1 with 33 lost bytes would beat Windows-1252 with 6 on any text both can read)."""
    from papernotes.notes.repair.langmodel import is_han, is_traditional, text_logp

    lines = [r.text.split("\n") for r in readings]
    han = [c for c in readings[0].text if is_han(c)]
    trad = sum(map(is_traditional, han)) > 0.05 * max(len(han), 1)
    differ = [i for i in range(len(lines[0])) if len({ls[i] for ls in lines}) > 1]
    for r, ls in zip(readings, lines):
        lost = sum(u.missing for run in r.exp.runs for u in run.units)
        r.score = sum(text_logp(ls[i], trad) for i in differ) - lost * math.log(max(len(r.exp.lost), 1))


def _choose(text: str, det: Detection) -> list[tuple[_Reading, _Reading | None, float | None]]:
    """Per damaged block: the reading chosen, the best reading through another page, and the
    margin between them. The document's page is the one that explains most of its blocks,
    then with the highest total score. A block follows it unless its own best page is
    clearly better (a paragraph pasted from elsewhere); then the margin is the document's: its page's score over the next page's, summed over the blocks that follow it,
    and infinite against a page that cannot explain one of them."""
    picks: list[tuple[_Reading, list[_Reading]]] = []
    explained: dict[str, int] = {}
    total: dict[str, float] = {}
    for opts in det.options:
        if not opts:
            continue
        most = max(o.damaged_chars for o in opts)
        opts = [o for o in opts if o.damaged_chars == most]  # what explains the most
        lossless = [o for o in opts if o.lossless]
        first, *rest = lossless or opts
        readings = [_read(text, first)]
        readings += [_read(text, o, readings[0].text) for o in rest]
        if len(readings) > 1:
            _score(readings)
            readings.sort(key=lambda r: -r.score)
            if readings[0].refined:  # the winner deserves its own full search
                readings[0] = _read(text, readings[0].exp)
                _score(readings)
                readings.sort(key=lambda r: -r.score)
        picks.append((readings[0], readings))
        for r in readings:
            name = r.exp.page.name
            explained[name] = explained.get(name, 0) + r.exp.damaged_chars
            total[name] = total.get(name, 0.0) + r.score
    # the document's page: the one that explains the most of it, then the most probably
    total = {n: t + PRIOR.get(n, 0.0) for n, t in total.items()}
    doc = max(explained, key=lambda n: (explained[n], total[n])) if explained else None
    chosen: list[_Reading] = []
    follow: list[bool] = []
    for best, readings in picks:
        same = [r for r in readings if r.exp.page.name == doc]
        follows = bool(same) and best.score - same[0].score < FOLLOW_DOCUMENT
        pick = same[0] if follows else best
        if pick.refined:  # the reading kept deserves its own full search
            readings[readings.index(pick)] = pick = _read(text, pick.exp)
            _score(readings)
        chosen.append(pick)
        follow.append(follows)
    # the document's margin over each other page, over the blocks that follow it
    doc_margin: dict[str, float] = {}
    for (_, readings), pick, f in zip(picks, chosen, follow):
        if not f:
            continue
        names = {r.exp.page.name: r.score for r in readings}
        for other in set(doc_margin) | set(names) - {doc}:
            if other not in names:
                doc_margin[other] = float("inf")
            elif doc_margin.get(other, 0.0) != float("inf"):
                prior = PRIOR.get(doc, 0.0) - PRIOR.get(other, 0.0) if other not in doc_margin \
                    else 0.0
                doc_margin[other] = doc_margin.get(other, 0.0) + pick.score - names[other] + prior
    out = []
    for (_, readings), pick, f in zip(picks, chosen, follow):
        others = [r for r in readings if r is not pick]
        other = others[0] if others else None
        if other is None:
            out.append((pick, None, None))
            continue
        margin = pick.score - other.score
        if f:
            rival = min((m, n) for n, m in doc_margin.items()
                        if n != doc and any(r.exp.page.name == n for r in readings))
            margin, other = rival[0], next(r for r in readings if r.exp.page.name == rival[1])
        out.append((pick, other, margin))
    return out


def _line_of(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


def _apply(text: str, chosen: list[tuple[_Reading, _Reading | None, float | None]]):
    """The text with each block replaced by its reading; lines two pages repair differently,
    without a clear margin, are kept as they were."""
    pieces, pos = [], 0
    verdicts: list[PageVerdict] = []
    unclear: list[Unclear] = []
    choices: list[Choice] = []
    for best, other, margin in chosen:
        exp = best.exp
        line0 = _line_of(text, exp.start)
        new = best.text
        if other is not None and margin is not None and margin < CLEAR_MARGIN \
                and other.text != new:
            old_l, new_l = text[exp.start:exp.end].split("\n"), new.split("\n")
            for i, (x, y) in enumerate(zip(new_l, other.text.split("\n"))):
                if x != y:
                    new_l[i] = old_l[i]
                    unclear.append(Unclear(line0 + i, (exp.page.label, other.exp.page.label),
                                           margin, sum(c > "\x7f" for c in old_l[i])))
            new = "\n".join(new_l)
        bad_lines = {u.line for u in unclear}
        choices += [Choice(c.line + line0 - 1, c.chosen, c.alternatives, c.confidence, c.context)
                    for c in best.choices if c.line + line0 - 1 not in bad_lines]
        pieces += [text[pos:exp.start], new]
        pos = exp.end
        end_line = line0 + new.count("\n")
        v = PageVerdict(_line_of(text, exp.runs[0].start), end_line, exp.page.label, margin,
                        None if other is None else other.exp.page.label, exp.lossless,
                        other is not None and other.text == best.text)
        if verdicts and verdicts[-1].page == v.page:
            prev = verdicts.pop()
            m = [x for x in (prev.margin, v.margin) if x is not None]
            v = PageVerdict(prev.line, v.end_line, v.page, min(m) if m else None,
                            prev.runner_up or v.runner_up, prev.lossless and v.lossless,
                            prev.same_repair and v.same_repair)
        verdicts.append(v)
    pieces.append(text[pos:])
    return "".join(pieces), verdicts, unclear, choices


def _outer_layer(text: str, det: Detection) -> str | None:
    """If the damage was applied twice, the text with its outer layer undone, else None."""
    first = [opts[0] for opts in det.options if opts]
    cp: CodePage = first[0].page
    if any(o.page is not cp for o in first):
        return None
    runs = [r for o in first for r in o.runs]
    inner = decode_layer(text, runs, cp, first[0].lost, outer=True)
    if inner is None or not detect(inner[0], [cp]).damaged:
        return None
    return inner[0]


def repair_text(text: str, max_layers: int = 3) -> RepairResult:
    """Undo the damage (once or several times); text that is not damaged comes back as is."""
    cur, layers, seqs, restored, ambiguous = text, 0, 0, 0, 0
    verdicts: list[PageVerdict] = []
    unclear: list[Unclear] = []
    choices: list[Choice] = []
    while layers < max_layers:
        det = detect(cur)
        if not det.damaged:
            break
        outer = _outer_layer(cur, det)
        if outer is not None:
            seqs += sum(len(r.units) for opts in det.options if opts for r in opts[0].runs)
            cur, layers = outer, layers + 1
            continue
        chosen = _choose(cur, det)
        cur, verdicts, unclear, choices = _apply(cur, chosen)
        seqs += sum(b.sequences for b, _, _ in chosen)
        restored += sum(b.restored for b, _, _ in chosen)
        ambiguous += sum(b.ambiguous for b, _, _ in chosen)
        layers += 1
        break
    if layers:
        return RepairResult(cur, layers, seqs, restored, ambiguous, tuple(choices),
                            pages=tuple(verdicts), unclear=tuple(unclear))
    return _lossless(text)


def _lossless(text: str) -> RepairResult:
    """Other mojibake that lost nothing (e.g. MacRoman misreadings): ftfy, line by line,
    outside code (where mojibake is quoted on purpose)."""
    import ftfy

    pieces, pos, n = [], 0, 0
    for a, b in [*code_spans(text), (len(text), len(text))]:
        for line in text[pos:a].splitlines(keepends=True):
            if line.isascii():  # nothing to misread: skip ftfy's per-call cost (5 MB notes)
                pieces.append(line)
                continue
            new = ftfy.fix_encoding(line)
            # one collapsed pair (`3×²` -> `3ײ`) is too little evidence: ftfy guesses there
            if len(line) - len(new) >= 2:
                pieces.append(new)
                n += 1
            else:
                pieces.append(line)
        pieces.append(text[a:b])
        pos = b
    new = "".join(pieces)
    if new == text:
        return RepairResult(text)
    return RepairResult(new, layers=0, sequences=n, lossless=True)
