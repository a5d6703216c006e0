"""The MLflow tags papernotes sets, and how it searches by them: a contract scripts rely on.

Every key here is spelled nowhere else; the names and values must not change (tests/repro/
test_tags.py pins them). On which runs each tag sits:

    tag                       repro run   idea run arm   idea run parent   value
    papernotes.spec               x            x               x           the spec's name
    papernotes.profile            x            x               x           the profile
    papernotes.note               x            x               x           the spec's paper (parent: the note's key)
    papernotes.overrides          x            x               x           `--set` values, space-separated
    papernotes.config_hash        x            x                           what `idea run` reuses a run by
    papernotes.seed               x            x                           train.seed
    papernotes.run_dir            x            x                           the run's folder
    papernotes.host               x            x                           the machine its folder lock is on
    papernotes.ended              x            x               x           why a dead run was marked KILLED
    papernotes.pid                                             x           the idea run's process (with .host)
    papernotes.slurm_job          x                                        a `--slurm` run's job id (one per submission)
    papernotes.arm                             x                           baseline | patch
    papernotes.patch                                           x           KEY#ID
    papernotes.expect, .seeds, .patch_sets                     x           the experiment
    papernotes.verdict, .metric, .reused                       x           once decided
    papernotes.seeds, .reused, .seed_runs     (repro --seeds parent)       N, reused and all seed run ids
    mlflow.parentRunId                         x                           the parent run
    mlflow.source.git.commit      x                                        papernotes' commit, in a git checkout
    mlflow.note.content           x (and a --seeds parent)     x           the description: [[note]], our number / the verdict
    dataset.name, dataset.fingerprint, torch, cuda, hardware, device   (both kinds of run: the start event)
"""

from __future__ import annotations

from papernotes.core.errors import PapernotesError

SPEC = "papernotes.spec"
PROFILE = "papernotes.profile"
NOTE = "papernotes.note"
OVERRIDES = "papernotes.overrides"
CONFIG_HASH = "papernotes.config_hash"
SEED = "papernotes.seed"
CODE = "papernotes.code"  # + ".<file name>": the sha256 of a user file the run executed
RUN_DIR = "papernotes.run_dir"
SLURM_JOB = "papernotes.slurm_job"
LINEAR_PROTOCOL = "papernotes.linear_protocol"  # from the eval event: "official" or "cached_features"
HOST = "papernotes.host"  # the machine the run's folder lock is held on
ENDED = "papernotes.ended"  # why papernotes marked a run KILLED that its process left RUNNING
PID = "papernotes.pid"  # an idea run parent's process (it has no folder to lock)
ARM = "papernotes.arm"
PATCH = "papernotes.patch"
EXPECT = "papernotes.expect"
SEEDS = "papernotes.seeds"
PATCH_SETS = "papernotes.patch_sets"
VERDICT = "papernotes.verdict"
METRIC = "papernotes.metric"
REUSED = "papernotes.reused"
SEED_RUNS = "papernotes.seed_runs"
PARENT_RUN = "mlflow.parentRunId"
GIT_COMMIT = "mlflow.source.git.commit"
NOTE_CONTENT = "mlflow.note.content"  # the run's description in the UI


def run_tags(*, spec: str, profile: str, note: str, overrides: tuple[str, ...] | list[str],
             config_hash: str, seed: int, code: dict[str, str] | None = None) -> dict[str, str]:
    """The tags of a trained run (`repro`, or an `idea run` arm): what it ran, and its identity;
    `code`: {file name: sha256} of the user's files it ran, one `papernotes.code.<file>` each."""
    return {SPEC: spec, PROFILE: profile, NOTE: note, OVERRIDES: " ".join(overrides),
            CONFIG_HASH: config_hash, SEED: str(seed),
            **{f"{CODE}.{name}": sha for name, sha in (code or {}).items()}}


def folder_tags(folder) -> dict[str, str]:
    """The tags naming where a trained run lives: its folder, and the machine holding its lock
    (tracking/liveness.py reads them to tell a dead run from a live one)."""
    import socket

    return {RUN_DIR: str(folder), HOST: socket.gethostname()}


def start_tags(event: dict) -> dict[str, str]:
    """The tags an engine `start` event gives a run: the data set and the machine it trains on."""
    ds = event.get("dataset") or {}
    tags = {"dataset.name": ds.get("name"), "dataset.fingerprint": ds.get("fingerprint"),
            "torch": event.get("torch"), "cuda": event.get("cuda"),
            "hardware": event.get("hardware"), "device": event.get("device")}
    return {k: str(v) for k, v in tags.items() if v is not None}


def quote(value: str) -> str:
    """`value` as a string of MLflow's search syntax, which has no escapes: the text between the
    quotes is the value, so the quote is one the value does not hold (`'`, else `"`), and a
    value that holds both, or ends in a backslash (it would escape the closing quote), cannot
    be searched for."""
    value = str(value)
    for mark in ("'", '"'):
        if mark not in value and not value.endswith("\\"):
            return f"{mark}{value}{mark}"
    raise PapernotesError(f"MLflow cannot search for {value!r}", field="search",
                          hint="a value with both kinds of quote, or a backslash at its end")


def search_filter(tags: dict[str, str] | None = None, status: str | None = None) -> str:
    """An MLflow `filter_string`: each tag equal to its value, and the run's status, every value
    quoted ("" matches every run)."""
    parts = [f"tags.`{key}` = {quote(value)}" for key, value in (tags or {}).items()]
    if status is not None:
        parts.append(f"attributes.status = {quote(status)}")
    return " and ".join(parts)
