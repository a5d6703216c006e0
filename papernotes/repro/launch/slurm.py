"""A SLURM submission through submitit (facebookincubator/submitit, what DINO's and MAE's
`run_with_submitit.py` use): the resources asked for (`SlurmRequest`, command line over the
`slurm:` section of papernotes.yaml), the executor that submits, the sbatch script submitit
writes (for `--dry-run`), and the rendezvous of a job's nodes.

One task per node: node 0's task is the `papernotes repro` parent (tracking, write-back) and
every task starts torchrun with one rank per GPU, c10d rendezvous on the first node of
`SLURM_JOB_NODELIST` (one GPU on one node: no torchrun, the engine runs in the task itself).
The job asks for `--requeue`, and submitit's `--signal=USR2@90` (its default preemption signal;
NCCL may take USR1 for itself) warns it 90 s before its time limit (repro/run/requeue.py).
"""

from __future__ import annotations

import os
import shlex
import sys
from dataclasses import dataclass
from pathlib import Path

from papernotes.core.errors import PapernotesError
from papernotes.core.slurm_settings import SlurmDefaults, time_minutes

RDZV_PORT = 29500
SIGNAL_DELAY_S = 90  # the warning before the time limit: a checkpoint of a large model fits in it
CLUSTER_ENV = "PAPERNOTES_SUBMITIT_CLUSTER"  # "local": submitit's local executor (tests, trying it out)
CPUS_PER_GPU = 8


@dataclass(frozen=True)
class SlurmRequest:
    """What one job asks SLURM for. `time_min`: whole minutes (submitit's unit)."""

    partition: str
    time: str
    nodes: int = 1
    gpus_per_node: int = 0
    account: str | None = None
    qos: str | None = None
    constraint: str | None = None
    cpus_per_task: int | None = None
    extra: tuple[tuple[str, str | bool], ...] = ()
    checkpoint_every: int | None = None

    @property
    def time_min(self) -> int:
        return time_minutes(self.time)

    @property
    def cpus(self) -> int:
        return self.cpus_per_task or max(1, self.gpus_per_node) * CPUS_PER_GPU

    def describe(self) -> str:
        gpus = f"{self.gpus_per_node} GPU{'s' if self.gpus_per_node != 1 else ''}" if self.gpus_per_node else "CPU"
        return (f"{self.nodes} node{'s' if self.nodes > 1 else ''} x {gpus}, partition {self.partition}, "
                f"time {self.time}" + "".join(f", {k} {v}" for k, v in (
                    ("account", self.account), ("qos", self.qos), ("constraint", self.constraint)) if v))


