"""The `slurm:` section of `papernotes.yaml`: a user's cluster defaults, set once, and the time
limit forms SLURM accepts.

    slurm:
      partition: gpu
      account: my-lab
      time: "24:00:00"          # sbatch --time forms: MM, MM:SS, HH:MM:SS, D-HH, D-HH:MM, D-HH:MM:SS
      gpus: 8                   # per node
      qos: normal
      constraint: a100
      cpus_per_task: 32
      args: {mem: 480G, exclusive: true}   # any other sbatch option, KEY: VALUE (true: the flag alone)
      checkpoint_every: 500     # steps between periodic checkpoints of a SLURM job

`papernotes repro --slurm` options win over these (repro/launch/slurm.py). The time forms are
sbatch's own (`man sbatch`, --time); submitit takes whole minutes, so seconds round up.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, field_validator

from papernotes.core.errors import PapernotesError

TIME_FORMS = "HH:MM:SS, MM, MM:SS, D-HH, D-HH:MM or D-HH:MM:SS"
_TIME = re.compile(r"^(?:(?P<days>\d+)-(?P<dh>\d+)(?::(?P<dm>\d+)(?::(?P<ds>\d+))?)?"
                   r"|(?P<a>\d+)(?::(?P<b>\d+)(?::(?P<c>\d+))?)?)$")


def time_minutes(text: str, field: str = "--time") -> int:
    """Whole minutes (seconds round up) of a time limit in one of sbatch's forms; one line else."""
    m = _TIME.match(str(text).strip())
    if m is None:
        raise PapernotesError(f"time limit {text!r} is not in a form sbatch reads", field=field,
                              hint=TIME_FORMS)
    g = {k: int(v) for k, v in m.groupdict().items() if v is not None}
    if "days" in g:
        seconds = ((g["days"] * 24 + g["dh"]) * 60 + g.get("dm", 0)) * 60 + g.get("ds", 0)
        parts = [g.get("dm", 0), g.get("ds", 0)]
    elif "c" in g:  # HH:MM:SS
        seconds, parts = (g["a"] * 60 + g["b"]) * 60 + g["c"], [g["b"], g["c"]]
    elif "b" in g:  # MM:SS
        seconds, parts = g["a"] * 60 + g["b"], [g["b"]]
    else:  # MM
        seconds, parts = g["a"] * 60, []
    if any(p >= 60 for p in parts) or ("days" in g and g["dh"] >= 24):
        raise PapernotesError(f"time limit {text!r} has a field out of range", field=field,
                              hint=TIME_FORMS)
    if seconds <= 0:
        raise PapernotesError(f"time limit {text!r} is zero", field=field, hint=TIME_FORMS)
    return -(-seconds // 60)


class SlurmDefaults(BaseModel):
    """The cluster defaults a workspace sets once (each may be overridden on the command line)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    partition: str | None = None
    account: str | None = None
    qos: str | None = None
    constraint: str | None = None
    time: str | None = None
    nodes: int | None = None
    gpus: int | None = None
    cpus_per_task: int | None = None
    checkpoint_every: int | None = None
    args: dict[str, str | bool] = {}  # `true`: the option alone (#SBATCH --exclusive)

    @field_validator("time", mode="before")
    @classmethod
    def _time(cls, value):
        if value is None:
            return None
        try:
            time_minutes(str(value), "slurm.time")
        except PapernotesError as exc:
            raise ValueError(f"{exc.message} ({exc.hint})") from None
        return str(value)

    @field_validator("nodes", "cpus_per_task", "checkpoint_every")
    @classmethod
    def _positive(cls, value):
        if value is not None and value < 1:
            raise ValueError("must be at least 1")
        return value

    @field_validator("gpus")
    @classmethod
    def _gpus(cls, value):
        if value is not None and value < 0:
            raise ValueError("must be 0 or more")
        return value

    @field_validator("args", mode="before")
    @classmethod
    def _args(cls, value):
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise ValueError("a mapping of sbatch options, KEY: VALUE")
        return {str(k): (True if v is True else str(v)) for k, v in value.items() if v is not False}
