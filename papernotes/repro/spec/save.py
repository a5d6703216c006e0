"""Editing a spec in place: `papernotes repro NAME --set ... --save` writes the overrides into the
profile, keeping the user's comments, order, quoting and layout (ruamel.yaml round trip laid
out like the file, `yaml_doc.render_yaml`): a saved override changes only its own line, whose
comment then says the value is the user's (`# set by --save (was 30)`), not the source's."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from papernotes.core.atomic import atomic_write_text, read_text_utf8
from papernotes.core.errors import PapernotesError
from papernotes.core.words import count
from papernotes.core.yaml_doc import parse_yaml, render_yaml


def save_overrides(path: Path, profile: str, overrides: dict, repro_dir: Path, *,
                   dry_run: bool = False) -> tuple[Path, list[str]]:
    """Write `overrides` (nested, already validated) into `profiles.<profile>` of the spec file.

    Only specs inside the workspace's repro folder are edited, never the shipped copies. Returns
    the file and the changed lines as a unified diff; with `dry_run` nothing is written.
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

    before = read_text_utf8(path)
    doc = parse_yaml(before, path)
    profiles = doc.setdefault("profiles", CommentedMap())
    node = profiles.setdefault(profile, CommentedMap())
    _merge_into(node, overrides)
    after = render_yaml(doc, before)
    if not dry_run and after != before:
        atomic_write_text(path, after, overwrite=True)
    return path, _diff(before, after, path.name)


def save_or_show(path: Path, profile: str, assignments: tuple[str, ...], repro_dir: Path,
                 dry_run: bool, echo: Callable[[str], None]) -> None:
    """`--save`: write the `--set` assignments into the profile, or with `--dry-run` only show
    the lines that would change."""
    from papernotes.repro.spec.overrides import parse_overrides

    saved, diff = save_overrides(path, profile, parse_overrides(assignments), repro_dir,
                                 dry_run=dry_run)
    if dry_run:
        echo(f"dry run: --save would change {saved} (nothing written):")
        for line in diff[2:]:
            echo("  " + line)
    else:
        echo(f"saved {count(len(assignments), 'override')} into profile {profile} of {saved}")


def _diff(before: str, after: str, name: str) -> list[str]:
    import difflib

    return [line.rstrip("\r\n") for line in difflib.unified_diff(
        before.splitlines(True), after.splitlines(True), f"{name} (before)", f"{name} (saved)", n=0)]


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
            old = node.get(key, _NEW)
            node[key] = value
            if old is _NEW or old != value:
                _mark_saved(node, key, old)


_NEW = object()  # a key the profile did not have


def _mark_saved(node, key: str, old) -> None:
    """The saved value's end-of-line comment says it is the user's: `# set by --save (was 30)`.
    A comment the source gave the old value (`# [README] --train_epochs=1000`, `# 10 epochs
    gave only +12 points`) no longer describes the new one, so it is replaced, not kept; the
    comment lines that follow it stay."""
    text = "# set by --save" + ("" if old is _NEW else f" (was {_plain(old)})")
    token = (node.ca.items.get(key) or [None, None, None])[2]
    if token is None:
        node.yaml_add_eol_comment(text, key)
        return
    _, newline, rest = token.value.partition("\n")
    token.value = text + newline + rest


def _plain(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
