"""Changes to an idea log (the user's "patching" method), as pure functions.

Every function takes an `IdeaLog` and returns a new one; nothing is mutated. Ids are the next
free number (max + 1), so they stay stable when entries are added.

A patch's `point` must name a point that already exists: a patch changes one distilled point
of the paper, and a point without its text would say nothing. Add the point first
(`papernotes idea point KEY "TEXT"`), then patch it.

A patch's experiment (spec, profile, `FIELD=VALUE` changes, expectation) is checked for form
only (`patch_input.py`); the CLI types the changes against the spec (`papernotes.repro`, which
this layer never imports). Changing the experiment clears a verdict about the old one: the
numbers would describe a different experiment. The log as rows for `idea list`: `idea_listing.py`.
"""

from __future__ import annotations

from papernotes.core.errors import PapernotesError
from papernotes.notes.format.ideas_story import thread as thread_patches  # noqa: F401
from papernotes.notes.model.ideas_model import Expectation, IdeaLog, Patch, PatchKind, PatchStatus, Point, Verdict
from papernotes.notes.patch_input import expectation, merge_sets, one_line, parse_choice, profile_name, spec_name


def _ids(items) -> str:
    return ", ".join(str(i.id) for i in items) or "none yet"


def add_point(log: IdeaLog, text: str) -> tuple[IdeaLog, Point]:
    point = Point(id=max((p.id for p in log.points), default=0) + 1, text=one_line(text, "point"))
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
        text=one_line(text, "text"),
        point=point,
        kind=kind,
        hypothesis=hypothesis.strip(),
        cost=cost.strip(),
        story=story.strip(),
        repro=spec_name(repro),
        profile=profile_name(profile),
        sets=merge_sets((), sets),
        expect=expectation(expect),
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
        update["profile"] = profile_name(profile)
    if sets or unset:
        update["sets"] = merge_sets(old.sets, sets, unset)
    if expect is not None:
        update["expect"] = expectation(expect)
    if text is not None:
        update["text"] = one_line(text, "text")
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
                value = spec_name(value)
            update[name] = (value or None) if name in ("run_id", "repro") else value
    if not update:
        raise PapernotesError("nothing to change", field="id",
                              hint="pass at least one of --status, --result, --run-id, --repro, "
                                   "--hypothesis, --cost, --story, --point, --kind, --text, --profile, "
                                   "--set, --unset, --expect")
    new = Patch.model_validate({**old.model_dump(), **update})
    if old.verdict is not None and experiment_changed(old, new):
        # the verdict's numbers and the run they came from describe the old experiment too
        new = new.model_copy(update={"verdict": None,
                                     "result": new.result if result is not None else "",
                                     "run_id": new.run_id if run_id is not None else None})
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
                   run_id: str, result: str, profile: str | None = None) -> IdeaLog:
    """The outcome of `papernotes idea run`: status, numbers, the parent run and a one-line
    result; a patch that named no profile gets the one it ran with (its column is not left
    empty beside numbers that came from a profile)."""
    old = find_patch(log, patch_id)
    update = {"status": status, "verdict": verdict, "run_id": run_id, "result": result}
    if old.profile is None and profile:
        update["profile"] = profile
    return _replace(log, old.model_copy(update=update))


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
        name = one_line(name, "story")
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
