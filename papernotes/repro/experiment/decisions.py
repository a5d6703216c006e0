"""What `idea run` and `repro --seeds` do with each arm, from what the store holds.

    REUSE a FINISHED run of the arm's config hash that carries the metric,
    RESUME a KILLED one whose checkpoint is still in the arm's folder, else START.

Reference: arm_runs.find_finished and arm_runs.find_resumable, which do the looking.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from papernotes.repro.experiment import arm_runs as et
from papernotes.repro.experiment.plan import Arm
from papernotes.repro.tracking.client import new_client, tracking_error
from papernotes.repro.tracking.store_read import light_reader
from papernotes.repro.tracking.store_warmup import store_is_new


class Action(Enum):
    """What `idea run` does with an arm, from what the store holds."""

    REUSE = "reuse"  # a FINISHED run with its config hash carries the metric
    RESUME = "resume"  # a KILLED run of it left its checkpoint in the arm's folder
    START = "start"


@dataclass(frozen=True)
class Decision:
    arm: Arm
    action: Action
    run_id: str | None = None  # the run reused or resumed

    def line(self) -> str:
        what = {Action.REUSE: f"reuse run {self.run_id}", Action.START: "start",
                Action.RESUME: f"resume run {self.run_id} from its checkpoint"}[self.action]
        return f"  {self.arm.label:<12} {what}  (config {self.arm.hash[:12]}, {self.arm.out_dir})"


def decide_arms(arms: list[Arm], paper: str, metric: str, uri: str, reuse: bool = True,
                check_params: bool = True) -> tuple[list[Decision], object, str | None]:
    """What to do with each arm, from what the store holds (nothing, for a new store): the
    decisions, the client that read them (None for a new store) and the paper's experiment id.
    `reuse` False: every arm starts. `check_params`: a run whose recorded parameters say it ran
    another config is never taken (arm_runs.ran_params)."""
    if store_is_new(uri):
        return [Decision(a, Action.START) for a in arms], None, None
    client = light_reader(uri) or new_client(uri)  # reads only: sqlite3 where it can
    try:
        found = client.get_experiment_by_name(paper)
    except Exception as exc:
        raise tracking_error(exc, uri) from None
    out = []
    for arm in arms:
        run = resumable = None
        ran = et.ran_params(arm.config, arm.plan.world_size) if check_params else None
        if found is not None and reuse:
            run = et.find_finished(client, found.experiment_id, arm.hash, metric, ran)
        if found is not None and run is None and reuse:
            resumable = et.find_resumable(client, found.experiment_id, arm.hash, arm.out_dir, ran)
        if run is not None:
            out.append(Decision(arm, Action.REUSE, run.info.run_id))
        elif resumable:
            out.append(Decision(arm, Action.RESUME, resumable))
        else:
            out.append(Decision(arm, Action.START))
    return out, client, found.experiment_id if found else None
