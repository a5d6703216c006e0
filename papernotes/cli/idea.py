"""`papernotes idea add|point|list|set|run|story`: the idea-patching log of a note.

Each change rewrites only the note's `ideas` region (through `render_update`), atomically and
under the note's lock. A patch's experiment (`--set FIELD=VALUE`, `--repro`, `--profile`,
`--expect`) is checked against its spec like `repro --set` before anything is written.
"""

from __future__ import annotations

from typing import List, Optional

import typer

from papernotes.cli import idea_code, idea_run, idea_story
from papernotes.cli.console import console, handles_errors, pick_note
from papernotes.cli.tables import Column

app = typer.Typer(help="The idea-patching log: distil the paper's points, patch one, verify it.",
                  no_args_is_help=True)
app.command("run")(idea_run.command)
app.command("code")(idea_code.command)
app.command("story")(idea_story.command)

SET_HELP = "Change a config field in the patch's experiment (repeatable): --set aug.color_strength=0.25."
EXPECT_HELP = ('What the patch predicts: "METRIC >= +DELTA" (a rise of at least DELTA) or '
               '"METRIC <= -DELTA" (a fall, for costs such as time).')


def _edit(key: str, change, check=lambda old_log, result: False):
    """Run `change(log) -> (log, result)` on note `key`'s idea log and save; returns (path, result).
    When `check(old_log, result)` says so, the patch returned as result is first checked against
    its spec (`papernotes.repro`), so a wrong field or type writes nothing."""
    from papernotes.core.workspace import find_workspace
    from papernotes.notes.vault import update_note

    ws = find_workspace()
    out = {}

    def apply(note):
        log, out["result"] = change(note.ideas)
        if check(note.ideas, out["result"]):
            from papernotes.repro.experiment.plan import check_patch

            check_patch(ws, note.key, note.repro, out["result"])
        return note.model_copy(update={"ideas": log})

    path, _ = update_note(ws, pick_note(ws, key), apply)
    return path, out["result"]


@app.command("add")
@handles_errors
def add(
    key: str = typer.Argument(..., help="Note key, e.g. simclr."),
    text: str = typer.Argument(..., help="The idea: what to change."),
    point: Optional[int] = typer.Option(None, "--point", help="Id of the distilled point it patches."),
    kind: str = typer.Option("other", "--kind",
                             help="augmentation, architecture, loss, speed, scale or other."),
    hypothesis: str = typer.Option("", "--hypothesis", help="What you expect to happen."),
    cost: str = typer.Option("", "--cost", help="Estimated cost, e.g. '~2 GPU-days'."),
    story: str = typer.Option("", "--story", help="Story thread this patch belongs to."),
    repro: Optional[str] = typer.Option(None, "--repro", help="Repro spec the experiment runs."),
    profile: Optional[str] = typer.Option(None, "--profile", help="Profile of that spec."),
    set_: List[str] = typer.Option([], "--set", help=SET_HELP),
    expect: Optional[str] = typer.Option(None, "--expect", help=EXPECT_HELP),
) -> None:
    """Add a patch (an idea) to a note's idea log."""
    from papernotes.notes.patching import add_patch

    experiment = bool(repro or profile or set_ or expect)
    path, patch = _edit(key, lambda log: add_patch(log, text, point=point, kind=kind,
                                                   hypothesis=hypothesis, cost=cost, story=story,
                                                   repro=repro, profile=profile, sets=set_,
                                                   expect=expect),
                        check=lambda old, patch: experiment)
    console.print(f"patch {patch.id} added to {path}", markup=False, highlight=False,
                  soft_wrap=True)


@app.command("point")
@handles_errors
def point(
    key: str = typer.Argument(..., help="Note key."),
    text: str = typer.Argument(..., help="A distilled point of the paper."),
) -> None:
    """Add a distilled point of the paper (something a patch can change)."""
    from papernotes.notes.patching import add_point

    path, pt = _edit(key, lambda log: add_point(log, text))
    console.print(f"point {pt.id} added to {path}", markup=False, highlight=False,
                  soft_wrap=True)


