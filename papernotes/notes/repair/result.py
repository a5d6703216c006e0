"""What a repair found and did: the text, the page(s) chosen with their margins, the lines
left as unclear, and the restored characters with their confidence."""

from __future__ import annotations

from dataclasses import dataclass, field

from papernotes.notes.repair.viterbi import Choice

UNCERTAIN = 0.9  # a restored character chosen with less confidence is reported


@dataclass(frozen=True)
class PageVerdict:
    """The page chosen for consecutive blocks, from the first damaged line `line` to the end
    of the last block, `end_line`."""

    line: int
    end_line: int
    page: str  # its label, e.g. "Windows-1254"
    margin: float | None  # log-probability over the next page (None: no other page fits)
    runner_up: str | None
    lossless: bool
    same_repair: bool = False  # the runner-up page repairs it to the same text


@dataclass(frozen=True)
class Unclear:
    """A line two pages repair differently, with too small a margin: left as it is."""

    line: int
    pages: tuple[str, str]
    margin: float
    damaged: int  # damaged characters left on the line


@dataclass(frozen=True)
class RepairResult:
    text: str
    layers: int = 0  # how many times the damage was undone (0: nothing found)
    sequences: int = 0  # damaged sequences read back as characters
    restored: int = 0  # of these, sequences that had lost bytes put back
    ambiguous: int = 0  # of these, sequences with more than one plausible character
    choices: tuple[Choice, ...] = field(default_factory=tuple)
    lossless: bool = False  # repaired by ftfy (other lossless mojibake)
    pages: tuple[PageVerdict, ...] = ()
    unclear: tuple[Unclear, ...] = ()

    @property
    def changed(self) -> bool:
        return self.text_changed or bool(self.unclear)

    @property
    def text_changed(self) -> bool:
        return self.layers > 0 or self.lossless

    @property
    def page(self) -> str | None:
        """The page most of the damage went through."""
        if not self.pages:
            return None
        span = {}
        for v in self.pages:
            span[v.page] = span.get(v.page, 0) + v.end_line - v.line + 1
        return max(span, key=span.get)

    @property
    def uncertain(self) -> int:
        """Characters that stayed uncertain: restored with low confidence, or left damaged."""
        return sum(c.confidence < UNCERTAIN for c in self.choices) + \
            sum(u.damaged for u in self.unclear)

    def least_confident(self, n: int = 5) -> list[Choice]:
        return sorted(self.choices, key=lambda c: c.confidence)[:n]
