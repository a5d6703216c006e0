"""Putting lost bytes back: among the characters each damaged sequence could have been,
the most probable *whole* text (Viterbi over the candidates, scored by
`langmodel.window_logps` on a window of words around each choice plus `context.context_logp`,
coupled to the previous choice when they are close), then each choice taken again with every
other one made (`_refine`: context such as "a question word earlier in the sentence" needs the
whole line). `decode_layer` reads one layer of damage back through a page.

In an outer layer of damage applied twice, a lost byte can only have been one of the page's
characters of the layer under it, which leaves (almost always) one candidate (`_pick_outer`).
"""

from __future__ import annotations

import math
from bisect import bisect_left
from dataclasses import dataclass, field

from papernotes.notes.repair.codepages import CodePage
from papernotes.notes.repair.context import HOLE, context_logp
from papernotes.notes.repair.langmodel import char_logp, is_han, is_traditional, window_logps, words_across
from papernotes.notes.repair.mojibake import DamagedRun, parse_run

BEAM = 5  # candidates per choice kept for the joint search
PREFILTER = 160  # at most this many candidates, the most frequent alone, are scored in context
WINDOW = 3  # characters of context on each side (covers 4-character words)


@dataclass(frozen=True)
class Choice:
    line: int  # 1-based line in the repaired text
    chosen: str
    alternatives: tuple[str, ...]  # the other candidates, most probable first
    confidence: float  # probability of the chosen one among the candidates, 0..1
    context: str = ""  # the repaired text around it, on its line


@dataclass
class _Layout:
    """The text with damaged runs read back: fixed characters, and holes where a choice is
    still open (`slots[k]` = (offset in `chars`, candidates))."""

    chars: list[str]
    slots: list[tuple[int, tuple[str, ...]]]
    sequences: int
    restored: int
    traditional: list[bool] = field(default_factory=list)  # per slot: its paragraph's script

    def mark_scripts(self) -> None:
        """Traditional or Simplified, per paragraph, from the characters that came intact."""
        text = "".join(self.chars)
        bounds, verdict, start = [], [], 0
        for para in text.split("\n\n"):
            han = [c for c in para if is_han(c)]
            bounds.append(start + len(para))
            verdict.append(sum(map(is_traditional, han)) > 0.05 * max(len(han), 1))
            start += len(para) + 2
        self.traditional = [verdict[bisect_left(bounds, p)] for p, _ in self.slots]


def _layout(text: str, runs: list[DamagedRun], only: set[str] | None) -> _Layout | None:
    chars: list[str] = []
    slots: list[tuple[int, tuple[str, ...]]] = []
    sequences = restored = 0
    pos = 0
    for run in runs:
        chars.extend(text[pos:run.start])
        for u in run.units:
            cands = u.candidates if only is None else tuple(c for c in u.candidates if c in only)
            if not cands:
                return None
            sequences += 1
            restored += u.missing > 0
            if len(cands) == 1:
                chars.append(cands[0])
            else:
                slots.append((len(chars), cands))
                chars.append(HOLE)
        pos = run.end
    chars.extend(text[pos:])
    return _Layout(chars, slots, sequences, restored)


def _scores(chars: list[str], p: int, cands: tuple[str, ...], prev: tuple[int, str] | None,
            trad: bool) -> list[float]:
    """Gain in log-probability from putting each candidate at `p` (given the previous choice
    `prev` when it is inside the window): words around p with it, minus words with a hole."""
    undo = None
    if prev is not None:
        undo = (prev[0], chars[prev[0]])
        chars[prev[0]] = prev[1]
    left = "".join(chars[max(0, p - WINDOW):p])
    right = "".join(chars[p + 1:p + WINDOW + 1])
    base, *vals = window_logps(left, [HOLE, *cands], right, trad)
    out = [v - base + context_logp(chars, p, c) for c, v in zip(cands, vals)]
    if undo is not None:
        chars[undo[0]] = undo[1]
    return out


def _shortlist(cands: tuple[str, ...], trad: bool, keep: str = "") -> tuple[str, ...]:
    """At most PREFILTER candidates, the most frequent alone (two lost bytes through a page
    that loses many leave about 1,000), and `keep`."""
    if len(cands) <= PREFILTER:
        return cands
    top = tuple(sorted(cands, key=lambda c: -char_logp(c, trad))[:PREFILTER])
    return top if not keep or keep in top else top + (keep,)


