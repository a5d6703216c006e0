"""Changes to an idea log (the user's "patching" method), as pure functions.

Every function takes an `IdeaLog` and returns a new one; nothing is mutated. Ids are the next
free number (max + 1), so they stay stable when entries are added.

A patch's `point` must name a point that already exists: a patch changes one distilled point
of the paper, and a point without its text would say nothing. Add the point first
(`papernotes idea point KEY "TEXT"`), then patch it.

A patch's experiment (spec, profile, `FIELD=VALUE` changes, expectation) is checked here for
form only; the CLI types the changes against the spec (`papernotes.repro`, which this layer
never imports). Changing the experiment clears a verdict about the old one: the numbers would
describe a different experiment.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import TypeVar

from papernotes.errors import PapernotesError
from papernotes.notes.format.ideas_story import effect  # noqa: F401
from papernotes.notes.format.ideas_story import thread as thread_patches  # noqa: F401
from papernotes.notes.model.ideas_model import (
    Expectation,
    IdeaLog,
    Patch,
    PatchKind,
    PatchStatus,
    Point,
    Verdict,
    parse_expectation,
    split_assignment,
)

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


def _profile(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    value = _text(value, "profile")
    if any(c.isspace() for c in value):
        raise PapernotesError(f"a profile name has no spaces, got {value!r}", field="profile")
    return value


def _expectation(value: str | Expectation | None) -> Expectation | None:
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
    profile: str | None = None,
    sets: list[str] | tuple[str, ...] = (),
    expect: str | Expectation | None = None,
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
        profile=_profile(profile),
        sets=merge_sets((), sets),
        expect=_expectation(expect),
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
    profile: str | None = None,
    sets: list[str] | tuple[str, ...] = (),
    unset: list[str] | tuple[str, ...] = (),
    expect: str | Expectation | None = None,
) -> IdeaLog:
    """Patch `patch_id` with the given fields changed (None or empty = keep; "" clears a text
    field). `sets` replace the assignments of their fields, `unset` removes fields."""
    old = find_patch(log, patch_id)
    update: dict = {}
    if profile is not None:
        update["profile"] = _profile(profile)
    if sets or unset:
        update["sets"] = merge_sets(old.sets, sets, unset)
    if expect is not None:
        update["expect"] = _expectation(expect)
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
                                   "--hypothesis, --cost, --story, --point, --kind, --text, --profile, "
                                   "--set, --unset, --expect")
    new = Patch.model_validate({**old.model_dump(), **update})
    if old.verdict is not None and experiment_changed(old, new):
        new = new.model_copy(update={"verdict": None})
        if status is None and old.status in VERDICTS:
            new = new.model_copy(update={"status": PatchStatus.planned})
    return _replace(log, new)


VERDICTS = (PatchStatus.verified, PatchStatus.refuted, PatchStatus.inconclusive)


def experiment_changed(old: Patch, new: Patch) -> bool:
    """Whether the experiment itself (spec, profile, changes, prediction) differs."""
    return any(getattr(old, f) != getattr(new, f) for f in ("repro", "profile", "sets", "expect"))


def _replace(log: IdeaLog, new: Patch) -> IdeaLog:
    return log.model_copy(update={"patches": [new if p.id == new.id else p for p in log.patches]})


def record_verdict(log: IdeaLog, patch_id: int, *, status: PatchStatus, verdict: Verdict,
                   run_id: str, result: str) -> IdeaLog:
    """The outcome of `papernotes idea run`: status, numbers, the parent run and a one-line result."""
    old = find_patch(log, patch_id)
    return _replace(log, old.model_copy(update={"status": status, "verdict": verdict,
                                                "run_id": run_id, "result": result}))


def show_story(log: IdeaLog, name: str | None = None, *, remove: bool = False) -> tuple[IdeaLog, list[str]]:
    """Render story thread `name` in the region (every thread when None), or stop rendering it;
    returns the new log and the threads concerned."""
    threads = list(dict.fromkeys(p.story for p in log.patches if p.story))
    if name is None:
        if remove:
            return log.model_copy(update={"stories": []}), list(log.stories)
        if not threads:
            raise PapernotesError("no patch belongs to a story thread", field="story",
                                  hint="give patches one with `papernotes idea set KEY ID --story NAME`")
        wanted = threads
    else:
        name = _text(name, "story")
        if remove:
            if name not in log.stories:
                raise PapernotesError(f"the note does not show the thread {name!r}", field="story",
                                      hint=f"it shows: {', '.join(log.stories) or 'none'}")
            return log.model_copy(update={"stories": [s for s in log.stories if s != name]}), [name]
        if name not in threads:
            raise PapernotesError(f"no patch belongs to the thread {name!r}", field="story",
                                  hint=f"threads: {', '.join(threads) or 'none yet'}")
        wanted = [name]
    stories = list(log.stories) + [s for s in wanted if s not in log.stories]
    return log.model_copy(update={"stories": stories}), wanted


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
    expect: str = ""
    effect: str = ""  # the verdict's difference and interval on the expected metric


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
                            p.result, p.run_id or "", p.story, str(p.expect or ""), effect(p)))
    return rows


def patch_records(key: str, log: IdeaLog) -> list[dict]:
    """Every field of every patch as plain JSON values (`papernotes idea list --json`), with the
    note key and the text of the point it patches."""
    points = {p.id: p.text for p in log.points}
    out = []
    for p in log.patches:
        record = {"note": key, **p.model_dump(mode="json"),
                  "point_text": points.get(p.point, "") if p.point else ""}
        if p.expect is not None:
            record["expect"] = {**record["expect"], "text": str(p.expect)}
        out.append(record)
    return out
