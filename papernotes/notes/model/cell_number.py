"""The number a table cell states, read the way a researcher writes it.

A results cell is the user's text: `70.1±0.2`, `~70`, `76.5 (4x)`, `**76.5**%`, `N/A`, `—`.
The note keeps the text as written; this reads the number in it, if there is one:

    read_number("70.1 ± 0.2")  -> CellNumber(70.1, 0.2)     mean and spread
    read_number("~70")         -> CellNumber(70.0, None)
    read_number("76.5 (4x)")   -> CellNumber(76.5, None)    the words around it stay in the text
    read_number("ResNet-50")   -> CellNumber(None, None)    a number glued to a word is not one
    read_number("N/A")         -> CellNumber(None, None)

The first free-standing number is the value (`1,234.5` with thousands separators, a Unicode
minus `−1.2`); a `±`, `+/-` or `+-` right after it gives the spread.
"""

from __future__ import annotations

import re
from typing import NamedTuple

_NUMBER = r"[-+−]?(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)"
# not glued to a word, a version or a range on the left (`ResNet-50`, `v1.2`), nor to a letter
# on the right (`4x`, `50M`)
_VALUE = re.compile(rf"(?<![A-Za-z0-9_.\-+−/])({_NUMBER})(?![A-Za-z0-9_]|\.\d)")
_SPREAD = re.compile(rf"\s*(?:±|\+/-|\+-|\+/−)\s*({_NUMBER[len('[-+−]?'):]})")


class CellNumber(NamedTuple):
    value: float | None
    spread: float | None


def _float(text: str) -> float:
    return float(text.replace(",", "").replace("−", "-"))


def read_number(text: str) -> CellNumber:
    """The value (and ± spread) a cell's text states; (None, None) when it states none."""
    m = _VALUE.search(text)
    if m is None:
        return CellNumber(None, None)
    spread = _SPREAD.match(text, m.end())
    return CellNumber(_float(m.group(1)), _float(spread.group(1)) if spread else None)


def show_number(value: float | None) -> str:
    """A value as a cell shows it when the note has no text of the user's for it."""
    return "" if value is None else str(value)
