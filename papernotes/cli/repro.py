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
    seeds: Optional[int] = typer.Option(None, "--seeds", help=(
        "N seeds of the config (the profile's seed, +1, ...): one parent MLflow run with a "
        "nested run per seed, finished seeds reused; mean, sd, n and 95% interval in the note.")),
    parallel: Optional[int] = typer.Option(None, "--parallel", help=(
        "With --seeds: seeds trained at once (default: as many as the cores or GPUs hold).")),
    slurm: bool = typer.Option(False, "--slurm", help="Submit to SLURM (submitit) and return; defaults "
                               "from papernotes.yaml's slurm: section."),
    nodes: Optional[int] = typer.Option(None, "--nodes", help="--slurm: nodes (one task each)."),
    partition: Optional[str] = typer.Option(None, "--partition", help="--slurm: the partition."),
    time: Optional[str] = typer.Option(None, "--time", help="--slurm: time limit, HH:MM:SS (sbatch forms)."),
    account: Optional[str] = typer.Option(None, "--account", help="--slurm: the account."),
    qos: Optional[str] = typer.Option(None, "--qos", help="--slurm: the quality of service."),
    constraint: Optional[str] = typer.Option(None, "--constraint", help="--slurm: node features."),
    slurm_arg: List[str] = typer.Option([], "--slurm-arg", help="--slurm: any sbatch option, KEY=VALUE."),
    attach: Optional[str] = typer.Option(None, "--attach", help="Follow a submitted run: its job and log."),
) -> None:
    """Launch a reproduction: pretraining + evaluation, MLflow run, results in the note."""
    from papernotes.core.errors import PapernotesError
    from papernotes.repro.run.runner import ReproOptions, run_repro

    if device not in (None, "cpu", "cuda"):
        raise PapernotesError(f"unknown device {device!r}", field="--device", hint="cpu or cuda")
    if run_id is not None and not resume:  # `--resume RUN_ID` arrives as a second argument
        raise PapernotesError(f"unexpected argument {run_id!r}", field="repro",
                              hint="a run id goes after --resume")
    slurm_only = {"--nodes": nodes, "--partition": partition, "--time": time, "--account": account,
                  "--qos": qos, "--constraint": constraint, "--slurm-arg": slurm_arg or None}
    given = [k for k, v in slurm_only.items() if v is not None]
    if given and not slurm:
        raise PapernotesError(f"{given[0]} is a SLURM option", field=given[0], hint="add --slurm")
    if attach is not None:
        from papernotes.repro.run.attach import attach_run

        attach_run(name, attach, tracking_uri, echo=_echo)
        return
    stop_on_signals()  # SIGINT and SIGTERM: a clean stop, in the background too
    opts = ReproOptions(name=name, profile=profile, overrides=tuple(set_), gpus=gpus,
                        device=device, nproc_per_node=nproc_per_node, nnodes=nnodes,
                        node_rank=node_rank, rdzv_endpoint=rdzv_endpoint,
                        master_port=master_port, resume=(run_id or True) if resume else None,
                        dry_run=dry_run,
                        tracking_uri=tracking_uri, save=save, terminal=stdout_is_terminal())
    if slurm:
        from papernotes.repro.launch.slurm import slurm_request
        from papernotes.repro.run.slurm_submit import submit_repro

        def request_of(defaults, spec_gpus):
            return slurm_request(defaults, nodes=nodes, gpus=gpus, partition=partition, time=time,
                                 account=account, qos=qos, constraint=constraint,
                                 args=tuple(slurm_arg), spec_gpus=spec_gpus)

        submit_repro(opts, request_of, echo=_echo)
        return
    if seeds is not None:
        from papernotes.repro.experiment.seed_runs import run_seeds

        show_seeds(run_seeds(opts, seeds, parallel, echo=_echo))
        return
    if parallel is not None:
        raise PapernotesError("--parallel runs seeds side by side", field="--parallel",
                              hint="with --seeds N")
    result = run_repro(opts, echo=_echo)
    if result.status == "dry-run":
        return
    show_result(result)


def _echo(line: str) -> None:
    console.print(line, markup=False, highlight=False, soft_wrap=True)


def show_result(result) -> None:
    for key, value in sorted(result.metrics.items()):
        if key.startswith("eval/"):
            console.print(f"{key}: {value:.2f}", highlight=False)
    _run_and_note(result, "MLflow run")


def _run_and_note(result, what: str) -> None:
    """The run's link and the note it wrote into (a run, or the parent of seeds)."""
    console.print(f"{what} {result.run_id} FINISHED: {result.link}", markup=False,
                  highlight=False, soft_wrap=True)
    if result.note is not None:
        console.print(f"note updated: {Path(result.note)}", markup=False, highlight=False,
                      soft_wrap=True)


def show_seeds(result) -> None:
    if result.status == "dry-run":
        return
    for key, s in sorted(result.metrics.items()):
        ci = f", 95% CI {s.ci_text()}" if s.ci_low is not None else ""
        console.print(f"{key}: {s.text()}{ci}", highlight=False)
    console.print(f"{result.trained} seed(s) trained, {result.reused} reused", highlight=False)
    _run_and_note(result, "MLflow parent run")
