"""`papernotes idea run KEY ID`: the patch against its baseline over N seeds, and its verdict."""

from __future__ import annotations

from typing import List, Optional

import typer

from papernotes.cli.console import console, handles_errors, stdout_is_terminal, stop_on_signals
from papernotes.core.words import count


@handles_errors
def command(
    key: str = typer.Argument(..., help="Note key."),
    patch_id: int = typer.Argument(..., metavar="ID", help="Patch id."),
    seeds: int = typer.Option(3, "--seeds", help="Seeds per arm (paired: baseline and patch share each)."),
    profile: Optional[str] = typer.Option(None, "--profile", "-p",
                                          help="Profile of the spec (default: the patch's, else the spec's)."),
    set_: List[str] = typer.Option([], "--set", help="Override a field in BOTH arms, e.g. a shorter "
                                   "schedule for a quick look: --set train.epochs=4."),
    device: Optional[str] = typer.Option(None, "--device", help="cpu or cuda."),
    gpus: Optional[int] = typer.Option(None, "--gpus", help="GPUs per arm (one rank each)."),
    nproc_per_node: Optional[int] = typer.Option(None, "--nproc-per-node", help="Ranks per arm."),
    parallel: Optional[int] = typer.Option(None, "--parallel", help="Arms at once, each on its own "
                                           "cores or GPUs (default: as many as fit, a core or the "
                                           "--gpus each)."),
    dry_run: bool = typer.Option(False, "--dry-run", help="List which runs would be reused and which started."),
    no_reuse: bool = typer.Option(False, "--no-reuse", help="Train every arm again (after an engine change)."),
    tracking_uri: Optional[str] = typer.Option(None, "--tracking-uri", help="MLflow tracking URI."),
) -> None:
    """Run a patch against its baseline over N seeds and write its verdict in the note. Finished arms with the same config are reused; after Ctrl-C the same command continues."""
    from papernotes.core.errors import PapernotesError
    from papernotes.notes.format.ideas_story import mean_sd
    from papernotes.repro.experiment.idea_run import run_idea
    from papernotes.repro.experiment.plan import ExperimentOptions

    if device not in (None, "cpu", "cuda"):
        raise PapernotesError(f"unknown device {device!r}", field="--device", hint="cpu or cuda")
    stop_on_signals()  # SIGINT and SIGTERM: a clean stop, in the background too
    opts = ExperimentOptions(key=key, patch_id=patch_id, seeds=seeds, profile=profile,
                             overrides=tuple(set_), device=device, gpus=gpus,
                             nproc_per_node=nproc_per_node, parallel=parallel, dry_run=dry_run,
                             reuse=not no_reuse, tracking_uri=tracking_uri,
                             terminal=stdout_is_terminal())
    say = lambda s: console.print(s, markup=False, highlight=False, soft_wrap=True)  # noqa: E731
    result = run_idea(opts, echo=say)
    if result.status == "dry-run":
        return
    v = result.verdict
    say(f"{key}#{patch_id}: {result.status.upper()}  difference {v.diff_mean:+.2f} "
        f"[{v.ci_low:+.2f}, {v.ci_high:+.2f}] over {v.n} seeds; baseline "
        f"{mean_sd(v.baseline_mean, v.baseline_sd)}, patch {mean_sd(v.patch_mean, v.patch_sd)}"
        + (f"; about {v.seeds_needed} seeds would settle it" if v.seeds_needed else ""))
    say(f"{count(result.trained, 'arm')} trained, {result.reused} reused; parent run {result.parent_run_id}: "
        f"{result.link}")
    if result.recorded:
        say(f"note updated: {result.note}")
