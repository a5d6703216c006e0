"""The workspace (an Obsidian vault): `papernotes.yaml` at its root, found upwards like git.

    <root>/papernotes.yaml   config (language, folders, MLflow tracking URI)
    <root>/notes/            the notes (Markdown, Obsidian reads them natively)
    <root>/templates/        Jinja2 templates, copied from the package; edit to taste
    <root>/repro/            repro specs (YAML)
"""

from __future__ import annotations

import io
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from papernotes.core.atomic import atomic_write_text, read_text_utf8
from papernotes.core.errors import PapernotesError
from papernotes.core.resources import shipped_dir
from papernotes.core.slurm_settings import SlurmDefaults

CONFIG_NAME = "papernotes.yaml"
ATTACHMENTS = "attachments"  # files notes embed (run curves, imported images), under notes/

DEFAULT_CONFIG = """\
# papernotes workspace. This folder can be opened as an Obsidian vault.
lang: zh            # default note language: zh (the user's template) or en
notes_dir: notes
templates_dir: templates
repro_dir: repro
# tracking_uri: sqlite:///mlflow.db   # default: sqlite:///<workspace>/mlflow.db
# slurm: {partition: gpu, account: my-lab, time: "24:00:00"}   # `repro --slurm` defaults
# sources:            # where `new ID` and `sync --fetch` ask (env PAPERNOTES_ARXIV_URL etc. win)
#   arxiv_url: https://export.arxiv.org/api/query
#   timeout_s: 20
# ui_port: 5000       # `papernotes ui`'s port, and the port the notes' run links open
"""
UI_PORT_FILE = Path(".papernotes") / "ui_port"  # the port `papernotes ui` last served on
DEFAULT_UI_PORT = 5000


class SourcesConfig(BaseModel):
    """Where `papernotes new ID` and `sync --fetch` ask (`sources:` in papernotes.yaml; the
    environment's PAPERNOTES_<NAME>_URL wins over it, so a mirror or a test can point elsewhere)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    arxiv_url: str = "https://export.arxiv.org/api/query"
    doi_url: str = "https://doi.org"
    s2_url: str = "https://api.semanticscholar.org"
    zotero_url: str = "http://localhost:23119"
    openreview_url: str = "https://api2.openreview.net"
    timeout_s: float = Field(default=20.0, gt=0)
    arxiv_delay_s: float = Field(default=3.0, ge=0)  # arXiv asks for 3 s between calls
    s2_delay_s: float = Field(default=1.0, ge=0)  # Semantic Scholar: 1 call a second without a key

    def url(self, name: str) -> str:
        """The endpoint of source `name` (arxiv, doi, s2, zotero, openreview): env var, else config."""
        return (os.environ.get(f"PAPERNOTES_{name.upper()}_URL") or getattr(self, f"{name}_url")).rstrip("/")


class WorkspaceConfig(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    lang: str = "zh"
    notes_dir: str = "notes"
    templates_dir: str = "templates"
    repro_dir: str = "repro"
    tracking_uri: str | None = None
    slurm: SlurmDefaults = Field(default_factory=SlurmDefaults)  # `repro --slurm` (core/slurm_settings.py)
    sources: SourcesConfig = Field(default_factory=SourcesConfig)
    ui_port: int | None = None


@dataclass(frozen=True)
class Workspace:
    root: Path
    config: WorkspaceConfig

    @property
    def notes_dir(self) -> Path:
        return self.root / self.config.notes_dir

    @property
    def templates_dir(self) -> Path:
        return self.root / self.config.templates_dir

    @property
    def repro_dir(self) -> Path:
        return self.root / self.config.repro_dir

    @property
    def tracking_uri(self) -> str:
        return self.config.tracking_uri or f"sqlite:///{self.root / 'mlflow.db'}"

    @property
    def ui_port(self) -> int:
        """The port of this workspace's `papernotes ui`: the one it last served on (two vaults'
        UIs on 5000 and 5001 each link to their own), else papernotes.yaml's `ui_port`, else
        5000."""
        try:
            text = (self.root / UI_PORT_FILE).read_text(encoding="ascii").strip()
        except (OSError, UnicodeDecodeError):
            text = ""
        if text.isdigit() and 0 < int(text) < 65536:
            return int(text)
        return self.config.ui_port or DEFAULT_UI_PORT

    @property
    def ui_base(self) -> str:
        """Where the links in notes open runs: this workspace's UI."""
        return f"http://127.0.0.1:{self.ui_port}"

    def record_ui_port(self, port: int) -> None:
        """`papernotes ui` says where it serves, for the links written from now on."""
        atomic_write_text(self.root / UI_PORT_FILE, f"{port}\n", overwrite=True)


def load_config(path: Path) -> WorkspaceConfig:
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    text = read_text_utf8(path)
    try:
        data = YAML(typ="safe").load(io.StringIO(text)) or {}
    except YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise PapernotesError(f"invalid YAML: {getattr(exc, 'problem', exc)}", path=path,
                              line=mark.line + 1 if mark else None) from None
    try:
        return WorkspaceConfig.model_validate(data)
    except ValidationError as exc:
        e = exc.errors()[0]
        raise PapernotesError(e["msg"], path=path, field=".".join(map(str, e["loc"]))) from None


def find_workspace(start: str | Path | None = None) -> Workspace:
    """The workspace containing `start` (default: the current folder), searching upwards."""
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        cfg = folder / CONFIG_NAME
        if cfg.is_file():
            return Workspace(folder, load_config(cfg))
    raise PapernotesError(f"no papernotes workspace in {here} or above",
                          hint="run `papernotes init` to make one")


def init_workspace(root: str | Path, *, force: bool = False) -> Workspace:
    """Make a workspace: config, notes/, and copies of the shipped templates/, repro/ specs and
    repro/methods/ (the example methods written as code)."""
    root = Path(root).resolve()
    cfg = root / CONFIG_NAME
    if cfg.exists() and not force:
        raise PapernotesError("already a papernotes workspace", path=cfg,
                              hint="pass --force to reset its config")
    _not_in_notes(root)
    root.mkdir(parents=True, exist_ok=True)
    atomic_write_text(cfg, DEFAULT_CONFIG, overwrite=force)
    (root / "notes").mkdir(exist_ok=True)
    for name in ("templates", "repro", "repro/methods"):  # repro/methods/: the example patches as code
        src, dst = shipped_dir(name.split("/")[0]) / name.partition("/")[2], root / name
        if not src.is_dir():
            continue
        dst.mkdir(exist_ok=True)
        for item in sorted(src.glob("*")):
            if item.is_file() and not (dst / item.name).exists():
                shutil.copy2(item, dst / item.name)
    return Workspace(root, load_config(cfg))


def _not_in_notes(root: Path) -> None:
    """A workspace inside another's notes folder is refused: every command of the outer one
    would read its files as notes (notes sit in folders at any depth)."""
    for folder in root.parents:
        if (folder / CONFIG_NAME).is_file():
            outer = Workspace(folder, load_config(folder / CONFIG_NAME))
            if root.is_relative_to(outer.notes_dir.resolve()):
                raise PapernotesError(f"inside the notes folder of the workspace {folder}",
                                      path=root, hint="make it outside that notes folder")
            return
