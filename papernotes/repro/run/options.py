"""What `papernotes repro` is asked (`ReproOptions`), what one launch of it is once resolved
(`Launch`, the context the tracked run and the publishing share), and what it answers
(`ReproResult`, or `Interrupted`)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from papernotes.core.errors import PapernotesError

if TYPE_CHECKING:
    from papernotes.core.workspace import Workspace
    from papernotes.repro.launch.engine import LaunchPlan
    from papernotes.repro.run.resume import Candidate
    from papernotes.repro.spec.model import Resolved
    from papernotes.ssl.config import PretrainConfig


@dataclass(frozen=True)
class ReproOptions:
    name: str
    profile: str | None = None
    overrides: tuple[str, ...] = ()
    gpus: int | None = None
    device: str | None = None  # "cpu" forces CPU ranks
    nproc_per_node: int | None = None
    nnodes: int = 1
    node_rank: int = 0
    rdzv_endpoint: str | None = None
    master_port: int | None = None
    resume: bool | str | None = None  # True or "latest": the latest KILLED run; else a run id
    dry_run: bool = False
    tracking_uri: str | None = None
    save: bool = False  # write the --set overrides into the spec's profile (comments kept)
    workspace: Path | None = None
    terminal: bool = False


@dataclass(frozen=True)
class Launch:
    """One launch, resolved: the options, the workspace, the profile (its config with device,
    threads and the profile's absolute out_dir set), the process layout, the tracking store, the
    folder `--resume` continues (None: a new run), the launch's time stamp and where lines go."""

    opts: ReproOptions
    ws: "Workspace"
    res: "Resolved"
    plan: "LaunchPlan"
    uri: str
    target: "Candidate | None"
    stamp: str
    echo: Callable[[str], None]

    @property
    def cfg(self) -> "PretrainConfig":
        return self.res.config

    @property
    def base(self) -> Path:
        """The profile's out_dir: its runs are `<base>/<run id>/`."""
        return Path(self.res.config.out_dir)

    @property
    def title(self) -> str:
        return f"{self.res.spec.name}/{self.res.profile}"


@dataclass(frozen=True)
class ReproResult:
    status: str  # FINISHED, or "dry-run"
    run_id: str | None = None
    link: str | None = None
    metrics: dict = dataclasses.field(default_factory=dict)
    note: Path | None = None
    out_dir: Path | None = None
    tracking_uri: str | None = None


class Interrupted(PapernotesError):
    exit_code = 130
