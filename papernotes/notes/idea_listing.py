"""An idea log as rows: the table of `papernotes idea list` and its `--json` records.

Read-only views of an `IdeaLog`; `patching.py` holds the changes to it.
"""

from __future__ import annotations

from dataclasses import dataclass

from papernotes.notes.format.ideas_story import effect
from papernotes.notes.model.ideas_model import IdeaLog, PatchStatus
from papernotes.notes.patch_input import parse_choice


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
    """The patches of note `key` (those with `status` when given), with their point's text."""
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