def _viterbi(lay: _Layout) -> list[str]:
    """The most probable sequence of choices. Each slot keeps its BEAM best candidates on
    their own (a lone `â` has 36), then choices within WINDOW of each other are scored
    together."""
    chars, slots, trad = lay.chars, lay.slots, lay.traditional
    if not slots:
        return []
    cands: list[tuple[str, ...]] = []
    alone: list[dict[str, float]] = []  # each candidate's score without the previous choice
    for k, (p, cs) in enumerate(slots):
        cs = _shortlist(cs, trad[k])
        own = dict(zip(cs, _scores(chars, p, cs, None, trad[k])))
        if len(cs) > BEAM:
            cs = tuple(sorted(cs, key=lambda c: -own[c])[:BEAM])
        cands.append(cs)
        alone.append(own)
    for k in range(len(slots) - 1):
        # two neighbours that both lost a byte: each alone sees only a hole beside it, so a
        # word they make together is kept in both beams
        (p, cs), (q, ds) = slots[k], slots[k + 1]
        if q == p + 1:
            for a, b in words_across(cs, ds, trad[k]):
                for j, c in ((k, a), (k + 1, b)):
                    if c not in cands[j]:
                        cands[j] += (c,)
                    if c not in alone[j]:  # a rare character the prefilter left out
                        alone[j][c] = _scores(chars, slots[j][0], (c,), None, trad[j])[0]
    # best[k][i] = (score of the best path ending in cands[k][i], index of its choice at k-1)
    best: list[list[tuple[float, int]]] = []
    for k, (p, _) in enumerate(slots):
        row = []
        if k and p - slots[k - 1][0] <= WINDOW:
            pp = slots[k - 1][0]
            row = [(-math.inf, 0)] * len(cands[k])
            for i, pc in enumerate(cands[k - 1]):
                gains = _scores(chars, p, cands[k], (pp, pc), trad[k])
                row = [max(r, (best[k - 1][i][0] + g, i)) for r, g in zip(row, gains)]
        else:
            prev = max(range(len(best[k - 1])), key=lambda i: best[k - 1][i][0]) if k else -1
            base = best[k - 1][prev][0] if k else 0.0
            row = [(base + alone[k][c], prev) for c in cands[k]]
        best.append(row)
    picks = [0] * len(slots)
    picks[-1] = max(range(len(best[-1])), key=lambda i: best[-1][i][0])
    for k in range(len(slots) - 1, 0, -1):
        picks[k - 1] = best[k][picks[k]][1]
    return [cands[k][i] for k, i in enumerate(picks)]


def _choices(lay: _Layout, picked: list[str]) -> list[Choice]:
    chars = list(lay.chars)
    for (p, _), c in zip(lay.slots, picked):
        chars[p] = c
    out: list[Choice] = []
    line, last = 1, 0
    for k, ((p, cands), c) in enumerate(zip(lay.slots, picked)):
        line += "".join(chars[last:p]).count("\n")
        last = p
        cands = _shortlist(cands, lay.traditional[k], c)
        scores = dict(zip(cands, _scores(chars, p, cands, None, lay.traditional[k])))
        top = max(scores.values())
        z = sum(math.exp(s - top) for s in scores.values())
        others = tuple(sorted((x for x in cands if x != c), key=lambda x: -scores[x]))
        before = "".join(chars[max(0, p - 6):p]).split("\n")[-1]
        after = "".join(chars[p + 1:p + 7]).split("\n")[0]
        out.append(Choice(line, c, others, math.exp(scores[c] - top) / z,
                          f"{before}[{c}]{after}".replace(HOLE, "?")))
    return out


def _pick_outer(lay: _Layout, cp: CodePage, lost: tuple[int, ...]) -> list[str]:
    """In an outer layer a lost byte belonged to a character of `cp` in the text under it:
    take the one that makes that text read as UTF-8 again, the most plausible first."""
    chars = list(lay.chars)
    image = cp.to_byte
    picked = []
    for p, cands in lay.slots:
        def inner(c: str, p: int = p) -> float:
            chars[p] = c
            a, b = p, p + 1
            while a > 0 and chars[a - 1] in image:
                a -= 1
            while b < len(chars) and chars[b] in image:
                b += 1
            units = parse_run("".join(chars[a:b]), image, lost)
            unit = next((u for u in units or () if u.start <= p - a < u.end), None)
            return -math.inf if unit is None else max(map(char_logp, unit.candidates))
        best = max(cands, key=inner)
        chars[p] = best
        picked.append(best)
    return picked


def _refine(lay: _Layout, start: str) -> list[str]:
    """Choices near a known reading: each choice in turn, its neighbours as `start` has
    them, keeps the start's character unless one of its own candidates scores better (how a
    second page, which can lose a few more bytes, is read without a Viterbi of its own)."""
    chars = list(lay.chars)
    for p, _ in lay.slots:
        chars[p] = start[p]
    picked = []
    for k, (p, cands) in enumerate(lay.slots):
        cands = _shortlist(cands, lay.traditional[k], start[p] if start[p] in cands else "")
        scores = _scores(chars, p, cands, None, lay.traditional[k])
        best = cands[max(range(len(cands)), key=scores.__getitem__)]
        if start[p] in cands and scores[cands.index(start[p])] >= max(scores):
            best = start[p]
        chars[p] = best
        picked.append(best)
    return picked


def _fill(lay: _Layout, picked: list[str]) -> str:
    """The layout's text with `picked` in its slots."""
    chars = list(lay.chars)
    for (p, _), c in zip(lay.slots, picked):
        chars[p] = c
    return "".join(chars)


def decode_layer(text: str, runs: list[DamagedRun], cp: CodePage, lost: tuple[int, ...],
                 outer: bool = False, near: str | None = None
                 ) -> tuple[str, _Layout, list[Choice]] | None:
    """`text` with `runs` read back through `cp`. With `outer`, as the outer layer of damage
    applied twice: every lost byte must be one of `cp`'s characters (None if one cannot).
    With `near` (the same text read through another page), choices start from that reading
    when both read the same characters as damaged (`_refine`)."""
    only = set(cp.to_byte) if outer else None
    lay = _layout(text, runs, only)
    if lay is None:
        return None
    if only is None:
        lay.mark_scripts()
    if only is not None:
        picked = _pick_outer(lay, cp, lost)
    elif near is not None and len(near) == len(lay.chars) and all(
            lay.chars[i] == near[i] for i in range(len(near)) if lay.chars[i] != HOLE):
        picked = _refine(lay, near)
    else:
        picked = _refine(lay, _fill(lay, _viterbi(lay)))
    chars = list(lay.chars)
    for (p, _), c in zip(lay.slots, picked):
        chars[p] = c
    choices = _choices(lay, picked) if only is None else []
    return "".join(chars), lay, choices
