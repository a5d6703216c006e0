"""Changes to an idea log (the user's "patching" method), as pure functions.

Every function takes an `IdeaLog` and returns a new one; nothing is mutated. Ids are the next
free number (max + 1), so they stay stable when entries are added.

A patch's `point` must name a point that already exists: a patch changes one distilled point
of the paper, and a point without its text would say nothing. Add the point first
(`papernotes idea point KEY "TEXT"`), then patch it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import TypeVar

from papernotes.errors import PapernotesError
from papernotes.notes.model.ideas_model import IdeaLog, Patch, PatchKind, PatchStatus, Point

E = TypeVar("E", bound=Enum)


def parse_choice(enum: type[E], value: str, field: str) -> E:
    """`value` as a member of `enum`; a one-line error listing the choices."""
    try:
        return enum(value.strip().lower())
    except ValueError:
        choices = ", ".join(m.value for m in enum)
        raise PapernotesError(f"unknown {field} {value!r}", field=field,
                              hint=f"choose one of: {choices}") from None


def _text(value: str, field: str) -> str:
    value = value.strip()
    if not value:
        raise PapernotesError("must not be empty", field=field)
    if "\n" in value or "\r" in value:
        raise PapernotesError("must be one line", field=field)
    return value


def _spec_name(value: str | None) -> str | None:
    """A repro spec name is a file stem in repro/, checked like a note key."""
    from papernotes.notes.model.schema import check_key

    if value is None or not value.strip():
        return None
    try:
        return check_key(value.strip())
    except ValueError as exc:
        raise PapernotesError(str(exc).replace("note key", "repro spec name"), field="repro") from None


def _ids(items) -> str:
    return ", ".join(str(i.id) for i in items) or "none yet"


def add_point(log: IdeaLog, text: str) -> tuple[IdeaLog, Point]:
    point = Point(id=max((p.id for p in log.points), default=0) + 1, text=_text(text, "point"))
    return log.model_copy(update={"points": [*log.points, point]}), point


def _check_point(log: IdeaLog, point: int | None) -> None:
    if point is not None and all(p.id != point for p in log.points):
        raise PapernotesError(f"no point {point} in the idea log (points: {_ids(log.points)})",
                              field="point", hint='add it first with `papernotes idea point KEY "TEXT"`')


def add_patch(
    log: IdeaLog,
    text: str,
    *,
    point: int | None = None,
    kind: PatchKind | str = PatchKind.other,
    hypothesis: str = "",
    cost: str = "",
    story: str = "",
    repro: str | None = None,
) -> tuple[IdeaLog, Patch]:
    """A new patch (status `idea`) with the next id."""
    _check_point(log, point)
    if isinstance(kind, str) and not isinstance(kind, PatchKind):
        kind = parse_choice(PatchKind, kind, "kind")
    patch = Patch(
        id=max((p.id for p in log.patches), default=0) + 1,
        text=_text(text, "text"),
        point=point,
        kind=kind,
        hypothesis=hypothesis.strip(),
        cost=cost.strip(),
        story=story.strip(),
        repro=_spec_name(repro),
    )
    return log.model_copy(update={"patches": [*log.patches, patch]}), patch


def find_patch(log: IdeaLog, patch_id: int) -> Patch:
    for patch in log.patches:
        if patch.id == patch_id:
            return patch
    raise PapernotesError(f"no patch {patch_id} (patches: {_ids(log.patches)})", field="id")


def set_patch(
    log: IdeaLog,
    patch_id: int,
    *,
    status: PatchStatus | str | None = None,
    result: str | None = None,
    run_id: str | None = None,
    repro: str | None = None,
    hypothesis: str | None = None,
    cost: str | None = None,
    story: str | None = None,
    point: int | None = None,
    kind: PatchKind | str | None = None,
    text: str | None = None,
) -> IdeaLog:
    """Patch `patch_id` with the given fields changed (None = keep)."""
    old = find_patch(log, patch_id)
    update: dict = {}
    if text is not None:
        update["text"] = _text(text, "text")
    if kind is not None:
        update["kind"] = kind if isinstance(kind, PatchKind) else parse_choice(PatchKind, kind, "kind")
    if status is not None:
        update["status"] = (status if isinstance(status, PatchStatus)
                            else parse_choice(PatchStatus, status, "status"))
    if point is not None:
        _check_point(log, point)
        update["point"] = point
    for name, value in (("result", result), ("run_id", run_id), ("repro", repro),
                        ("hypothesis", hypothesis), ("cost", cost), ("story", story)):
        if value is not None:
            value = value.strip()
            if name == "repro":
                value = _spec_name(value)
            update[name] = (value or None) if name in ("run_id", "repro") else value
    if not update:
        raise PapernotesError("nothing to change", field="id",
                              hint="pass at least one of --status, --result, --run-id, --repro, "
                                   "--hypothesis, --cost, --story, --point, --kind, --text")
    new = Patch.model_validate({**old.model_dump(), **update})
    patches = [new if p.id == patch_id else p for p in log.patches]
    return log.model_copy(update={"patches": patches})


@dataclass(frozen=True)
class IdeaRow:
    """One patch as a row of `papernotes idea list` (across the vault or one note)."""

    key: str
    id: int
    point: str  # "2. masking more patches" or ""
    kind: str
    status: str
    text: str
    hypothesis: str
    result: str
    run_id: str
    story: str


def idea_rows(key: str, log: IdeaLog, *, status: PatchStatus | str | None = None) -> list[IdeaRow]:
    if isinstance(status, str) and not isinstance(status, PatchStatus):
        status = parse_choice(PatchStatus, status, "status")
    points = {p.id: p.text for p in log.points}
    rows = []
    for p in log.patches:
        if status is not None and p.status != status:
            continue
        point = f"{p.point}. {points.get(p.point, '')}".strip() if p.point else ""
        rows.append(IdeaRow(key, p.id, point, p.kind.value, p.status.value, p.text, p.hypothesis,
                            p.result, p.run_id or "", p.story))
    return rows
