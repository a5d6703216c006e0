"""Obsidian properties: the YAML frontmatter between `---` lines at the top of a note.

Round-trips through ruamel.yaml so the user's keys, comments and order survive; only the
properties whose values changed are rewritten, and an unchanged frontmatter keeps its bytes.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import re
from dataclasses import dataclass
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.constructor import RoundTripConstructor
from ruamel.yaml.error import YAMLError
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from papernotes.core.errors import PapernotesError
from papernotes.notes.format.id_properties import ID_PROPERTIES, ids_as_text

_TIMESTAMP = "tag:yaml.org,2002:timestamp"


class _Constructor(RoundTripConstructor):
    """ruamel's round-trip constructor; a date that is not one (`2024-13-01`) stays text, for
    the schema to report at its line instead of a crash; id properties stay text."""

    def construct_document(self, node):
        if isinstance(getattr(node, "value", None), list):
            ids_as_text(node)
        return super().construct_document(node)


def _timestamp_or_text(constructor, node):
    try:
        return RoundTripConstructor.construct_yaml_timestamp(constructor, node)
    except ValueError:
        return constructor.construct_scalar(node)


_Constructor.add_constructor(_TIMESTAMP, _timestamp_or_text)
_YAML = YAML(typ="rt")
_YAML.Constructor = _Constructor
_YAML.preserve_quotes = True
_YAML.width = 4096
_YAML.indent(mapping=2, sequence=4, offset=2)


def _fast_loader():
    """PyYAML's C loader with YAML 1.2 booleans (only true/false), or None without PyYAML.

    Reading properties is on the hot path of `validate` (ruamel's pure-Python loader takes
    milliseconds per note); writing always goes through ruamel's round-trip.
    """
    try:
        import yaml
    except ImportError:  # pragma: no cover - PyYAML comes with mlflow
        return None
    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    loader = type("PropertiesLoader", (base,), {})
    loader.yaml_implicit_resolvers = {
        ch: [r for r in rs if r[0] != "tag:yaml.org,2002:bool"]
        for ch, rs in base.yaml_implicit_resolvers.items()}
    loader.add_implicit_resolver("tag:yaml.org,2002:bool",
                                 re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))

    def timestamp_or_text(constructor, node):  # `2024-13-01` stays text, as in ruamel above
        try:
            return base.construct_yaml_timestamp(constructor, node)
        except ValueError:
            return constructor.construct_scalar(node)

    loader.add_constructor(_TIMESTAMP, timestamp_or_text)

    def construct_document(self, node):  # id properties stay text, as in ruamel above
        if isinstance(node, yaml.MappingNode):
            ids_as_text(node)
        return base.construct_document(self, node)

    loader.construct_document = construct_document
    return functools.partial(yaml.load, Loader=loader), yaml.YAMLError


_FAST = _fast_loader()


@dataclass(frozen=True)
class Frontmatter:
    """`text[:end]` is the frontmatter block (both `---` lines); `yaml` its inside."""

    yaml: str
    end: int  # offset just after the closing `---` line
    newline: str  # the note's line ending ("\n" or "\r\n")
    values: dict  # the properties as plain Python values (fast to read)
    path: Any = None

    @functools.cached_property
    def data(self) -> CommentedMap:
        """The properties as ruamel's round-trip map (keeps comments, order, line numbers)."""
        return _load(self.yaml.replace("\r\n", "\n"), path=self.path)

    def line_of(self, key: str) -> int | None:
        """The 1-based file line of property `key` (the opening `---` is line 1)."""
        try:
            return self.data.lc.key(key)[0] + 2
        except (KeyError, AttributeError, TypeError):
            return None


def _load(yaml_text: str, *, path=None) -> CommentedMap:
    try:
        data = _YAML.load(io.StringIO(yaml_text))
    except YAMLError as exc:
        raise _yaml_error(exc, yaml_text, path) from None
    if data is None:
        return CommentedMap()
    if not isinstance(data, CommentedMap):
        raise PapernotesError("properties must be a YAML mapping (key: value lines)", path=path,
                              line=2, field="frontmatter")
    return data


_OPENERS = {'"': "quote", "'": "quote", "[": "list", "{": "mapping"}
_VALUE_START = re.compile(r"""^\s*(?:-\s+)?(?:[^\s#"'\[{][^:#]*:\s+)?(["'\[{])""")


def _unclosed(line: str) -> str | None:
    """What a one-line value opens and does not close (`title: "A`, `tags: [a, b`), or None."""
    m = _VALUE_START.match(line)
    if not m:
        return None
    opener, rest = m.group(1), line[m.end():]
    if opener == '"':
        closed = re.search(r'(?<!\\)(?:\\\\)*"', rest) is not None
    elif opener == "'":
        closed = "'" in rest.replace("''", "")
    else:
        closer = "]" if opener == "[" else "}"
        depth = 1 + rest.count(opener) - rest.count(closer)
        closed = depth <= 0
    return None if closed else _OPENERS[opener]


