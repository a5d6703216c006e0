"""A patch as a paired experiment: the baseline and the patched config, seed by seed.

    baseline(seed s) = spec profile + `idea run --set ...`                 , train.seed = s
    patch(seed s)    = spec profile + `idea run --set ...` + the patch's sets, train.seed = s

for s = the profile's seed, +1, ... (N seeds). The `idea run --set` values apply to both arms
(a shorter schedule for a quick look); the patch's own values come last, so they win. Each
arm is identified by `config_hash` (with its seed), and writes under
`<profile out_dir>/arms/<hash[:16]>/`, so the same arm always lands in the same folder: that is
where an interrupted arm's checkpoint is found again.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from papernotes.core.errors import PapernotesError
from papernotes.core.shell import command
from papernotes.core.workspace import Workspace
from papernotes.notes.model.ideas_model import Expectation, Patch
from papernotes.repro.launch.engine import LaunchPlan
from papernotes.repro.launch.layout import arm_folder
from papernotes.repro.spec.config_hash import config_hash
from papernotes.repro.spec.model import Spec
from papernotes.ssl.config import PretrainConfig

# Metrics an arm run carries at its end (the engine's final `end`/`eval` metrics, the last
# step's, and the wall time the arm logger adds): what an expectation may name.
ARM_METRICS = ("eval/linear_top1", "eval/linear_top5", "eval/knn_top1",
               "eval/random_init_linear_top1", "eval/random_init_linear_top5",
               "monitor/knn_top1", "monitor/online_top1", "train/loss", "train/lr",
               "train/pairs_per_s", "time/wall_s")


@dataclass(frozen=True)
class ExperimentOptions:
    key: str
    patch_id: int
    seeds: int = 3
    profile: str | None = None
    overrides: tuple[str, ...] = ()  # `idea run --set`: both arms
    device: str | None = None
    gpus: int | None = None  # per arm
    nproc_per_node: int | None = None  # per arm
    parallel: int | None = None  # arms at once; None: as many as the cores/GPUs hold
    dry_run: bool = False
    reuse: bool = True
    tracking_uri: str | None = None
    workspace: Path | None = None
    terminal: bool = False


@dataclass(frozen=True)
class Arm:
    arm: str  # "baseline" or "patch"
    seed: int
    config: PretrainConfig
    hash: str
    plan: LaunchPlan

    @property
    def label(self) -> str:
        return f"{self.arm} s{self.seed}"

    @property
    def out_dir(self) -> Path:
        return Path(self.config.out_dir)


@dataclass(frozen=True)
class Experiment:
    key: str
    patch: Patch
    expect: Expectation
    spec: Spec
    profile: str
    device: str
    gpus: int  # per arm (0 on CPU)
    arms: list[Arm]  # baseline s0, patch s0, baseline s1, ...
    overrides: tuple[str, ...]
    note_path: Path  # the note file the verdict goes into

    @property
    def name(self) -> str:
        return f"{self.key}#{self.patch.id}"

    def pairs(self) -> list[tuple[Arm, Arm]]:
        return [(self.arms[i], self.arms[i + 1]) for i in range(0, len(self.arms), 2)]


def check_metric(metric: str) -> None:
    if metric not in ARM_METRICS:
        raise PapernotesError(f"no run carries a metric {metric!r}", field="expect",
                              hint=f"known: {', '.join(ARM_METRICS)}")


def check_patch(ws: Workspace, key: str, note_repro: str | None, patch: Patch) -> None:
    """A patch's experiment checked like `repro --set`: each FIELD=VALUE typed by the engine's
    config, and, when the patch (or its note) names a spec, the whole config resolved against
    that spec's profile; the expected metric is one a run carries. One-line errors."""
    from papernotes.repro.spec.find import spec_path
    from papernotes.repro.spec.model import load_spec, resolve
    from papernotes.repro.spec.overrides import parse_overrides
    from papernotes.repro.spec.user_methods import load_workspace_methods

    load_workspace_methods(ws)
    overrides = parse_overrides(patch.sets)
    if patch.expect is not None:
        check_metric(patch.expect.metric)
    name = patch.repro or note_repro
    if name is None:
        return
    path = spec_path(name, ws.repro_dir)
    spec, doc = load_spec(path)
    resolve(spec, doc, path, patch.profile, overrides, patch.sets)


