"""`papernotes repro SPEC --seeds N [--parallel K]`: the seeds of one config, planned and decided.

    seed(s) = spec profile + `--set ...`, train.seed = s, for s = the profile's seed, +1, ...

Each seed is an arm (plan.py's `Arm`, named by its config hash, trained in
`<out_dir>/arms/<hash[:16]>/`), so a seed is the very run `idea run` trains as a baseline: a
FINISHED run of its hash (a seed of an earlier `--seeds`, an `idea run` baseline, a plain
`repro` run of that seed) is reused, a KILLED one resumed from its checkpoint, the rest trained
K at once as child processes (arms.py), each a nested run under one parent run
(seed_runs.run_seeds) that then carries mean, sd, n and the 95% t interval of every eval metric
(results/seed_stats.py); the note gets one row for the config (results/writeback.py).

Reference: idea_run.py, whose decide/run/conclude steps this follows for one arm kind.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from papernotes.core.errors import PapernotesError
from papernotes.core.workspace import Workspace
from papernotes.repro.experiment.decisions import Decision, decide_arms
from papernotes.repro.experiment.plan import Arm
from papernotes.repro.launch import layout
from papernotes.repro.run.options import ReproOptions, ReproResult
from papernotes.repro.spec.config_hash import config_hash
from papernotes.repro.spec.model import Resolved

METRIC = "eval/linear_top1"  # a seed run is reused only if it carries this
MAX_SEEDS = 100


@dataclass(frozen=True)
class SeedPlan:
    """The seeds of one config, resolved: what `arms_exec.machine_slots` and the tracking need to know."""

    res: Resolved
    arms: list[Arm]
    device: str
    gpus: int  # per seed (0 on CPU)
    overrides: tuple[str, ...]

    @property
    def spec(self):
        return self.res.spec

    @property
    def profile(self) -> str:
        return self.res.profile

    @property
    def title(self) -> str:
        return f"{self.res.spec.name}/{self.res.profile}"


@dataclass(frozen=True)
class SeedsResult(ReproResult):
    """What `repro --seeds` did: `run_id` is the parent run, `metrics` its summaries (metric ->
    results/seed_stats.Summary), with how many seeds were reused and how many trained."""

    reused: int = 0
    trained: int = 0


def plan_seeds(opts: ReproOptions, seeds: int, parallel: int | None, ws: Workspace) -> SeedPlan:
    from papernotes.repro.run.runner import prepare

    if not 1 <= seeds <= MAX_SEEDS:
        raise PapernotesError(f"{seeds} seeds: must be 1 to {MAX_SEEDS}", field="--seeds")
    if parallel is not None and parallel < 1:
        raise PapernotesError("must be at least 1", field="--parallel")
    if opts.resume:
        raise PapernotesError("--seeds reuses finished seeds and resumes stopped ones by itself",
                              field="--resume", hint="run the same --seeds command again")
    if opts.nnodes > 1 or opts.node_rank:
        raise PapernotesError("--seeds runs on one node", field="--nnodes",
                              hint="run each seed with `papernotes repro --set train.seed=S`")
    res, plan, gpus = prepare(opts, ws)
    base, first = Path(res.config.out_dir), res.config.train.seed
    arms = []
    for seed in range(first, first + seeds):
        cfg = replace(res.config, train=replace(res.config.train, seed=seed))
        digest = config_hash(cfg, plan.world_size)
        cfg = replace(cfg, out_dir=str(layout.arm_folder(base, digest)))
        arms.append(Arm("seed", seed, cfg, digest, plan))
    device = res.config.train.device
    return SeedPlan(res, arms, device, max(gpus, 1) if device == "cuda" else 0, tuple(opts.overrides))


def decide(sp: SeedPlan, uri: str) -> tuple[list[Decision], object, str | None]:
    """Reuse, resume or start each seed, from what the store holds (nothing, for a new store);
    a seed run is reused if it carries METRIC, whatever parameters it recorded."""
    return decide_arms(sp.arms, sp.spec.paper, METRIC, uri, check_params=False)