def _yaml_error(exc: YAMLError, yaml_text: str, path) -> PapernotesError:
    """The YAML error at the line of the mistake and at the line where the parser gave up,
    when they differ (an unclosed quote on line 12 is found only at line 15)."""
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    gave_up = mark.line + 2 if mark else 1  # file lines: the opening `---` is line 1
    lines = yaml_text.split("\n")
    for n, line in enumerate(lines[:max(gave_up - 2, 0)], start=2):
        what = _unclosed(line)
        if what is not None:
            return PapernotesError(
                f"invalid YAML: the {what} opened on this line is never closed (the parser "
                f"gave up at line {gave_up}: {problem})", path=path, line=n, field="frontmatter")
    context = getattr(exc, "context_mark", None)
    if context is not None and context.line + 2 not in (gave_up, 2):
        return PapernotesError(
            f"invalid YAML: {getattr(exc, 'context', '')} started on this line (the parser gave "
            f"up at line {gave_up}: {problem})", path=path, line=context.line + 2,
            field="frontmatter")
    return PapernotesError(f"invalid YAML: {problem}", path=path, line=gave_up,
                           field="frontmatter")


def _values(yaml_text: str, path) -> dict:
    if _FAST is not None:
        load, error = _FAST
        try:
            data = load(yaml_text)
        except error:
            data = None  # let ruamel report it (or accept YAML 1.2 that PyYAML rejects)
        else:
            if data is None:
                return {}
            if isinstance(data, dict) and all(isinstance(k, str) for k in data):
                return data
    return plain(_load(yaml_text, path=path))


def split_frontmatter(text: str, *, path=None) -> Frontmatter | None:
    """The note's frontmatter, or None if it has none. Broken YAML -> error with file:line."""
    first = text.split("\n", 1)[0]
    if first.rstrip("\r") != "---":
        return None
    newline = "\r\n" if first.endswith("\r") else "\n"
    offset = len(first) + 1
    while offset <= len(text):
        nl = text.find("\n", offset)
        line = text[offset:] if nl < 0 else text[offset:nl]
        if line.rstrip("\r") in ("---", "..."):
            end = len(text) if nl < 0 else nl + 1
            inner = text[len(first) + 1:offset]
            return Frontmatter(inner, end, newline, _values(inner.replace("\r\n", "\n"), path), path)
        if nl < 0:
            break
        offset = nl + 1
    raise PapernotesError("frontmatter opened with '---' is never closed", path=path, line=1,
                          field="frontmatter")


def _yaml_value(value: Any, key: str | None = None) -> Any:
    """Python value -> what ruamel should write (wikilinks and identifiers quoted: an id
    property is always written as quoted text, so no YAML reader takes it for a number)."""
    if isinstance(value, list):
        seq = CommentedSeq(_yaml_value(v, key) for v in value)
        return seq
    if key is not None and key.lower() in ID_PROPERTIES and value is not None \
            and not isinstance(value, bool):
        return DoubleQuotedScalarString(str(value))
    if isinstance(value, str) and (value.startswith("[[") or value[:1].isdigit() or value == ""
                                   or value[:1] in "@`!&*{}[]|>%#'\"" or ": " in value):
        return DoubleQuotedScalarString(value)
    return value


def plain(value: Any) -> Any:
    """A loaded YAML value as plain Python (for comparison)."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, str):
        return str(value)
    if isinstance(value, dt.datetime):
        return value.date()
    return value


def dump_yaml(data: CommentedMap) -> str:
    buf = io.StringIO()
    _YAML.dump(data, buf)
    return buf.getvalue()


def render_frontmatter(props: dict[str, Any]) -> str:
    """A fresh frontmatter block (with `---` lines) for `props`, in their order."""
    data = CommentedMap((k, _yaml_value(v, k)) for k, v in props.items())
    return f"---\n{dump_yaml(data) if data else ''}---\n"


def _chunks(yaml_text: str, data: CommentedMap) -> tuple[str, dict[str, str]] | None:
    """The text before the first key, and each top-level key's lines (its value and the
    comments ruamel attaches to it, up to the next key); None if keys share a line."""
    lines = yaml_text.splitlines(keepends=True)
    starts = [(data.lc.key(k)[0], k) for k in data]
    if not starts or len({s for s, _ in starts}) != len(starts):
        return None
    out = {}
    for i, (start, key) in enumerate(starts):
        end = starts[i + 1][0] if i + 1 < len(starts) else len(lines)
        out[key] = "".join(lines[start:end])
    return "".join(lines[:starts[0][0]]), out


def update_frontmatter(text: str, old: dict[str, Any], new: dict[str, Any], *, path=None) -> str:
    """`text` with the properties whose values differ between `old` and `new` rewritten.

    Changed keys are re-dumped by ruamel (keeping their comments); every other key's lines are
    kept byte for byte; keys the note lacks are added at the end. If nothing changed, `text`
    is returned unchanged.
    """
    changed = [k for k in new if plain(new[k]) != plain(old.get(k))]
    if not changed:
        return text
    fm = split_frontmatter(text, path=path)
    if fm is None:
        nl = "\r\n" if "\r\n" in text else "\n"
        block = render_frontmatter({k: new[k] for k in new if new[k] not in (None, "", [])})
        return block.replace("\n", nl) + text
    data = fm.data
    before = _chunks(fm.yaml, data)
    for key in changed:
        data[key] = _yaml_value(new[key], key)
    body = dump_yaml(data)
    if fm.newline != "\n":
        body = body.replace("\n", fm.newline)
    after = _chunks(body, _load(body.replace("\r\n", "\n"), path=path)) if before else None
    if before and after:
        kept = set(before[1]) - set(changed)
        body = before[0] + "".join(before[1][k] if k in kept else after[1][k] for k in after[1])
    head = text[: text.index("\n") + 1]
    closing_start = len(head) + len(fm.yaml)
    return head + body + text[closing_start:]
