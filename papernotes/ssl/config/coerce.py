"""Typed values of the engine's config: plain values checked as (and converted to) declared types.

The one home of typed values: JSON/YAML values from config files and repro specs, and
command-line strings (`--set train.epochs=5`, `null` clears an optional field). Types are read
from the dataclasses' annotations (`Literal`, `X | None`, `tuple[X, ...]`, bool/int/float/str,
nested dataclasses); an error is a `ConfigError` naming the dotted field. Plain Python, torch-free.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from typing import Any, Literal

from papernotes.ssl.config.errors import ConfigError

_TRUE = {"true", "yes", "on", "1"}
_FALSE = {"false", "no", "off", "0"}
_NULL = {"null", "none", "~", ""}


def _from_text(text: str, tp: Any, path: str) -> Any:
    """A command-line string as the plain value a JSON file would hold for type `tp`."""
    low = text.strip().lower()
    if tp is bool:
        return True if low in _TRUE else False if low in _FALSE else text
    try:
        if tp is int:
            return int(text.strip())
        if tp is float:
            return float(text.strip())
    except ValueError:
        return text  # the type check below names the field and the value
    if typing.get_origin(tp) is tuple:  # "1.0,0.1" or "[1.0, 0.1]"
        inner = text.strip().removeprefix("[").removesuffix("]").strip()
        return [part.strip() for part in inner.split(",")] if inner else []
    return text


def coerce(value: Any, tp: Any, path: str, text: bool = False) -> Any:
    """`value` checked as (and converted to) the declared type `tp`; ConfigError names `path`.

    The one home of typed values: JSON/YAML values from config files and specs, and, with
    `text=True`, command-line strings (`--set train.epochs=5`, `null` clears an optional field)."""
    origin = typing.get_origin(tp)
    if tp is Any:
        return value
    if dataclasses.is_dataclass(tp):
        if text:
            raise ConfigError(path, "is a section; set one of its fields (e.g. train.epochs=10)")
        if not isinstance(value, dict):
            raise ConfigError(path, f"expected a mapping, got {type(value).__name__}")
        return build_dataclass(tp, value, path + ".")
    if origin is Literal:
        if value not in typing.get_args(tp):
            raise ConfigError(path, f"expected one of {list(typing.get_args(tp))}, got {value!r}")
        return value
    if origin in (typing.Union, types.UnionType):
        args = typing.get_args(tp)
        if type(None) in args and (value is None or (text and value.strip().lower() in _NULL)):
            return None
        errors = []
        for arg in args:
            if arg is type(None):
                continue
            try:
                return coerce(value, arg, path, text)
            except ConfigError as exc:
                errors.append(exc)
        raise errors[0]
    if text and isinstance(value, str):
        value = _from_text(value, tp, path)
    if origin is tuple:  # tuple[X, ...]: a list in JSON/YAML
        if not isinstance(value, (list, tuple)):
            raise ConfigError(path, f"expected a list, got {value!r}")
        (item,) = [a for a in typing.get_args(tp) if a is not Ellipsis]
        return tuple(coerce(v, item, f"{path}[{i}]", text) for i, v in enumerate(value))
    if tp is bool:
        if not isinstance(value, bool):
            raise ConfigError(path, f"expected true/false, got {value!r}")
        return value
    if tp is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(path, f"expected an integer, got {value!r}")
        return value
    if tp is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigError(path, f"expected a number, got {value!r}")
        return float(value)
    if tp is str:
        if not isinstance(value, str):
            raise ConfigError(path, f"expected a string, got {value!r}")
        return value
    raise ConfigError(path, f"unsupported type {tp!r}")


def build_dataclass(cls: type, data: dict, prefix: str) -> Any:
    """An instance of dataclass `cls` from a mapping of its fields, each value coerced to the
    field's type; an unknown field is a ConfigError naming `prefix` + the field."""
    hints = typing.get_type_hints(cls)
    names = {f.name for f in dataclasses.fields(cls)}
    unknown = sorted(set(data) - names)
    if unknown:
        raise ConfigError(f"{prefix}{unknown[0]}", f"unknown field (known: {', '.join(sorted(names))})")
    kwargs = {k: coerce(v, hints[k], f"{prefix}{k}") for k, v in data.items()}
    return cls(**kwargs)
