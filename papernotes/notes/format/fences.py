"""Which lines of a note are code: the one line scan for fenced code blocks.

A fence opens at a line starting (after any indentation, so fences inside list items count)
with ``` or ~~~ and closes at the next line starting with the same character's fence; the
fence lines themselves are code too. A line scan rather than a parse, for the callers that
rewrite a note's own text in place and must keep every other byte.
"""

from __future__ import annotations

import re
from typing import Iterator

_FENCE = re.compile(r"\s*(```|~~~)")


def lines_outside_fences(lines: list[str]) -> Iterator[int]:
    """Indexes of the lines that are neither a fence line nor inside a fenced block."""
    fence = None  # the open fence's character, None outside
    for i, line in enumerate(lines):
        mark = _FENCE.match(line)
        if fence is not None:
            if mark and mark.group(1)[0] == fence:
                fence = None
        elif mark:
            fence = mark.group(1)[0]
        else:
            yield i
