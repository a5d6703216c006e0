"""Editing a spec in place: `papernotes repro NAME --set ... --save` writes the overrides into the
profile, keeping the user's comments, order and quoting (ruamel.yaml round trip)."""

from __future__ import annotations

from pathlib import Path

from papernotes.errors import PapernotesError
from papernotes.yaml_doc import dump_yaml, load_yaml


def save_overrides(path: Path, profile: str, overrides: dict, repro_dir: Path) -> Path:
    """Write `overrides` (nested, already validated) into `profiles.<profile>` of the spec file.

    Only specs inside the workspace's repro folder are edited, never the shipped copies.
    """
    path = Path(path)
    try:
        path.resolve().relative_to(Path(repro_dir).resolve())
    except ValueError:
        raise PapernotesError("only specs in the workspace's repro folder are edited", path=path,
                              field="--save", hint=f"copy it into {repro_dir} first") from None
    if not overrides:
        raise PapernotesError("nothing to save", field="--save", hint="give --set FIELD=VALUE")
    from ruamel.yaml.comments import CommentedMap

    doc = load_yaml(path)
    profiles = doc.setdefault("profiles", CommentedMap())
    node = profiles.setdefault(profile, CommentedMap())
    _merge_into(node, overrides)
    dump_yaml(doc, path)
    return path


def _merge_into(node, values: dict) -> None:
    from ruamel.yaml.comments import CommentedMap

    for key, value in values.items():
        if isinstance(value, dict):
            child = node.get(key)
            if not isinstance(child, dict):
                child = CommentedMap()
                node[key] = child
            _merge_into(child, value)
        else:
            node[key] = value
