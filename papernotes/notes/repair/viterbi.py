"""Repair of the user's damage: re-encode damaged runs to their bytes, and put lost bytes
back by choosing, among the characters each damaged sequence could have been, the most
probable *whole* text (Viterbi over the candidates, scored by `langmodel.window_logps` on a
window of words around each choice, coupled to the previous choice when they are close).

Damage applied twice is undone layer by layer: an outer layer is recognised when reading it
back gives text that is itself damaged; there, a lost byte can only have been one of the
Windows-1252 characters, which leaves (almost always) one candidate. Text damaged some
other lossless way is left to ftfy.
"""

from __future__ import annotations

import math
from bisect import bisect_left
import unicodedata
from dataclasses import dataclass, field

from papernotes.notes.repair.langmodel import char_logp, is_han, is_traditional, window_logps
from papernotes.notes.repair.mojibake import (CHAR_TO_BYTE, DamagedRun, code_spans,
                                              find_damaged_runs, parse_run)

BEAM = 5  # candidates per choice kept for the joint search
WINDOW = 3  # characters of context on each side (covers 4-character words)
HOLE = "\x00"  # stands for a choice not yet made: breaks words, same cost for all
_PAIR_BONUS = math.log(10.0)
_PAIR_PENALTY = math.log(1e-3)


@dataclass(frozen=True)
class Choice:
    line: int  # 1-based line in the repaired text
    chosen: str
    alternatives: tuple[str, ...]  # the other candidates, most probable first
    confidence: float  # probability of the chosen one among the candidates, 0..1
    context: str = ""  # the repaired text around it, on its line


@dataclass(frozen=True)
class RepairResult:
    text: str
    layers: int = 0  # how many times the damage was undone (0: nothing found)
    sequences: int = 0  # damaged sequences read back as characters
    restored: int = 0  # of these, sequences that had lost bytes put back
    ambiguous: int = 0  # of these, sequences with more than one plausible character
    choices: tuple[Choice, ...] = field(default_factory=tuple)
    lossless: bool = False  # repaired by ftfy (other lossless mojibake)

    @property
    def changed(self) -> bool:
        return self.layers > 0 or self.lossless

    def least_confident(self, n: int = 5) -> list[Choice]:
        return sorted(self.choices, key=lambda c: c.confidence)[:n]


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


def _pairing(chars: list[str], p: int, ch: str) -> float:
    """Brackets and quotes come in pairs: an opener needs its closer later in the paragraph,
    a closer needs an open opener before it. Joiners and variation selectors only follow a
    symbol (emoji sequences)."""
    cat = unicodedata.category(ch)
    if cat == "Cf" or "\ufe00" <= ch <= "\ufe0f":
        before = chars[p - 1] if p else ""
        ok = before and (unicodedata.category(before) in ("So", "Sk")
                         or "\ufe00" <= before <= "\ufe0f")
        return 0.0 if ok else _PAIR_PENALTY * 3
    if cat in ("Ps", "Pi"):
        closer = chr(ord(ch) + 1)
        seg = "".join(chars[p + 1:p + 400]).split("\n\n", 1)[0]
        at, again = seg.find(closer), seg.find(ch)
        return _PAIR_BONUS if at >= 0 and (again < 0 or at < again) else _PAIR_PENALTY
    if cat in ("Pe", "Pf"):
        opener, closer = chr(ord(ch) - 1), ch
        seg = "".join(chars[max(0, p - 400):p]).rsplit("\n\n", 1)[-1]
        return _PAIR_BONUS if seg.count(opener) > seg.count(closer) else _PAIR_PENALTY
    return 0.0


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
    out = [v - base + _pairing(chars, p, c) for c, v in zip(cands, vals)]
    if undo is not None:
        chars[undo[0]] = undo[1]
    return out


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
        own = dict(zip(cs, _scores(chars, p, cs, None, trad[k])))
        if len(cs) > BEAM:
            cs = tuple(sorted(cs, key=lambda c: -own[c])[:BEAM])
        cands.append(cs)
        alone.append(own)
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
        scores = dict(zip(cands, _scores(chars, p, cands, None, lay.traditional[k])))
        top = max(scores.values())
        z = sum(math.exp(s - top) for s in scores.values())
        others = tuple(sorted((x for x in cands if x != c), key=lambda x: -scores[x]))
        before = "".join(chars[max(0, p - 6):p]).split("\n")[-1]
        after = "".join(chars[p + 1:p + 7]).split("\n")[0]
        out.append(Choice(line, c, others, math.exp(scores[c] - top) / z,
                          f"{before}[{c}]{after}".replace(HOLE, "?")))
    return out


def _pick_outer(lay: _Layout) -> list[str]:
    """In an outer layer a lost byte belonged to a Windows-1252 character of the text under
    it: take the one that makes that text read as UTF-8 again, the most plausible first."""
    chars = list(lay.chars)
    picked = []
    for p, cands in lay.slots:
        def inner(c: str) -> float:
            chars[p] = c
            a, b = p, p + 1
            while a > 0 and chars[a - 1] in CHAR_TO_BYTE:
                a -= 1
            while b < len(chars) and chars[b] in CHAR_TO_BYTE:
                b += 1
            units = parse_run("".join(chars[a:b]))
            unit = next((u for u in units or () if u.start <= p - a < u.end), None)
            return -math.inf if unit is None else max(map(char_logp, unit.candidates))
        best = max(cands, key=inner)
        chars[p] = best
        picked.append(best)
    return picked


def _decode_layer(text: str, runs: list[DamagedRun], only: set[str] | None
                  ) -> tuple[str, _Layout, list[Choice]] | None:
    lay = _layout(text, runs, only)
    if lay is None:
        return None
    if only is None:
        lay.mark_scripts()
    picked = _viterbi(lay) if only is None else _pick_outer(lay)
    chars = list(lay.chars)
    for (p, _), c in zip(lay.slots, picked):
        chars[p] = c
    choices = _choices(lay, picked) if only is None else []
    return "".join(chars), lay, choices


def repair_text(text: str, max_layers: int = 3) -> RepairResult:
    """Undo the damage (once or several times); text that is not damaged comes back as is."""
    image = set(CHAR_TO_BYTE)
    cur, layers, seqs, restored, ambiguous = text, 0, 0, 0, 0
    choices: list[Choice] = []
    while layers < max_layers:
        runs = find_damaged_runs(cur)
        if not runs:
            break
        inner = _decode_layer(cur, runs, image)
        if inner is not None and find_damaged_runs(inner[0]):
            cur, lay = inner[0], inner[1]
        else:
            decoded = _decode_layer(cur, runs, None)
            assert decoded is not None  # every run parsed, so every unit has candidates
            cur, lay, choices = decoded
        layers += 1
        seqs += lay.sequences
        restored += lay.restored
        ambiguous += len(lay.slots)
        if choices:
            break
    if layers:
        return RepairResult(cur, layers, seqs, restored, ambiguous, tuple(choices))
    return _lossless(text)


def _lossless(text: str) -> RepairResult:
    """Other mojibake that lost nothing (e.g. Latin-1 or MacRoman misreadings): ftfy, line by
    line, outside code (where mojibake is quoted on purpose)."""
    import ftfy

    pieces, pos, n = [], 0, 0
    for a, b in [*code_spans(text), (len(text), len(text))]:
        for line in text[pos:a].splitlines(keepends=True):
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
