"""`papernotes repro NAME`: run a repro spec's profile, track it in MLflow, write back the note."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from papernotes.cli.console import console, handles_errors, stdout_is_terminal, stop_on_signals


@handles_errors
def command(
    name: str = typer.Argument(..., help="Spec name (repro/NAME.yaml) or a spec file."),
    run_id: Optional[str] = typer.Argument(None, hidden=True, help="With --resume: the run."),
    profile: Optional[str] = typer.Option(None, "--profile", "-p", help="Profile in the spec."),
    set_: List[str] = typer.Option([], "--set", help="Override a field: --set train.epochs=10."),
    gpus: Optional[int] = typer.Option(None, "--gpus", help="GPUs on this node (one rank each)."),
    device: Optional[str] = typer.Option(None, "--device", help="cpu: run the ranks on CPU."),
    nproc_per_node: Optional[int] = typer.Option(None, "--nproc-per-node", help="Ranks per node."),
    nnodes: int = typer.Option(1, "--nnodes", help="Nodes (c10d rendezvous when > 1)."),
    node_rank: int = typer.Option(0, "--node-rank", help="This node's rank."),
    rdzv_endpoint: Optional[str] = typer.Option(None, "--rdzv-endpoint", help="HOST:PORT of node 0."),
    master_port: Optional[int] = typer.Option(None, "--master-port", help="Single-node port."),
    resume: bool = typer.Option(False, "--resume", help=(
        "Continue a run in its folder, same MLflow run: `--resume` the latest KILLED one of "
        "the profile, `--resume RUN_ID` (or a prefix) that one.")),
    dry_run: bool = typer.Option(False, "--dry-run", help="Print the torchrun and srun commands."),
    tracking_uri: Optional[str] = typer.Option(None, "--tracking-uri", help="MLflow tracking URI."),
    save: bool = typer.Option(False, "--save", help="Write the --set values into the spec's profile."),
) -> None:
    """Launch a reproduction: pretraining + evaluation, MLflow run, results in the note."""
    from papernotes.core.errors import PapernotesError
    from papernotes.repro.run.runner import ReproOptions, run_repro

    if device not in (None, "cpu", "cuda"):
        raise PapernotesError(f"unknown device {device!r}", field="--device", hint="cpu or cuda")
    if run_id is not None and not resume:  # `--resume RUN_ID` arrives as a second argument
        raise PapernotesError(f"unexpected argument {run_id!r}", field="repro",
                              hint="a run id goes after --resume")
    stop_on_signals()  # SIGINT and SIGTERM: a clean stop, in the background too
    opts = ReproOptions(name=name, profile=profile, overrides=tuple(set_), gpus=gpus,
                        device=device, nproc_per_node=nproc_per_node, nnodes=nnodes,
                        node_rank=node_rank, rdzv_endpoint=rdzv_endpoint,
                        master_port=master_port, resume=(run_id or True) if resume else None,
                        dry_run=dry_run,
                        tracking_uri=tracking_uri, save=save, terminal=stdout_is_terminal())
    result = run_repro(opts, echo=lambda s: console.print(s, markup=False, highlight=False,
                                                           soft_wrap=True))
    if result.status == "dry-run":
        return
    show_result(result)


def show_result(result) -> None:
    for key, value in sorted(result.metrics.items()):
        if key.startswith("eval/"):
            console.print(f"{key}: {value:.2f}", highlight=False)
    console.print(f"MLflow run {result.run_id} FINISHED: {result.link}", markup=False,
                  highlight=False, soft_wrap=True)
    if result.note is not None:
        console.print(f"note updated: {Path(result.note)}", markup=False, highlight=False,
                      soft_wrap=True)
