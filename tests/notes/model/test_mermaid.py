"""parse_mermaid / to_mermaid: the flowchart subset, exact error lines, and round trips."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from papernotes.core.errors import PapernotesError
from papernotes.notes.model.mermaid import MermaidDiagram, MermaidEdge, MermaidNode, parse_mermaid, to_mermaid

TEMPLATE = """graph TD
  A[输入] --> B[模块1];
  B --> C[模块2];
  C --> D[输出];
"""


def test_template_diagram():
    d = parse_mermaid(TEMPLATE)
    assert d.direction == "TD"
    assert [(n.id, n.label, n.shape) for n in d.nodes] == [
        ("A", "输入", "rect"), ("B", "模块1", "rect"), ("C", "模块2", "rect"), ("D", "输出", "rect")]
    assert [(e.src, e.dst, e.style) for e in d.edges] == [("A", "B", "arrow"), ("B", "C", "arrow"),
                                                          ("C", "D", "arrow")]


@pytest.mark.parametrize("src,shape,label", [
    ("A[box]", "rect", "box"), ("A(round)", "round", "round"), ("A([stadium])", "stadium", "stadium"),
    ("A((circle))", "circle", "circle"), ("A{decide}", "rhombus", "decide"),
    ("A[[sub]]", "subroutine", "sub"), ("A[(db)]", "cylinder", "db"), ("A{{hex}}", "hexagon", "hex"),
    ('A["f (x)"]', "rect", "f (x)"),
])
def test_shapes(src, shape, label):
    d = parse_mermaid(f"flowchart LR\n{src}\n")
    assert d.nodes == [MermaidNode(id="A", label=label, shape=shape)]
    assert d.direction == "LR"


@pytest.mark.parametrize("op,style,label", [
    ("-->", "arrow", ""), ("---", "line", ""), ("-.->", "dotted", ""), ("==>", "thick", ""),
    ("-- yes -->", "arrow", "yes"), ("-->|no way|", "arrow", "no way"), ("-- t ---", "line", "t"),
    ("-. maybe .->", "dotted", "maybe"), ("== big ==>", "thick", "big"), ("---|l|", "line", "l"),
])
def test_edges(op, style, label):
    d = parse_mermaid(f"graph TD\nA {op} B\n")
    assert d.edges == [MermaidEdge(src="A", dst="B", style=style, label=label)]


def test_chain_semicolons_comments_and_redeclaration():
    d = parse_mermaid("%% head comment\ngraph BT;\n  A --> B --> C; C -.-> A\n  %% note\n  B[Bee]\n")
    assert [(e.src, e.dst) for e in d.edges] == [("A", "B"), ("B", "C"), ("C", "A")]
    assert d.nodes[1] == MermaidNode(id="B", label="Bee", shape="rect")
    assert d.direction == "BT"


@pytest.mark.parametrize("src,line,msg", [
    ("graph XY\nA --> B\n", 10, "unknown direction"),
    ("graph TD\nA --> B\nB[oops --> C\n", 12, "unbalanced"),
    ("graph TD\nA -->\n", 11, "dangling arrow"),
    ("graph TD\nA --> B -->\n", 11, "dangling arrow"),
    ("graph TD\n  A --> ]\n", 11, "unbalanced"),
    ("graph TD\n%% nothing\n", 10, "no nodes"),
    ("%% only a comment\n\n", 10, "empty diagram"),
    ("sequenceDiagram\nA->>B: hi\n", 10, "expected 'graph'"),
    ("graph TD\nA -- never closed\n", 11, "never closed"),
    ("graph TD\nA ~~ B\n", 11, "unexpected"),
])
def test_errors_name_the_file_line(src, line, msg):
    with pytest.raises(PapernotesError) as info:
        parse_mermaid(src, path="notes/x.md", first_line=10)
    err = info.value
    assert (err.line, err.field) == (line, "diagram")
    assert msg in err.message
    assert str(err).startswith(f"notes{'/'}x.md:{line}: diagram: ")


_ids = st.from_regex(r"[A-Za-z][A-Za-z0-9_]{0,5}", fullmatch=True)
_labels = st.text(st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters='"|\n\r'),
                  max_size=12).map(str.strip)


@st.composite
def diagrams(draw):
    ids = draw(st.lists(_ids, min_size=1, max_size=6, unique=True))
    nodes = [MermaidNode(id=i, label=draw(_labels), shape=draw(st.sampled_from(
        ["rect", "round", "stadium", "circle", "rhombus", "subroutine", "cylinder", "hexagon"])))
        for i in ids]
    edges = draw(st.lists(st.builds(MermaidEdge, src=st.sampled_from(ids), dst=st.sampled_from(ids),
                                    label=_labels,
                                    style=st.sampled_from(["arrow", "line", "dotted", "thick"])),
                          max_size=8))
    return MermaidDiagram(direction=draw(st.sampled_from(["TD", "TB", "BT", "LR", "RL"])),
                          nodes=nodes, edges=edges)


@settings(max_examples=150, deadline=None)
@given(diagrams())
def test_to_mermaid_round_trips(d):
    src = to_mermaid(d)
    back = parse_mermaid(src)
    # a bare node's empty label reads back as the same empty label; everything else is exact
    assert back == d
    assert to_mermaid(back) == src
