"""Round-trip YAML that remembers where every key is, so errors name the file's line.

Shared by the paper catalog (papernotes/catalog/*.yaml) and the repro specs (repro/*.yaml).

ruamel.yaml's round-trip loader returns CommentedMap/CommentedSeq objects that carry `.lc`
line/column information and keep the user's comments when a spec is edited and dumped again.
"""

from __future__ import annotations

import functools
import io
from pathlib import Path
from typing import Any, Iterable

from pydantic import ValidationError

from papernotes.core.atomic import atomic_write_text, read_text_utf8
from papernotes.core.errors import PapernotesError


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


def fast_load(text: str) -> Any:
    """`text` as plain Python data through libyaml (PyYAML's C loader): ten times ruamel's
    round trip, without line numbers. For reading files that are nearly always valid: on any
    doubt (a YAML error here, or the data failing its checks) the caller reads the file again
    with `parse_yaml`, which names the line. Raises yaml.YAMLError."""
    import yaml

    return yaml.load(text, Loader=_unique_keys_loader())


@functools.lru_cache(maxsize=1)
def _unique_keys_loader():
    """libyaml's safe loader that refuses a key given twice (as ruamel does; PyYAML would keep
    the last one silently)."""
    import yaml

    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class UniqueKeys(base):  # type: ignore[misc, valid-type]
        def construct_mapping(self, node, deep=False):
            seen = set()
            for key_node, _ in node.value:
                key = self.construct_object(key_node, deep=True)
                if key in seen:
                    raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}",
                                                            key_node.start_mark)
                seen.add(key)
            return super().construct_mapping(node, deep=deep)

    return UniqueKeys


def load_yaml(path: str | Path) -> Any:
    """The file as a round-trip document; not UTF-8 or bad YAML is a one-line error."""
    return parse_yaml(read_text_utf8(path), Path(path))


def validation_error(exc: ValidationError, path: str | Path, doc: Any) -> PapernotesError:
    """The first pydantic error of a document, as one line at the YAML line of its field."""
    err = exc.errors()[0]
    loc = list(err["loc"])
    return PapernotesError(err["msg"].removeprefix("Value error, "), path=path,
                           line=line_of(doc, loc) or 1, field=".".join(map(str, loc)) or None)


def dump_yaml(data: Any, path: str | Path, original: str | None = None) -> None:
    """Write a (possibly edited) round-trip document back, comments kept, atomically, in the
    layout of `original` (default: the file's current text; see `render_yaml`)."""
    path = Path(path)
    if original is None and path.is_file():
        original = read_text_utf8(path)
    atomic_write_text(path, render_yaml(data, original), overwrite=True)


def render_yaml(data: Any, original: str | None = None) -> str:
    """The document as text, laid out like `original` (the text it was loaded from), so that
    an unchanged document comes back byte for byte and an edited value changes only its line.

    ruamel keeps comments, key order and quotes; on top of that this keeps what its defaults
    would change: the indentation of mappings and of block sequences (the dash's offset), long
    lines (no re-wrapping), how each null was written (`null`, `~` or nothing), a leading
    `---` and CRLF line endings.
    """
    from ruamel.yaml.representer import RoundTripRepresenter

    original = original or ""
    yaml = _yaml()
    yaml.width = 1 << 16  # never wrap: a wrapped line is a changed line (and gains a trailing space)
    mapping, sequence, offset = guess_indent(original)
    yaml.indent(mapping=mapping, sequence=sequence, offset=offset)
    if original.lstrip("\ufeff").startswith("---"):
        yaml.explicit_start = True

    class _Representer(RoundTripRepresenter):
        pass

    _Representer.add_representer(_Null, lambda rep, node: rep.represent_scalar(
        "tag:yaml.org,2002:null", node.text))
    yaml.Representer = _Representer
    buf = io.StringIO()
    changed: list = []
    try:
        yaml.dump(_mark_nulls(data, original.splitlines(), changed), buf)
    finally:
        _unmark(changed)
    text = buf.getvalue()
    if "\r\n" in original:
        text = text.replace("\r\n", "\n").replace("\n", "\r\n")
    return text


def guess_indent(text: str) -> tuple[int, int, int]:
    """(mapping indent, sequence indent, dash offset) as the text uses them; (2, 2, 0) by default.

    Mapping indent: the first `key:` line followed by a deeper key. Sequences: the first block
    sequence item, measured from its parent key (`- ` then the content: indent = offset + 2
    unless the text puts more spaces after the dash).
    """
    mapping, sequence, offset = None, None, None
    parent = None  # indentation of the last `key:` line with no value
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        lead = len(line) - len(line.lstrip(" "))
        if stripped.startswith("- ") or stripped == "-":
            if sequence is None and parent is not None and stripped != "-":
                after = len(stripped) - len(stripped[1:].lstrip(" "))
                offset, sequence = lead - parent, lead - parent + after
            parent = None
            continue
        if mapping is None and parent is not None and lead > parent:
            mapping = lead - parent
        if mapping is not None and sequence is not None:
            break
        parent = lead if stripped.endswith(":") and not stripped.startswith(("'", '"')) else None
    mapping = mapping or 2
    if sequence is None or offset is None or offset < 0 or sequence < offset + 2:
        sequence, offset = mapping, 0
    return mapping, sequence, offset


class _Null:
    """A null to dump with the spelling it had (`null`, `~`, `Null`, or an empty value)."""

    def __init__(self, text: str) -> None:
        self.text = text


_NULL_WORDS = ("null", "Null", "NULL", "~")


def _null_text(lines: list[str], line: int | None, after: str) -> str:
    """How the null on `line` was written: the word after the last `after` (`:` for a mapping
    value, `-` for a sequence item) before any comment; `null` when the line is unknown."""
    if line is None or not 0 <= line < len(lines):
        return "null"
    head = lines[line].split(" #", 1)[0].rstrip()
    word = head.rpartition(after)[2].strip() if after in head else head.strip()
    return word if word in _NULL_WORDS or word == "" else "null"


def _mark_nulls(node: Any, lines: list[str], changed: list) -> Any:
    """Wrap each None under `node` as `_Null` in its original spelling, in place; `changed`
    collects (container, key) so that `_unmark` puts the Nones back."""
    lc = getattr(node, "lc", None)
    if isinstance(node, dict):
        items, where, after = list(node.items()), (lc.key if lc is not None else None), ":"
    elif isinstance(node, list):
        items, where, after = list(enumerate(node)), (lc.item if lc is not None else None), "-"
    else:
        return node
    for key, value in items:
        if value is None:
            try:
                line = where(key)[0] if where is not None else None
            except (KeyError, TypeError, IndexError):
                line = None
            node[key] = _Null(_null_text(lines, line, after))
            changed.append((node, key))
        else:
            _mark_nulls(value, lines, changed)
    return node


def _unmark(changed: list) -> None:
    for container, key in changed:
        container[key] = None


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