def spec_of(patch: Patch, note_repro: str | None, key: str) -> str:
    name = patch.repro or note_repro
    if not name:
        raise PapernotesError(f"patch {patch.id} of {key} names no repro spec", field="repro",
                              hint=f"set one: {command('idea', 'set', key, patch.id)} --repro SPEC")
    return name


def plan_experiment(opts: ExperimentOptions, ws: Workspace) -> Experiment:
    """The arms of `idea run`: every config resolved and checked, nothing started."""
    from papernotes.notes.patching import find_patch
    from papernotes.notes.vault import load_note, note_path
    from papernotes.repro.run.runner import ReproOptions, prepare

    if opts.seeds < 2:
        raise PapernotesError(f"{opts.seeds} seed(s) decide nothing: a confidence interval needs "
                              "at least 2", field="--seeds", hint="the default is 3")
    if opts.parallel is not None and opts.parallel < 1:
        raise PapernotesError("must be at least 1", field="--parallel")
    parsed = load_note(ws, opts.key)
    note = parsed.note
    patch = find_patch(note.ideas, opts.patch_id)
    where = command("idea", "set", opts.key, patch.id)
    if patch.expect is None:
        raise PapernotesError(f"patch {patch.id} predicts nothing to test", field="expect",
                              hint=f'{where} --expect "eval/linear_top1 >= +1"')
    check_metric(patch.expect.metric)
    if not patch.sets:
        raise PapernotesError(f"patch {patch.id} changes no config field: its arms would be the "
                              "baseline", field="set", hint=f"{where} --set FIELD=VALUE")
    spec = spec_of(patch, note.repro, opts.key)
    profile = opts.profile or patch.profile
    common = dict(name=spec, profile=profile, device=opts.device, gpus=opts.gpus,
                  nproc_per_node=opts.nproc_per_node, workspace=ws.root)
    base_res, plan, gpus = prepare(ReproOptions(**common, overrides=opts.overrides), ws)
    try:
        patch_res, _, _ = prepare(ReproOptions(**common, overrides=(*opts.overrides, *patch.sets)), ws)
    except PapernotesError as exc:
        raise PapernotesError(f"patch {patch.id}: {exc.message}", path=exc.path, line=exc.line,
                              field=exc.field, hint=exc.hint) from None
    if config_hash(base_res.config, plan.world_size) == config_hash(patch_res.config, plan.world_size):
        raise PapernotesError(f"patch {patch.id}'s changes ({' '.join(patch.sets)}) are the "
                              f"profile's own values: its arms would be the baseline", field="set")
    first = base_res.config.train.seed
    arms = []
    for seed in range(first, first + opts.seeds):
        for arm, res in (("baseline", base_res), ("patch", patch_res)):
            cfg = replace(res.config, train=replace(res.config.train, seed=seed))
            digest = config_hash(cfg, plan.world_size)
            cfg = replace(cfg, out_dir=str(arm_folder(Path(base_res.config.out_dir), digest)))
            arms.append(Arm(arm, seed, cfg, digest, plan))
    device = base_res.config.train.device
    return Experiment(note.key, patch, patch.expect, base_res.spec, base_res.profile, device,
                      max(gpus, 1) if device == "cuda" else 0, arms, tuple(opts.overrides),
                      parsed.path or note_path(ws, note.key))


def with_threads(arm: Arm, threads: int | None) -> Arm:
    """The arm with its CPU threads per process set (not part of its hash)."""
    if threads is None:
        return arm
    cfg = arm.config
    return replace(arm, config=replace(cfg, train=replace(cfg.train, threads=threads)))
