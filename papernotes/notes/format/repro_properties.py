"""The flat properties `papernotes repro` owns in a note's frontmatter, for Obsidian's Bases.

Bases (notes/papers.base) read only flat properties, so beside the `repro` region's table a run
writes its headline into these (and `validate` checks their types):

    paper_top1      number   the paper's linear top-1 (%), from the spec's `expected`
    repro_top1      number   ours: the linear top-1 (%) of the row just written (the mean over seeds)
    repro_ci95      number   half the width of its 95% t interval; empty for one seed
    repro_n         integer  seeds behind repro_top1
    repro_protocol  text     our protocol in one line (data, backbone, epochs, batch, evaluation)
    repro_run       text     the MLflow run (the seeds' parent) as a link

They are the tools' own: a run rewrites them with the region's row, so the two stay in step;
`new --force` and every other write keep them like any property the user added.
"""

from __future__ import annotations

from typing import Any, Callable

from papernotes.core.errors import PapernotesError

NUMBER, INTEGER, TEXT = "number", "integer", "text"
OWNED: dict[str, str] = {"paper_top1": NUMBER, "repro_top1": NUMBER, "repro_ci95": NUMBER,
                         "repro_n": INTEGER, "repro_protocol": TEXT, "repro_run": TEXT}

# What Obsidian's .obsidian/types.json should call them (and the template's own numbers and
# dates), so Bases sorts numbers as numbers.
OBSIDIAN_TYPES: dict[str, str] = {**{k: "number" for k, t in OWNED.items() if t != TEXT},
                                  "rating": "number", "year": "number", "date": "date"}


def _problem(key: str, value: Any) -> str | None:
    kind = OWNED[key]
    if value is None or value == "":
        return None
    if kind == TEXT:
        return None if isinstance(value, (str, int, float)) and not isinstance(value, bool) else \
            "must be text"
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return f"must be a {'whole number' if kind == INTEGER else 'number'}, not {value!r}"
    if kind == INTEGER and (not isinstance(value, int) or value < 1):
        return f"must be a whole number of seeds (1 or more), not {value!r}"
    if key == "repro_ci95" and value < 0:
        return f"is half an interval's width: not negative ({value!r})"
    return None


def property_problems(values: dict, line_of: Callable[[str], int | None], path=None) -> list[PapernotesError]:
    """Each owned property whose value has the wrong type, located."""
    out = []
    for key in OWNED:
        if key in values:
            message = _problem(key, values[key])
            if message:
                out.append(PapernotesError(message, path=path, line=line_of(key), field=key,
                                           hint="papernotes repro writes it; delete the line to "
                                           "have the next run write it again"))
    return out


def set_owned(text: str, values: dict[str, Any], *, path=None) -> str:
    """`text` with the owned properties set to `values` (keys of OWNED; None empties one); the
    other properties and the body kept byte for byte. A note without properties is left as it
    is (papernotes' notes always have them; a hand-made page gets none forced on it)."""
    from papernotes.notes.format.frontmatter import split_frontmatter, update_frontmatter

    unknown = set(values) - set(OWNED)
    if unknown:
        raise ValueError(f"not owned: {sorted(unknown)}")
    fm = split_frontmatter(text, path=path)
    if fm is None:
        return text
    old = dict(fm.values)
    new = {k: v for k, v in values.items() if not (v is None and k not in old)}
    return update_frontmatter(text, {k: old.get(k) for k in new}, new, path=path)
