"""Three-way merge of text by lines (the idea of diff3): two sets of edits to the same original,
combined when they touch different lines.

`merge3(base, ours, theirs)` is `theirs` with our edits (base -> ours) applied, or None when an
edit of ours and one of theirs change, or border on, the same lines. Two insertions at the same
place are not a clash: both are kept, theirs first (nothing is lost; their order is arbitrary),
and lines that both insert there go in once.
`locked_update` uses it to carry a papernotes change over an edit that an editor made
meanwhile, in a millisecond, instead of computing the change again.
"""

from __future__ import annotations

from difflib import SequenceMatcher

Edit = tuple[int, int, list[str]]  # base lines [i1, i2) become these lines


def _edits(a: list[str], b: list[str]) -> list[Edit]:
    ops = SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
    return [(i1, i2, b[j1:j2]) for tag, i1, i2, j1, j2 in ops if tag != "equal"]


def _clash(x: Edit, y: Edit) -> bool:
    """Edits that overlap or border on each other (an insertion at the edge of a change too),
    except two pure insertions at the same place."""
    if x[0] == x[1] == y[0] == y[1]:
        return False
    return x[0] <= y[1] and y[0] <= x[1]


def merge3(base: str, ours: str, theirs: str) -> str | None:
    if ours == base:
        return theirs
    if theirs == base or theirs == ours:
        return ours
    a = base.splitlines(keepends=True)
    mine = _edits(a, ours.splitlines(keepends=True))
    other = _edits(a, theirs.splitlines(keepends=True))
    if any(_clash(x, y) for x in mine for y in other):
        return None
    mine = [_unless_inserted(e, other) for e in mine]
    out = list(a)
    # from the end backwards; at one place, our insertion goes in first so theirs lands above it
    edits = [(e, 1) for e in mine] + [(e, 0) for e in other]
    for (i1, i2, lines), _ in sorted(edits, key=lambda x: (x[0][0], x[1]), reverse=True):
        out[i1:i2] = lines
    return "".join(out)


def _contains(block: list[str], part: list[str]) -> bool:
    n = len(part)
    return any(block[i:i + n] == part for i in range(len(block) - n + 1))


def _unless_inserted(edit: Edit, other: list[Edit]) -> Edit:
    """Our insertion, emptied when theirs at the same place already holds those lines (both
    sides inserted the same text: it goes in once)."""
    i1, i2, lines = edit
    if i1 == i2 and any(o[0] == o[1] == i1 and _contains(o[2], lines) for o in other):
        return (i1, i2, [])
    return edit
