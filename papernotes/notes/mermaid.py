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