@app.command("set")
@handles_errors
def set_(
    key: str = typer.Argument(..., help="Note key."),
    patch_id: int = typer.Argument(..., metavar="ID", help="Patch id."),
    status: Optional[str] = typer.Option(
        None, "--status", help="idea, planned, running, verified, refuted or dropped."),
    result: Optional[str] = typer.Option(None, "--result", help="What the experiment showed."),
    run_id: Optional[str] = typer.Option(None, "--run-id", help="MLflow run that verifies it."),
    repro: Optional[str] = typer.Option(None, "--repro", help="Repro spec name in repro/."),
    hypothesis: Optional[str] = typer.Option(None, "--hypothesis", help="What you expect to happen."),
    cost: Optional[str] = typer.Option(None, "--cost", help="Estimated cost, e.g. '~2 GPU-days'."),
    story: Optional[str] = typer.Option(None, "--story", help="Story thread it belongs to."),
    point: Optional[int] = typer.Option(None, "--point", help="Id of the distilled point it patches."),
    kind: Optional[str] = typer.Option(
        None, "--kind", help="augmentation, architecture, loss, speed, scale or other."),
    text: Optional[str] = typer.Option(None, "--text", help="New wording of the idea itself."),
    profile: Optional[str] = typer.Option(None, "--profile", help="Profile of the repro spec."),
    set_: List[str] = typer.Option([], "--set", help=SET_HELP + " Replaces that field's value."),
    unset: List[str] = typer.Option([], "--unset", help="Drop a field from the experiment: --unset aug.blur."),
    expect: Optional[str] = typer.Option(None, "--expect", help=EXPECT_HELP + ' "" clears it.'),
) -> None:
    """Change any field of a patch: status, result, run, spec, hypothesis, cost, story, ..."""
    from papernotes.notes.patching import experiment_changed, find_patch, set_patch

    fields = {"text": text, "kind": kind, "point": point, "status": status,
              "hypothesis": hypothesis, "cost": cost, "result": result, "run_id": run_id,
              "repro": repro, "story": story, "profile": profile, "expect": expect}
    out = {}

    def change(log):
        new = set_patch(log, patch_id, **fields, sets=set_, unset=unset)
        old, patch = find_patch(log, patch_id), find_patch(new, patch_id)
        out["cleared"] = old.verdict is not None and patch.verdict is None
        return new, patch

    path, patch = _edit(key, change,
                        check=lambda old, patch: experiment_changed(find_patch(old, patch_id), patch))
    names = [name.replace("_", " ") for name, value in fields.items() if value is not None]
    names += ["set"] * bool(set_) + ["unset"] * bool(unset)
    cleared = "; verdict cleared: the experiment changed" if out["cleared"] else ""
    console.print(f"patch {patch.id} ({', '.join(names)} changed) is {patch.status.value} in {path}"
                  f"{cleared}", highlight=False, soft_wrap=True)


@app.command("list")
@handles_errors
def list_(
    key: Optional[str] = typer.Argument(None, help="Note key (default: every note in the vault)."),
    status: Optional[str] = typer.Option(None, "--status", help="Only patches with this status."),
    as_json: bool = typer.Option(False, "--json", help="Every field of every patch, verdict "
                                 "numbers included, as JSON (for scripts)."),
) -> None:
    """List patches of one note, or of the whole vault."""
    from papernotes.cli.listing import skipped_notes_warning
    from papernotes.cli.tables import fit_table, hidden_note
    from papernotes.core.workspace import find_workspace
    from papernotes.notes.idea_listing import idea_rows, patch_records
    from papernotes.notes.model.ideas_model import PatchStatus
    from papernotes.notes.patch_input import parse_choice
    from papernotes.notes.vault import load_all, load_note

    ws = find_workspace()
    wanted = parse_choice(PatchStatus, status, "status") if status else None
    if key:
        parsed = [load_note(ws, pick_note(ws, key))]
    else:
        parsed, problems = load_all(ws)
        skipped_notes_warning(problems)  # on stderr: --json output stays parseable
    if as_json:
        import json

        records = [r for p in parsed for r in patch_records(p.note.key, p.note.ideas)
                   if wanted is None or r["status"] == wanted.value]
        add_verdict_runs(records, ws)
        typer.echo(json.dumps(records, ensure_ascii=False, indent=2))
        return
    rows = [r for p in parsed for r in idea_rows(p.note.key, p.note.ideas, status=wanted)]
    if not rows:
        console.print("no patches" + (f" with status {wanted.value}" if wanted else ""))
        return
    cells = [[r.key, str(r.id), r.point, r.kind, r.status, r.text, r.hypothesis, r.expect,
              r.effect, r.result, r.run_id] for r in rows]
    columns = IDEA_COLUMNS[1:] if key else IDEA_COLUMNS  # one note: its name is said once
    table, hidden = fit_table(columns, [c[1:] for c in cells] if key else cells, console.width)
    if key:
        console.print(f"note {parsed[0].note.key}", markup=False, highlight=False, soft_wrap=True)
    console.print(table)
    if hidden:
        console.print(hidden_note(hidden, "a wider terminal or --json shows them"), markup=False,
                      highlight=False, soft_wrap=True)


def add_verdict_runs(records: list[dict], ws) -> None:
    """Each verdict's full-precision numbers and arm run ids from its parent MLflow run (the
    note keeps them rounded, and no arm ids): `verdict.exact` and `verdict.runs`."""
    import os
    import re

    verdicts = [r["verdict"] for r in records if isinstance(r.get("verdict"), dict)]
    if not verdicts:
        return
    from papernotes.repro.tracking.client import resolve_tracking_uri
    from papernotes.repro.tracking.runs import verdict_runs

    uri = resolve_tracking_uri(None, os.environ, ws.tracking_uri)
    for verdict in verdicts:
        found = re.search(r"/runs/([0-9a-f]{32})\b", verdict.get("link") or "")
        details = verdict_runs(uri, found.group(1)) if found else None
        if details is not None:
            verdict["parent_run_id"] = details["parent_run_id"]
            verdict["exact"] = details["numbers"]
            verdict["runs"] = details["arms"]


# Narrow terminals lose the columns of least value first (`cli/tables.py`).
IDEA_COLUMNS = [Column("note", 8), Column("id", 10, "right"), Column("point", 4),
                Column("kind", 3), Column("status", 9), Column("idea", 10),
                Column("hypothesis", 5), Column("expect", 6), Column("effect", 7),
                Column("result", 2), Column("run", 1)]
