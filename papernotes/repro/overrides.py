"""`--set a.b=value`: command-line overrides typed by the engine's config dataclasses.

`train.epochs=5` becomes {"train": {"epochs": 5}}; the value is parsed by the field's declared
type (int, float, bool, str, Literal, `X | None`), so `--set train.max_steps=null` clears a field
and `--set train.epochs=five` is a one-line error naming the field.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from typing import Any, Literal

from papernotes.errors import PapernotesError
from papernotes.ssl.config import config_sections, section_type

_TRUE = {"true", "yes", "on", "1"}
_FALSE = {"false", "no", "off", "0"}
_NULL = {"null", "none", "~", ""}


def field_type(path: str) -> Any:
    """The declared type of a dotted config field; unknown paths are an error naming them."""
    parts = path.split(".")
    try:
        cls: Any = section_type(parts[0])
    except KeyError:
        raise PapernotesError("unknown field", field=path,
                              hint=f"known here: {', '.join(config_sections())}") from None
    for i, part in enumerate(parts[1:], start=1):
        if not dataclasses.is_dataclass(cls):
            raise PapernotesError(f"{'.'.join(parts[:i])} has no sub-fields", field=path,
                                  hint="from --set")
        hints = typing.get_type_hints(cls)
        if part not in hints:
            known = ", ".join(f.name for f in dataclasses.fields(cls))
            raise PapernotesError("unknown field", field=path, hint=f"known here: {known}")
        cls = hints[part]
    if dataclasses.is_dataclass(cls):
        raise PapernotesError("is a section; set one of its fields", field=path,
                              hint="e.g. train.epochs=10")
    return cls


def parse_value(text: str, tp: Any, path: str) -> Any:
    """`text` as a value of type `tp`, or a one-line error."""
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        args = typing.get_args(tp)
        if type(None) in args and text.strip().lower() in _NULL:
            return None
        errors = []
        for arg in args:
            if arg is type(None):
                continue
            try:
                return parse_value(text, arg, path)
            except PapernotesError as exc:
                errors.append(exc)
        raise errors[0]
    if origin is Literal:
        choices = typing.get_args(tp)
        if text in choices:
            return text
        raise PapernotesError(f"expected one of {list(choices)}, got {text!r}", field=path,
                              hint="from --set")
    if origin is tuple:  # tuple[X, ...]: comma-separated, brackets optional ("1.0,0.1", "[1.0, 0.1]")
        (item,) = [a for a in typing.get_args(tp) if a is not Ellipsis]
        inner = text.strip().removeprefix("[").removesuffix("]").strip()
        return tuple(parse_value(part, item, path) for part in inner.split(",")) if inner else ()
    low = text.strip().lower()
    try:
        if tp is bool:
            if low in _TRUE:
                return True
            if low in _FALSE:
                return False
            raise ValueError
        if tp is int:
            return int(text.strip())
        if tp is float:
            return float(text.strip())
    except ValueError:
        kind = {bool: "true/false", int: "an integer", float: "a number"}[tp]
        raise PapernotesError(f"expected {kind}, got {text!r}", field=path,
                              hint="from --set") from None
    if tp is str:
        return text
    raise PapernotesError(f"cannot set a field of type {tp!r}", field=path)


def parse_overrides(assignments: list[str] | tuple[str, ...]) -> dict:
    """Nested dict of typed values from `a.b=value` strings (later ones win)."""
    out: dict = {}
    for item in assignments:
        if "=" not in item:
            raise PapernotesError(f"expected FIELD=VALUE, got {item!r}", field="--set",
                                  hint="e.g. --set train.epochs=10")
        path, text = item.split("=", 1)
        path = path.strip()
        value = parse_value(text, field_type(path), path)
        node = out
        parts = path.split(".")
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    return out
