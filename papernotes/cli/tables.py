"""Tables that fit the terminal: cells wrap, never cut, and low-value columns go first.

rich shrinks every column of a table wider than the terminal until headers read `poi…` and a
Chinese title one character a line. `fit_table` instead gives each column the width it needs
to stay readable (its header, and its longest word up to a cap; Chinese text, which has no
spaces to wrap at, at least a few characters), drops the columns of lowest value until those
widths fit (as `gh` does), and folds long cells onto more lines instead of cutting them.
The caller prints the names of the columns left out (`hidden_note`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from rich.cells import cell_len
from rich.table import Table

_WORD_CAP = 12  # a longer word is folded rather than widening its column
_CJK_MIN = 8  # cells: four Chinese characters side by side at least
_EDGE = 4  # the table's outer border and the first column's padding, on top of 3 per column


@dataclass(frozen=True)
class Column:
    header: str
    value: int  # the higher, the longer it stays when the terminal is narrow
    justify: str = "left"
    whole: bool = False  # a cell that reads only on one line (`runs`' "JOBID STATE")


def _need(column: Column, cells: Sequence[str]) -> int:
    """The width below which the column's text stops being readable."""
    need = max((cell_len(w) for w in column.header.split()), default=1)
    if column.whole:
        return max([need, *(cell_len(text) for text in cells)])
    for text in cells:
        for word in text.split():
            width = cell_len(word)
            cap = _CJK_MIN if width > len(word) else _WORD_CAP  # wide characters: Chinese
            need = max(need, min(width, cap))
    return need


def fit_table(columns: Sequence[Column], rows: Sequence[Sequence[str]], width: int,
              cap: bool = False, **table_options) -> tuple[Table, list[str]]:
    """A rich Table of the `columns` that fit in `width`, and the headers of those left out.
    `cap`: for tables of many short columns (`runs`), which rich's own shrinking can leave a
    column wider than the terminal (then cropped)."""
    needs = [_need(c, [r[i] for r in rows]) for i, c in enumerate(columns)]
    kept = list(range(len(columns)))
    by_value = sorted(kept, key=lambda i: (columns[i].value, -i))
    while len(kept) > 1 and sum(needs[i] + 3 for i in kept) + _EDGE > width:
        kept.remove(by_value.pop(0))
    # with `cap`, where the cells' natural widths do not fit, each column gets a cap, the slack
    # shared in proportion to what each column would like beyond its need
    natural = [max([cell_len(columns[i].header), *(cell_len(r[i]) for r in rows)]) for i in range(len(columns))]
    caps: dict[int, int] = {}
    if cap and sum(natural[i] + 3 for i in kept) + _EDGE > width:
        slack = width - sum(needs[i] + 3 for i in kept) - _EDGE
        want = {i: max(0, natural[i] - needs[i]) for i in kept}
        total = sum(want.values()) or 1
        caps = {i: needs[i] + slack * want[i] // total for i in kept}
    table = Table(**table_options)
    for i in kept:
        table.add_column(columns[i].header, min_width=needs[i], max_width=caps.get(i),
                         overflow="fold", justify=columns[i].justify)
    for r in rows:
        table.add_row(*(r[i] for i in kept))
    return table, [columns[i].header for i in range(len(columns)) if i not in kept]


def hidden_note(hidden: list[str], more: str = "a wider terminal shows them") -> str:
    """The line under a table that had to leave columns out."""
    return f"(not shown at this width: {', '.join(hidden)}; {more})"
