"""Round-trip YAML that remembers where every key is, so errors name the file's line.

Shared by the paper catalog (papernotes/catalog/*.yaml) and the repro specs (repro/*.yaml).

ruamel.yaml's round-trip loader returns CommentedMap/CommentedSeq objects that carry `.lc`
line/column information and keep the user's comments when a spec is edited and dumped again.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any, Iterable

from pydantic import ValidationError

from papernotes.atomic import atomic_write_text, read_text_utf8
from papernotes.errors import PapernotesError


def _yaml():
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    return yaml


def parse_yaml(text: str, path: str | Path | None = None) -> Any:
    """`text` as a round-trip document (CommentedMap); syntax errors and duplicate keys name their line."""
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    try:
        data = _yaml().load(io.StringIO(text))
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise PapernotesError(f"invalid YAML: {exc.problem or exc.context}", path=path,
                              line=mark.line + 1 if mark else None) from None
    except YAMLError as exc:  # unmarked errors
        raise PapernotesError(f"invalid YAML: {exc}".splitlines()[0], path=path) from None
    if data is None:
        data = _yaml().load("{}")
    return data


def load_yaml(path: str | Path) -> Any:
    """The file as a round-trip document; not UTF-8 or bad YAML is a one-line error."""
    return parse_yaml(read_text_utf8(path), Path(path))


def validation_error(exc: ValidationError, path: str | Path, doc: Any) -> PapernotesError:
    """The first pydantic error of a document, as one line at the YAML line of its field."""
    err = exc.errors()[0]
    loc = list(err["loc"])
    return PapernotesError(err["msg"].removeprefix("Value error, "), path=path,
                           line=line_of(doc, loc) or 1, field=".".join(map(str, loc)) or None)


def dump_yaml(data: Any, path: str | Path) -> None:
    """Write a (possibly edited) round-trip document back, comments kept, atomically."""
    buf = io.StringIO()
    _yaml().dump(data, buf)
    atomic_write_text(path, buf.getvalue(), overwrite=True)


def line_of(node: Any, loc: Iterable[Any]) -> int | None:
    """1-based line of the deepest key of `loc` found under `node` (None if none is)."""
    line = None
    for key in loc:
        lc = getattr(node, "lc", None)
        if lc is None:
            break
        try:
            if isinstance(node, dict) and key in node:
                line = lc.key(key)[0] + 1
                node = node[key]
            elif isinstance(node, list) and isinstance(key, int) and 0 <= key < len(node):
                line = lc.item(key)[0] + 1
                node = node[key]
            else:
                break
        except (KeyError, IndexError, TypeError):
            break
    return line


def to_plain(node: Any) -> Any:
    """Plain dicts/lists/scalars (no ruamel types) for validation and JSON."""
    if isinstance(node, dict):
        return {str(k): to_plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [to_plain(v) for v in node]
    if isinstance(node, bool) or node is None:
        return node
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float):
        return float(node)
    if isinstance(node, str):
        return str(node)
    return node
