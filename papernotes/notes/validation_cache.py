"""A cache of notes already known to be valid, so re-validating an unchanged vault is cheap.

It lives outside the vault (`$XDG_CACHE_HOME/papernotes/`, default `~/.cache/papernotes/`),
one JSON file per vault, and holds only digests of (file name, file bytes) that parsed cleanly,
under a fingerprint of the parser's own source files: editing the note code, or any byte of a
note, means that note is parsed again. A missing, stale or unreadable cache is simply empty;
failing to write it is ignored. Set `PAPERNOTES_NO_CACHE=1` to bypass it.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import papernotes
from papernotes.core.atomic import atomic_write_text

_NOTES_PKG = Path(__file__).resolve().parent


def enabled() -> bool:
    return os.environ.get("PAPERNOTES_NO_CACHE", "") in ("", "0")


def cache_file(vault_root: Path) -> Path:
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    tag = hashlib.blake2b(str(vault_root.resolve()).encode(), digest_size=8).hexdigest()
    return base / "papernotes" / f"validated-{tag}.json"


def parser_fingerprint() -> str:
    """Changes whenever the code that parses notes (this package and its sub-packages, and
    core/: the workspace, the error type, YAML) changes. Files are named relative to the package, so the
    sub-packages' `__init__.py` files do not collide."""
    h = hashlib.blake2b(digest_size=16)
    h.update(getattr(papernotes, "__version__", "0").encode())
    top = _NOTES_PKG.parent
    files = [*_NOTES_PKG.rglob("*.py"), *(top / "core").glob("*.py")]
    for path in sorted(files):
        st = path.stat()
        h.update(f"{path.relative_to(top).as_posix()}:{st.st_size}:{st.st_mtime_ns};".encode())
    return h.hexdigest()


def digest(path: Path, data: bytes) -> str:
    return hashlib.blake2b(path.name.encode() + b"\0" + data, digest_size=16).hexdigest()


def load(file: Path, fingerprint: str) -> set[str]:
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return set()
    if not isinstance(data, dict) or data.get("fingerprint") != fingerprint:
        return set()
    return {d for d in data.get("valid", []) if isinstance(d, str)}


def save(file: Path, fingerprint: str, valid: set[str]) -> None:
    try:
        atomic_write_text(file, json.dumps({"fingerprint": fingerprint, "valid": sorted(valid)}),
                          overwrite=True)
    except OSError:
        pass
