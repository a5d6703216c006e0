"""Provenance: every answer a source gave, kept under `<workspace>/.papernotes/sources/`.

    sources/arxiv/2002.05709.xml        the Atom feed as arXiv sent it
    sources/doi/10.1109%2fcvpr....json  the CSL-JSON doi.org sent
    sources/s2/arXiv_2002.05709.json    the Semantic Scholar record
    sources/<file>.fetched              when it was fetched (ISO date-time, UTC)
    sources/notes/<key>.json            per note: its identifiers, the answers it was made from,
                                        and each property's value as papernotes last wrote it

A note can so be checked and refreshed offline (`sync` without `--fetch`), and `sync` knows a
property the user changed (its value differs from the one written) and leaves it alone.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from papernotes.core.atomic import atomic_write_bytes, atomic_write_text, read_text_utf8
from papernotes.notes.remote.record import Fetched

FOLDER = Path(".papernotes") / "sources"


def folder(root: Path) -> Path:
    return root / FOLDER


def save_answer(root: Path, answer: Fetched) -> Path:
    path = folder(root) / answer.raw_name
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(path, answer.raw, overwrite=True)
    atomic_write_text(path.with_name(path.name + ".fetched"), answer.fetched + "\n", overwrite=True)
    return path


def load_answer(root: Path, raw_name: str) -> tuple[bytes, str] | None:
    """A stored answer and when it was fetched, or None."""
    path = folder(root) / raw_name
    if not path.is_file():
        return None
    stamp = path.with_name(path.name + ".fetched")
    return path.read_bytes(), read_text_utf8(stamp).strip() if stamp.is_file() else ""


def _record_path(root: Path, key: str) -> Path:
    return folder(root) / "notes" / f"{key}.json"


def save_record(root: Path, key: str, ids: dict[str, str], answers: list[str],
                written: dict[str, Any]) -> None:
    path = _record_path(root, key)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {"ids": ids, "answers": answers, "written": written}
    atomic_write_text(path, json.dumps(data, ensure_ascii=False, indent=1, default=str) + "\n",
                      overwrite=True)


def load_record(root: Path, key: str) -> dict | None:
    path = _record_path(root, key)
    if not path.is_file():
        return None
    try:
        data = json.loads(read_text_utf8(path))
    except json.JSONDecodeError:
        return None
    return data if isinstance(data, dict) else None
