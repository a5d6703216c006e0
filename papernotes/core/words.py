"""Counted nouns in messages: `1 patch`, `2 patches`, never `1 patches` or `arm(s)`."""

from __future__ import annotations


def count(n: int, noun: str, plural: str | None = None) -> str:
    """`n` and the noun in the number it takes: count(1, "thread") -> "1 thread"."""
    return f"{n} {noun if n == 1 else plural or noun + 's'}"
