"""notes/papers.base against Obsidian's documented Bases syntax (obsidianmd/obsidian-help
`en/Bases/Bases syntax.md`, `Functions.md`): its shape, and every name it uses is a property the
notes carry, a formula it defines, or a documented file property."""

from __future__ import annotations

import json
import re

import yaml

from papernotes.notes.bases import BASE, NAME, write_base
from papernotes.notes.format.properties import PROPERTY_FIELDS
from papernotes.notes.format.repro_properties import OBSIDIAN_TYPES, OWNED
from papernotes.notes.obsidian_types import FILE, add_types

# Bases syntax.md, "File properties"
FILE_PROPERTIES = {"backlinks", "ctime", "embeds", "ext", "file", "folder", "links", "mtime", "name",
                   "path", "properties", "size", "tags"}
# Functions.md: the global functions, and the methods this base calls
GLOBALS = {"if", "link", "list", "number", "date", "now", "today", "max", "min", "icon", "image", "file"}
METHODS = {"toFixed", "isEmpty", "hasProperty", "hasTag", "inFolder", "round", "contains"}
VIEW_TYPES = {"table", "cards", "list", "map"}
NOTE_PROPERTIES = set(PROPERTY_FIELDS) | set(OWNED)
_NAME = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*")
_STRING = re.compile(r'"[^"]*"|\'[^\']*\'')


def names_in(expr: str, formulas: set[str]) -> list[str]:
    """The properties an expression reads (string literals, functions and methods left out)."""
    out = []
    text = _STRING.sub('""', expr)
    for m in _NAME.finditer(text):
        name, after = m.group(), text[m.end():m.end() + 1]
        if text[m.start() - 1:m.start()] == "." or name in ("true", "false", "null"):
            continue
        parts = name.split(".")
        if after == "(":
            if len(parts) == 1:
                assert name in GLOBALS, name
                continue
            assert parts[-1] in METHODS, name
            parts = parts[:-1]
        out.append(".".join(parts))
    return out


def check_name(name: str, formulas: set[str]) -> None:
    head, _, rest = name.partition(".")
    if head == "file":  # `file` itself (file.hasProperty(...)) or one of its properties
        assert not rest or rest.split(".")[0] in FILE_PROPERTIES, name
    elif head == "formula":
        assert rest in formulas, name
    elif head == "note":
        assert rest.split(".")[0] in NOTE_PROPERTIES, name
    else:
        assert head in NOTE_PROPERTIES, name


def filter_strings(node) -> list[str]:
    if isinstance(node, str):
        return [node]
    assert isinstance(node, dict) and len(node) == 1 and set(node) <= {"and", "or", "not"}, node
    (items,) = node.values()
    return [s for item in items for s in filter_strings(item)]


def test_the_base_follows_the_documented_syntax_and_names_only_what_exists():
    base = yaml.safe_load(BASE)
    assert set(base) <= {"filters", "formulas", "properties", "summaries", "views"}
    formulas = set(base["formulas"])
    used = []
    for expr in base["formulas"].values():
        used += names_in(expr, formulas)
    for expr in filter_strings(base["filters"]):
        used += names_in(expr, formulas)
    used += list(base["properties"])
    assert all(set(v) == {"displayName"} for v in base["properties"].values())
    views = {v["name"]: v for v in base["views"]}
    assert list(views) == ["Board", "Reading list"]
    for view in views.values():
        assert view["type"] in VIEW_TYPES and view["order"]
        used += view["order"]
        for s in view.get("sort", []):
            assert set(s) == {"property", "direction"} and s["direction"] in ("ASC", "DESC")
            used.append(s["property"])
        if "groupBy" in view:
            assert view["groupBy"]["direction"] in ("ASC", "DESC")
            used.append(view["groupBy"]["property"])
        if "filters" in view:
            for expr in filter_strings(view["filters"]):
                used += names_in(expr, formulas)
    for name in used:
        check_name(name, formulas)
    board = set(views["Board"]["order"])
    assert {"paper_top1", "formula.ours", "repro_n", "formula.gap", "repro_protocol", "repro_run"} <= board
    assert {"status", "rating", "year", "venue", "tags"} <= set(views["Reading list"]["order"])
    # every owned property is shown or sorted by somewhere
    assert set(OWNED) <= set(used) | {"repro_ci95", "repro_top1"}
    assert "repro_ci95" in base["formulas"]["ours"] and "repro_top1" in base["formulas"]["gap"]


def test_names_in_reads_properties_not_functions_or_strings():
    assert names_in('if(repro_n, repro_top1.toFixed(2) + " ± x.y", "")', set()) == ["repro_n", "repro_top1"]
    assert names_in('file.hasProperty("status")', set()) == ["file"]


def test_the_base_is_written_once_and_never_overwritten(tmp_path):
    assert write_base(tmp_path) == tmp_path / NAME
    assert (tmp_path / NAME).read_text(encoding="utf-8") == BASE
    (tmp_path / NAME).write_text("views: []  # mine\n", encoding="utf-8")
    assert write_base(tmp_path) is None
    assert (tmp_path / NAME).read_text(encoding="utf-8") == "views: []  # mine\n"


def test_types_json_gains_only_what_it_lacks(tmp_path, capsys):
    assert add_types(tmp_path) == list(OBSIDIAN_TYPES)
    data = json.loads((tmp_path / FILE).read_text(encoding="utf-8"))
    assert data["types"]["repro_top1"] == "number" and data["types"]["date"] == "date"
    assert data["types"]["repro_n"] == "number" and "repro_protocol" not in data["types"]
    mine = {"types": {"rating": "text", "mood": "text"}, "other": 1}
    (tmp_path / FILE).write_text(json.dumps(mine), encoding="utf-8")
    add_types(tmp_path)
    data = json.loads((tmp_path / FILE).read_text(encoding="utf-8"))
    assert data["types"]["rating"] == "text" and data["types"]["mood"] == "text" and data["other"] == 1
    assert data["types"]["paper_top1"] == "number"
    (tmp_path / FILE).write_text("{broken", encoding="utf-8")
    assert add_types(tmp_path) == []
    assert (tmp_path / FILE).read_text(encoding="utf-8") == "{broken"
