"""The workspace's own methods: `repro/methods/*.py`, loaded before a spec is resolved.

Every command that resolves a spec (`repro`, `idea run`, `idea set`/`add` with an experiment)
loads them first, so a spec or a patch can name a method the user wrote (`method:
mae_contrastive`, `--set mae_contrastive.weight=0.1`) and its options are typed and checked like
a built-in's. The loading itself (by path, pinned by sha256, errors as the user's) is
`papernotes.ssl.user_code`; the engine's ranks load the same files again from the launch config.
"""

from __future__ import annotations

from pathlib import Path

from papernotes.core.workspace import Workspace
from papernotes.ssl.user_code import UserModule, load_folder

FOLDER = "methods"


def methods_dir(ws: Workspace) -> Path:
    return ws.repro_dir / FOLDER


def load_workspace_methods(ws: Workspace) -> list[UserModule]:
    """Import every `repro/methods/*.py` of `ws` (a file already loaded with the same bytes is
    not run again); a bug in one is a `UserCodeError` naming its file and line."""
    return load_folder(methods_dir(ws))
