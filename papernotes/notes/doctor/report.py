"""`doctor`'s findings as lines for a person: problems first, then information, and the same
finding repeated (one broken link written 3,000 times in a 5 MB note, `[[moco]]` in every
note made from the catalog) said once with its count and a few of its places, so the
problems are never buried. `--json` keeps every finding. Reference: compilers' "N more
similar errors" summaries (rustc, clang's -ferror-limit).
"""

from __future__ import annotations

from typing import Iterable

from papernotes.notes.doctor.finding import Finding

PLACES_SHOWN = 5


def _key(f: Finding) -> tuple:
    """Problems group within their file (each file is fixed on its own); information across
    the files (it is about a target: a catalog paper, the template's sample text)."""
    return (f.severity, f.check, f.message, f.fixable) + ((f.path,) if f.severity != "info" else ())


def grouped_lines(findings: Iterable[Finding]) -> list[str]:
    """One line per group of equal findings, problems first, each group in the order its
    first finding came; a group of several ends with its count and its other places."""
    groups: dict[tuple, list[Finding]] = {}
    for f in findings:
        groups.setdefault(_key(f), []).append(f)
    ordered = sorted(groups.values(), key=lambda g: g[0].severity == "info")  # stable
    lines = []
    for group in ordered:
        first, rest = group[0], group[1:]
        line = str(first)
        if rest:
            same_file = all(f.path == first.path for f in rest)
            places = [str(f.line) if same_file else f"{f.path}:{f.line}"
                      for f in rest[:PLACES_SHOWN]]
            more = f" and {len(rest) - PLACES_SHOWN} more" if len(rest) > PLACES_SHOWN else ""
            where = "lines" if same_file else "at"
            line += f" [{len(group)} times; also {where} {', '.join(places)}{more}]"
        lines.append(line)
    return lines