def slurm_args(pairs: list[str] | tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """`--slurm-arg KEY=VALUE` values as pairs; one line for one without `=`."""
    out = []
    for pair in pairs:
        key, sep, value = pair.partition("=")
        key = key.strip().lstrip("-")
        if not sep or not key:
            raise PapernotesError(f"expected KEY=VALUE, got {pair!r}", field="--slurm-arg",
                                  hint="an sbatch option without its dashes: --slurm-arg mem=480G")
        out.append((key, value.strip()))
    return tuple(out)


def slurm_request(defaults: SlurmDefaults, *, nodes: int | None = None, gpus: int | None = None,
                  partition: str | None = None, time: str | None = None, account: str | None = None,
                  qos: str | None = None, constraint: str | None = None,
                  args: tuple[str, ...] = (), spec_gpus: int = 0) -> SlurmRequest:
    """The request: each command-line value over papernotes.yaml's `slurm:` default, checked."""
    part = partition or defaults.partition
    if not part:
        raise PapernotesError("no SLURM partition given and none in papernotes.yaml", field="--partition",
                              hint="pass --partition P, or set slurm: {partition: P} in papernotes.yaml")
    limit = time or defaults.time
    if not limit:
        raise PapernotesError("no time limit given and none in papernotes.yaml", field="--time",
                              hint="pass --time HH:MM:SS, or set slurm: {time: ...} in papernotes.yaml")
    time_minutes(limit)
    n = nodes if nodes is not None else (defaults.nodes or 1)
    if n < 1:
        raise PapernotesError(f"{n} nodes", field="--nodes", hint="at least 1")
    g = gpus if gpus is not None else (defaults.gpus if defaults.gpus is not None else spec_gpus)
    if g < 0:
        raise PapernotesError(f"{g} GPUs", field="--gpus", hint="0 or more per node")
    extra = dict(defaults.args)
    extra.update(slurm_args(args))
    return SlurmRequest(part, limit, n, g, account or defaults.account, qos or defaults.qos,
                        constraint or defaults.constraint, defaults.cpus_per_task,
                        tuple(sorted(extra.items(), key=lambda kv: kv[0])), defaults.checkpoint_every)


def check_store(request: SlurmRequest, uri: str) -> None:
    """A job of several nodes needs a tracking server: SQLite on a shared file system is not
    safe for writers on several machines (its locks do not hold over NFS/Lustre)."""
    if request.nodes > 1 and uri.startswith("sqlite:"):
        raise PapernotesError(f"a job of {request.nodes} nodes cannot track into SQLite ({uri}): its file "
                              "locks do not hold on a shared file system", field="--tracking-uri",
                              hint="start `mlflow server` (or `papernotes ui`) and pass --tracking-uri "
                                   "http://HOST:PORT")


def executor_parameters(request: SlurmRequest, job_name: str) -> dict:
    """submitit.AutoExecutor.update_parameters(**these)."""
    params = {"name": job_name, "timeout_min": request.time_min, "nodes": request.nodes,
              "tasks_per_node": 1, "gpus_per_node": request.gpus_per_node,
              "cpus_per_task": request.cpus, "slurm_partition": request.partition,
              "slurm_signal_delay_s": SIGNAL_DELAY_S,
              "slurm_additional_parameters": {"requeue": True, **dict(request.extra)}}
    for key in ("account", "qos", "constraint"):
        if getattr(request, key):
            params[f"slurm_{key}"] = getattr(request, key)
    return params


def cluster() -> str:
    """Which submitit executor submits: "slurm" (the default), or "local" when CLUSTER_ENV says so."""
    return os.environ.get(CLUSTER_ENV) or "slurm"


def check_executor(request: SlurmRequest) -> None:
    """This machine can submit the request (checked before any run is opened)."""
    import shutil

    which = cluster()
    if which not in ("slurm", "local"):
        raise PapernotesError(f"unknown submitit executor {which!r}", field=CLUSTER_ENV, hint="slurm or local")
    if which == "slurm" and shutil.which("sbatch") is None:
        raise PapernotesError("sbatch is not on PATH: this machine cannot submit to SLURM", field="--slurm",
                              hint="run it on the cluster's login node (--dry-run shows the job here)")
    if which == "local" and request.nodes > 1:
        raise PapernotesError(f"submitit's local executor runs one node, not {request.nodes}",
                              field="--nodes", hint="--nodes 1")


def make_executor(request: SlurmRequest, folder: Path, job_name: str):
    """submitit's executor for the request, its logs and pickles in `folder`."""
    import submitit

    executor = submitit.AutoExecutor(folder=folder, cluster=cluster(), slurm_max_num_timeout=20)
    executor.update_parameters(**executor_parameters(request, job_name))
    return executor


def sbatch_script(request: SlurmRequest, folder: Path, job_name: str, python: str = sys.executable) -> str:
    """The sbatch script submitit's SlurmExecutor writes for this request (its own template,
    called with the parameters it would pass; submitit checks none of them before sbatch)."""
    from submitit.slurm.slurm import _make_sbatch_string

    params = executor_parameters(request, job_name)
    slurm = {"job_name": params["name"], "time": params["timeout_min"], "nodes": request.nodes,
             "ntasks_per_node": 1, "gpus_per_node": request.gpus_per_node or None,
             "cpus_per_task": request.cpus, "partition": request.partition,
             "signal_delay_s": SIGNAL_DELAY_S,
             "additional_parameters": params["slurm_additional_parameters"],
             **{k: getattr(request, k) for k in ("account", "qos", "constraint") if getattr(request, k)}}
    command = " ".join([shlex.quote(python), "-u -m submitit.core._submit", shlex.quote(str(folder))])
    return _make_sbatch_string(command=command, folder=folder, **slurm)


def first_node(nodelist: str) -> str:
    """The first host of a `SLURM_JOB_NODELIST` (`gpu[017-020,033]` -> `gpu017`)."""
    from submitit.slurm.slurm import SlurmParseException, _parse_node_list

    try:
        hosts = _parse_node_list(nodelist)
    except SlurmParseException:
        hosts = []
    if not hosts:
        raise PapernotesError(f"cannot read the node list {nodelist!r}", field="SLURM_JOB_NODELIST")
    return hosts[0]


def rendezvous_endpoint(environ: dict | None = None, port: int = RDZV_PORT) -> str:
    """HOST:PORT of the job's c10d rendezvous: the first node of SLURM_JOB_NODELIST (under
    submitit's local executor, which has no node list: this machine)."""
    env = os.environ if environ is None else environ
    nodelist = env.get("SLURM_JOB_NODELIST")
    return f"{first_node(nodelist) if nodelist else '127.0.0.1'}:{port}"
