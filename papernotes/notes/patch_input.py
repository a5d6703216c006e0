"""The user's input for an idea log, checked for form: a one-line error naming the field.

Choices of an enum (`--kind`, `--status`), one-line texts, repro spec and profile names, an
expectation (`eval/linear_top1 >= +1`) and `--set FIELD=VALUE` assignments. Their meaning is
checked elsewhere: the CLI types the assignments against the spec (`papernotes.repro`, which the
notes layer never imports).
"""

from __future__ import annotations

from enum import Enum
from typing import TypeVar

from papernotes.core.errors import PapernotesError
from papernotes.notes.model.ideas_model import Expectation, parse_expectation, split_assignment

E = TypeVar("E", bound=Enum)


def parse_choice(enum: type[E], value: str, field: str) -> E:
    """`value` as a member of `enum`; a one-line error listing the choices."""
    try:
        return enum(value.strip().lower())
    except ValueError:
        choices = ", ".join(m.value for m in enum)
        raise PapernotesError(f"unknown {field} {value!r}", field=field,
                              hint=f"choose one of: {choices}") from None


def one_line(value: str, field: str) -> str:
    """`value` stripped; it must be one non-empty line."""
    value = value.strip()
    if not value:
        raise PapernotesError("must not be empty", field=field)
    if "\n" in value or "\r" in value:
        raise PapernotesError("must be one line", field=field)
    return value


def spec_name(value: str | None) -> str | None:
    """A repro spec name is a file stem in repro/, checked like a note key."""
    from papernotes.notes.model.schema import check_key

    if value is None or not value.strip():
        return None
    try:
        return check_key(value.strip())
    except ValueError as exc:
        raise PapernotesError(str(exc).replace("note key", "repro spec name"), field="repro") from None


def profile_name(value: str | None) -> str | None:
    """A profile name of the spec (checked against the spec by the CLI): one word, or None."""
    if value is None or not value.strip():
        return None
    value = one_line(value, "profile")
    if any(c.isspace() for c in value):
        raise PapernotesError(f"a profile name has no spaces, got {value!r}", field="profile")
    return value


def expectation(value: str | Expectation | None) -> Expectation | None:
    """`--expect "METRIC >= +1"` as an `Expectation` (None or empty: none)."""
    if value is None or isinstance(value, Expectation):
        return value
    if not value.strip():
        return None
    try:
        return parse_expectation(value)
    except ValueError as exc:
        raise PapernotesError(str(exc), field="expect",
                              hint='e.g. --expect "eval/linear_top1 >= +1"') from None


def merge_sets(old: tuple[str, ...], new: list[str] | tuple[str, ...] = (),
               unset: list[str] | tuple[str, ...] = ()) -> tuple[str, ...]:
    """`old` with each of `new` replacing the assignment of its field (or appended), and the
    fields in `unset` removed; a malformed assignment is a one-line error naming it."""
    out: dict[str, str] = {}
    for item in (*old, *new):
        try:
            field, _ = split_assignment(item)
        except ValueError as exc:
            raise PapernotesError(str(exc), field="--set", hint="e.g. --set aug.color_strength=0.25") from None
        out.pop(field, None)
        out[field] = item.strip()
    for field in unset:
        if out.pop(field.strip(), None) is None:
            raise PapernotesError(f"the patch does not set {field!r}", field="--unset",
                                  hint=f"it sets: {', '.join(out) or 'nothing'}")
    return tuple(out.values())
