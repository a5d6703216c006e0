"""`.obsidian/types.json`: the property types Obsidian shows and sorts by, for a new vault.

Obsidian keeps `{"types": {"rating": "number", "date": "date", ...}}` there; without an entry a
property's type is guessed from its first value, and a number typed as text sorts as text in
Bases. `init` adds the entries papernotes' properties need (repro_properties.OBSIDIAN_TYPES)
and never changes one the file already has: the user's choices win. A file that is not a JSON
object is left alone, with a warning.
"""

from __future__ import annotations

import json
from pathlib import Path

from papernotes.core.atomic import atomic_write_text
from papernotes.core.notices import warn
from papernotes.notes.format.repro_properties import OBSIDIAN_TYPES

FILE = Path(".obsidian") / "types.json"


def add_types(vault_root: Path) -> list[str]:
    """Add the missing entries; the property names added."""
    path = vault_root / FILE
    data: dict = {}
    if path.exists():
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            warn(f"not read, left as it is: {exc}", path=path, field="types")
            return []
        if not isinstance(data, dict) or not isinstance(data.get("types", {}), dict):
            warn("not Obsidian's {\"types\": {...}}, left as it is", path=path, field="types")
            return []
    types = data.setdefault("types", {})
    added = [k for k in OBSIDIAN_TYPES if k not in types]
    if not added:
        return []
    types.update({k: OBSIDIAN_TYPES[k] for k in added})
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(path, json.dumps(data, indent=2, ensure_ascii=False) + "\n", overwrite=True)
    return added
