"""`--set a.b=value`: command-line overrides typed by the engine's config dataclasses.

`train.epochs=5` becomes {"train": {"epochs": 5}}; the value is parsed by the field's declared
type (int, float, bool, str, Literal, `X | None`), so `--set train.max_steps=null` clears a field
and `--set train.epochs=five` is a one-line error naming the field.
"""

from __future__ import annotations

import dataclasses
import typing
from typing import Any

from papernotes.core.errors import PapernotesError
from papernotes.ssl.config import ConfigError, coerce, config_sections, section_type


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
    return cls


def parse_value(text: str, tp: Any, path: str) -> Any:
    """`text` as a value of type `tp` (the engine's own typing rules), or a one-line error."""
    try:
        return coerce(text, tp, path, text=True)
    except ConfigError as exc:
        exc.hint = "from --set"
        raise


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
