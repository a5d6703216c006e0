"""The model's validation errors in the user's words: every problem of a note, each at its own
line, named as the user sees the field (`year` in the properties, `年份` in the metadata table,
not `meta.year`) with the value that was wrong.

    notes/a.md:5: status: 'finished' is not a reading status (use unread, skimmed, reading or read-carefully)
    notes/a.md:6: rating: 7 is more than 5
    notes/a.md:9: year: 20200 is more than 2100
"""

from __future__ import annotations

from typing import Any, Callable

from pydantic import ValidationError

from papernotes.core.errors import PapernotesError
from papernotes.notes.format.properties import PROPERTY_FIELDS
from papernotes.notes.format.section_labels import field_label

_PROPERTY_OF = {dotted: prop for prop, dotted in PROPERTY_FIELDS.items()}
_DATE_TYPES = ("date_from_datetime_parsing", "date_parsing", "date_type",
               "date_from_datetime_inexact")


def _what(err: dict) -> tuple[str, str | None]:
    """(message, hint) for one pydantic error."""
    kind, value, ctx = err["type"], err.get("input"), err.get("ctx") or {}
    shown = repr(value)
    if kind == "enum":
        choices = ctx.get("expected", "").replace("'", "").replace(" or ", ", ")
        what = "a reading status" if err["loc"][-1] == "status" else "one of the choices"
        return f"{shown} is not {what}", f"use {choices}" if choices else None
    if kind in ("less_than_equal", "less_than"):  # a number, even when read from the body's text
        return f"{value} is more than {ctx.get('le', ctx.get('lt'))}", None
    if kind in ("greater_than_equal", "greater_than"):
        return f"{value} is less than {ctx.get('ge', ctx.get('gt'))}", None
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return f"{shown} is not a whole number", None
    if kind in _DATE_TYPES:
        return f"{shown} is not a date", "write it as YYYY-MM-DD"
    if kind in ("list_type",):
        return f"{shown} should be a list", "one `- item` per line"
    if kind in ("string_type",):
        return f"{shown} should be text", None
    if kind == "value_error":
        return err["msg"].removeprefix("Value error, "), None
    return f"{err['msg']} (found {shown})", None


def _field(dotted: str, where: Any, lang: str) -> str:
    """How the user sees the field: the property name if the value came from the properties,
    else the note's label for it, else the field's own name."""
    name = dotted.rsplit(".", 1)[-1]
    prop = _PROPERTY_OF.get(dotted)
    if prop is not None and (callable(where) or where is None):
        return prop
    return field_label(name, lang) or prop or dotted


def model_problems(exc: ValidationError, *, path, line_of: Callable[[str], int | None],
                   where_of: Callable[[str], Any], lang: str) -> list[PapernotesError]:
    """One located error per problem pydantic found, in the user's words."""
    out = []
    for err in exc.errors():
        dotted = ".".join(str(p) for p in err["loc"] if not isinstance(p, int))
        message, hint = _what(err)
        out.append(PapernotesError(message, path=path, line=line_of(dotted),
                                   field=_field(dotted, where_of(dotted), lang), hint=hint))
    return out
