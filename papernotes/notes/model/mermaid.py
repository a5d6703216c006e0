"""A mermaid flowchart as data: direction, nodes, edges.

`parse_mermaid` reads the flowchart subset that paper notes use (`graph`/`flowchart`, node
shapes, labelled edges, `%%` comments) and rejects anything broken with the line it is on.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Direction = Literal["TD", "TB", "BT", "LR", "RL"]
Shape = Literal["rect", "round", "stadium", "circle", "rhombus", "subroutine", "cylinder", "hexagon"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class MermaidNode(_Frozen):
    id: str
    label: str = ""
    shape: Shape = "rect"


class MermaidEdge(_Frozen):
    src: str
    dst: str
    label: str = ""
    style: Literal["arrow", "line", "dotted", "thick"] = "arrow"


class MermaidDiagram(_Frozen):
    direction: Direction = "TD"
    nodes: list[MermaidNode] = Field(default_factory=list)
    edges: list[MermaidEdge] = Field(default_factory=list)


# --- parsing and writing -------------------------------------------------------------------

# Openers, longest first, with their closer and shape.
_SHAPES: tuple[tuple[str, str, str], ...] = (
    ("([", "])", "stadium"),
    ("((", "))", "circle"),
    ("[[", "]]", "subroutine"),
    ("[(", ")]", "cylinder"),
    ("{{", "}}", "hexagon"),
    ("[", "]", "rect"),
    ("(", ")", "round"),
    ("{", "}", "rhombus"),
)
_OPEN_OF = {shape: (o, c) for o, c, shape in _SHAPES}
_DIRECTIONS = ("TD", "TB", "BT", "LR", "RL")
# Plain operators (optionally followed by `|label|`) and the opening half of `-- text -->` forms.
_PLAIN_OPS = (("-.->", "dotted"), ("-->", "arrow"), ("---", "line"), ("==>", "thick"))
_TEXT_OPS = (("-. ", (".->",), "dotted"), ("== ", ("==>",), "thick"), ("-- ", ("-->", "---"), None))
_ID_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-")


class _Err(Exception):
    def __init__(self, msg: str) -> None:
        super().__init__(msg)
        self.msg = msg


def _read_id(s: str, i: int) -> tuple[str, int]:
    j = i
    while j < len(s) and (s[j] in _ID_CHARS or s[j].isalnum()):
        # a '-' starting an arrow ends the id
        if s[j] == "-" and (s.startswith("--", j) or s.startswith("-.", j)):
            break
        j += 1
    if j == i and i < len(s) and s[i] in "[](){}":
        raise _Err(f"unbalanced bracket {s[i]!r} at column {i + 1}")
    if j == i:
        raise _Err(f"expected a node id at column {i + 1}, found {s[i:i + 10]!r}" if i < len(s)
                   else "dangling arrow: expected a node after it")
    return s[i:j], j


def _read_shape(s: str, i: int) -> tuple[str | None, str, int]:
    for opener, closer, shape in _SHAPES:
        if s.startswith(opener, i):
            start = i + len(opener)
            if s.startswith('"', start):
                q = s.find('"', start + 1)
                if q < 0 or not s.startswith(closer, q + 1):
                    raise _Err(f"unbalanced {opener!r}: missing {closer!r}")
                return shape, s[start + 1:q], q + 1 + len(closer)
            end = s.find(closer, start)
            if end < 0:
                raise _Err(f"unbalanced {opener!r}: missing {closer!r}")
            label = s[start:end]
            if any(ch in label for ch in "[]{}") or (shape != "round" and "(" in label and ")" not in label):
                raise _Err(f"unbalanced brackets in node label {label!r}")
            return shape, label.strip(), end + len(closer)
    if i < len(s) and s[i] in "[]{}()":
        raise _Err(f"unbalanced bracket {s[i]!r}")
    return None, "", i


def _read_edge(s: str, i: int) -> tuple[str, str, int] | None:
    """(style, label, next index) for an edge operator at `i`, or None if there is none."""
    for op, style in _PLAIN_OPS:
        if s.startswith(op, i):
            j = i + len(op)
            while j < len(s) and s[j] == " ":
                j += 1
            if s.startswith("|", j):
                end = s.find("|", j + 1)
                if end < 0:
                    raise _Err("unbalanced '|' in edge label")
                return style, s[j + 1:end].strip(), end + 1
            return style, "", i + len(op)
    for opener, closers, style in _TEXT_OPS:
        if s.startswith(opener, i):
            best = None
            for closer in closers:
                k = s.find(" " + closer, i + len(opener))
                if k >= 0 and (best is None or k < best[0]):
                    best = (k, closer)
            if best is None:
                raise _Err(f"edge label opened with {opener.strip()!r} is never closed")
            k, closer = best
            st = style or ("arrow" if closer == "-->" else "line")
            return st, s[i + len(opener):k].strip(), k + 1 + len(closer)
    return None


def _split_statements(line: str) -> list[str]:
    """Split on `;` outside brackets and quotes."""
    out, depth, quoted, piped, cur = [], 0, False, False, []
    for ch in line:
        if ch == '"':
            quoted = not quoted
        elif ch == "|" and not quoted:
            piped = not piped
        elif not quoted and ch in "[({":
            depth += 1
        elif not quoted and ch in "])}":
            depth -= 1
        if ch == ";" and depth <= 0 and not quoted and not piped:
            out.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    out.append("".join(cur))
    return [s.strip() for s in out if s.strip()]


def _parse_statement(stmt: str, nodes: dict[str, MermaidNode], edges: list[MermaidEdge]) -> None:
    i, prev = 0, None
    pending: tuple[str, str] | None = None
    while True:
        while i < len(stmt) and stmt[i] == " ":
            i += 1
        node_id, i = _read_id(stmt, i)
        shape, label, i = _read_shape(stmt, i)
        if shape is not None:
            nodes[node_id] = MermaidNode(id=node_id, label=label, shape=shape)
        elif node_id not in nodes:
            nodes[node_id] = MermaidNode(id=node_id)
        if pending is not None and prev is not None:
            edges.append(MermaidEdge(src=prev, dst=node_id, style=pending[0], label=pending[1]))
        prev = node_id
        while i < len(stmt) and stmt[i] == " ":
            i += 1
        if i >= len(stmt):
            return
        edge = _read_edge(stmt, i)
        if edge is None:
            raise _Err(f"unexpected {stmt[i:i + 12]!r} after node {node_id!r}")
        style, elabel, i = edge
        pending = (style, elabel)
        if stmt[i:].strip() == "":
            raise _Err("dangling arrow: expected a node after it")


# The user's own template opens its sample diagram with this single-'%' instruction line. Mermaid
# comments need '%%', but the template is the user's: accept exactly this line as the
# instruction it is (any other single-'%' line is still an error).
_TEMPLATE_HINT = "% 如果支持mermaid，可以在这里画流程图。如果不支持，可以贴图或文字描述。"


def parse_mermaid(src: str, *, path=None, first_line: int = 1) -> MermaidDiagram:
    """Parse a flowchart; `first_line` is the file line of `src`'s first line (for errors)."""
    from papernotes.core.errors import PapernotesError

    direction: str | None = None
    nodes: dict[str, MermaidNode] = {}
    edges: list[MermaidEdge] = []
    lineno = first_line
    for offset, raw in enumerate(src.splitlines()):
        lineno = first_line + offset
        line = raw.strip()
        if not line or line.startswith("%%") or line == _TEMPLATE_HINT:
            continue
        try:
            if line.startswith("%"):
                raise _Err("a mermaid comment starts with '%%', not a single '%'")
            if direction is None:
                words = line.rstrip(";").split()
                if words[0] not in ("graph", "flowchart"):
                    raise _Err(f"expected 'graph' or 'flowchart', found {words[0]!r}")
                if len(words) > 2 or (len(words) == 2 and words[1] not in _DIRECTIONS):
                    raise _Err(f"unknown direction {' '.join(words[1:])!r} (use TD, TB, BT, LR or RL)")
                direction = words[1] if len(words) == 2 else "TD"
                continue
            for stmt in _split_statements(line):
                _parse_statement(stmt, nodes, edges)
        except _Err as exc:
            raise PapernotesError(exc.msg, path=path, line=lineno, field="diagram") from None
    if direction is None or not nodes:
        raise PapernotesError("empty diagram" if direction is None else "diagram has no nodes",
                              path=path, line=first_line, field="diagram")
    return MermaidDiagram(direction=direction, nodes=list(nodes.values()), edges=edges)


def _node_src(node: MermaidNode) -> str:
    if not node.label and node.shape == "rect":
        return node.id
    opener, closer = _OPEN_OF[node.shape]
    label = node.label
    if any(ch in label for ch in "[](){}|;\"") :
        label = '"' + label.replace('"', "'") + '"'
    return f"{node.id}{opener}{label}{closer}"


_OP_OF = {"arrow": "-->", "line": "---", "dotted": "-.->", "thick": "==>"}


def to_mermaid(d: MermaidDiagram) -> str:
    """Mermaid source (no fence), ending with a newline: nodes declared first, then edges."""
    lines = [f"graph {d.direction}"]
    lines += [f"    {_node_src(n)}" for n in d.nodes]
    for e in d.edges:
        label = f"|{e.label}|" if e.label else ""
        lines.append(f"    {e.src} {_OP_OF[e.style]}{label} {e.dst}")
    return "\n".join(lines) + "\n"
