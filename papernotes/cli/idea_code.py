"""`papernotes idea code KEY ID`: a patch's starting file in repro/methods/, and the patch set to run it."""

from __future__ import annotations

from typing import Optional

import typer

from papernotes.cli.console import console, handles_errors, pick_note


@handles_errors
def command(
    key: str = typer.Argument(..., help="Note key."),
    patch_id: int = typer.Argument(..., metavar="ID", help="Patch id."),
    from_: Optional[str] = typer.Option(None, "--from", help="The method to subclass (default: the spec's)."),
    kind: Optional[str] = typer.Option(None, "--kind", help="loss, architecture, views or backbone: the hook "
                                       "to change (default: from the patch's kind, else loss)."),
) -> None:
    """Write the patch's starting file in repro/methods/ (a subclass of the note's method with the hook to
    change) and set the patch to run it; untouched, it gives the baseline's numbers."""
    from papernotes.core.workspace import find_workspace
    from papernotes.notes.patching import find_patch, set_patch
    from papernotes.notes.vault import load_note, update_note
    from papernotes.repro.experiment.starting_file import next_step, write_starting_file

    ws = find_workspace()
    key = pick_note(ws, key)
    note = load_note(ws, key).note
    patch = find_patch(note.ideas, patch_id)
    plan = write_starting_file(ws, note.key, patch, note.repro, kind, from_)
    try:
        path, _ = update_note(ws, key, lambda n: n.model_copy(
            update={"ideas": set_patch(n.ideas, patch_id, sets=[plan.assign])}))
    except BaseException:
        plan.path.unlink(missing_ok=True)  # nothing half-done: no file without its patch
        raise
    rel = plan.path.relative_to(ws.root).as_posix()
    say = lambda s: console.print(s, markup=False, highlight=False, soft_wrap=True)  # noqa: E731
    say(f"wrote {rel}: `{plan.name}`, a {plan.kind} patch starting from `{plan.base}` (untouched, it "
        f"changes nothing)")
    say(f"patch {patch_id} of {note.key} now runs --set {plan.assign} ({path.relative_to(ws.root).as_posix()})")
    say(f"edit the file, then: {next_step(note.key, patch)}")
