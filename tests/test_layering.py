"""Which part of papernotes may import what, and no import cycle, read from the source with `ast`
(nothing is imported).

Every import counts, wherever it is in the file (inside functions too), and so does
`importlib.import_module("name")` with a literal name. The rules:

- `papernotes.core` imports no other part of papernotes (it is the bottom layer);
- `notes/` never imports torch, mlflow, `ssl`, `repro` or `cli`; inside it `repair/` and `model/`
  stand alone and `format/`, `sources/` and `remote/` sit on `model/` only;
- `ssl/` (the engine) imports none of pydantic, mlflow, ruamel, rich, jinja2, typer, `notes`,
  `repro`, `cli`;
- `repro/` never imports `cli`, and its sub-packages are ordered
  spec < launch < tracking < results < run < experiment: a module imports only its own
  sub-package and earlier ones;
- `from papernotes.notes import X` names a module of `notes/` (the package exports no names);
- no cycle among papernotes' modules (tests/test_import_cycles.py, with the same reading of
  imports).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parents[1] / "papernotes"

# part of papernotes -> module prefixes it must never import
FORBIDDEN: dict[str, tuple[str, ...]] = {
    "papernotes.notes": ("torch", "torchvision", "mlflow",
                         "papernotes.ssl", "papernotes.repro", "papernotes.cli"),
    "papernotes.ssl": ("pydantic", "mlflow", "ruamel", "rich", "jinja2", "typer",
                       "papernotes.notes", "papernotes.repro", "papernotes.cli"),
    "papernotes.core": ("papernotes.",),
    "papernotes.repro": ("papernotes.cli",),
    # inside notes: the text repair and the model stand alone; the format and the sources sit
    # on the model only
    "papernotes.notes.repair": ("papernotes.notes.",),
    "papernotes.notes.model": ("papernotes.notes.",),
    "papernotes.notes.format": ("papernotes.notes.",),
    "papernotes.notes.sources": ("papernotes.notes.",),
    # the network sources (new ID, sync) sit on the model only, like the other sources
    "papernotes.notes.remote": ("papernotes.notes.",),
}
# what a sub-package may import of its own parent despite the rule above
ALLOWED: dict[str, tuple[str, ...]] = {
    "papernotes.core": ("papernotes.core",),
    "papernotes.notes.repair": ("papernotes.notes.repair",),
    "papernotes.notes.model": ("papernotes.notes.model",),
    "papernotes.notes.format": ("papernotes.notes.format", "papernotes.notes.model"),
    "papernotes.notes.sources": ("papernotes.notes.sources", "papernotes.notes.model"),
    "papernotes.notes.remote": ("papernotes.notes.remote", "papernotes.notes.model"),
}


def module_name(path: Path) -> str:
    parts = path.relative_to(PKG.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_type_checking(node: ast.AST) -> bool:
    test = node.test if isinstance(node, ast.If) else None
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _nodes(tree: ast.AST, skip_type_checking: bool):
    """Every node of `tree`; without the bodies of `if TYPE_CHECKING:` when told (else kept)."""
    todo = [tree]
    while todo:
        node = todo.pop()
        yield node
        if skip_type_checking and _is_type_checking(node):
            todo += [node.test, *node.orelse]
            continue
        todo += ast.iter_child_nodes(node)


def imported_modules(source: str, module: str, is_package: bool = False,
                     skip_type_checking: bool = False) -> list[tuple[int, str]]:
    """(line, dotted name) of everything `source` imports; `from a import b` gives a and a.b."""
    package = module if is_package else module.rpartition(".")[0]
    found: list[tuple[int, str]] = []
    for node in _nodes(ast.parse(source), skip_type_checking):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: resolve against the importing module's package
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            found.append((node.lineno, base))
            found += [(node.lineno, f"{base}.{alias.name}") for alias in node.names]
        elif (isinstance(node, ast.Call) and node.args
              and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)
              and ((isinstance(node.func, ast.Attribute) and node.func.attr == "import_module")
                   or (isinstance(node.func, ast.Name)
                       and node.func.id in ("import_module", "__import__")))):
            found.append((node.lineno, node.args[0].value))
    return sorted(found)


def _matches(name: str, prefix: str) -> bool:
    if prefix.endswith("."):
        return name.startswith(prefix)
    return name == prefix or name.startswith(prefix + ".")


REPRO_ORDER = ("spec", "launch", "tracking", "results", "run", "experiment")
NOTES_MODULES = frozenset([*(p.stem for p in (PKG / "notes").glob("*.py")),
                           *(p.name for p in (PKG / "notes").iterdir() if (p / "__init__.py").is_file())])


def _repro_part(name: str) -> int | None:
    """The place of a `papernotes.repro.<part>...` module in REPRO_ORDER (None: not in one)."""
    parts = name.split(".")
    if len(parts) > 2 and parts[:2] == ["papernotes", "repro"] and parts[2] in REPRO_ORDER:
        return REPRO_ORDER.index(parts[2])
    return None


def violations(source: str, module: str, is_package: bool = False) -> list[str]:
    out = []
    mine = _repro_part(module)
    for node in ast.walk(ast.parse(source)):
        if (isinstance(node, ast.ImportFrom) and node.module == "papernotes.notes"
                and not node.level):
            out += [f"{module}:{node.lineno}: imports {a.name} from papernotes.notes (the package "
                    f"exports no names: import it from its module)"
                    for a in node.names if a.name not in NOTES_MODULES]
    for line, name in imported_modules(source, module, is_package):
        theirs = _repro_part(name)
        if mine is not None and theirs is not None and theirs > mine:
            out.append(f"{module}:{line}: imports {name} (repro/{REPRO_ORDER[mine]}/ comes before "
                       f"repro/{REPRO_ORDER[theirs]}/: {' < '.join(REPRO_ORDER)})")
        for part, banned in FORBIDDEN.items():
            if not _matches(module, part):
                continue
            allowed = ALLOWED.get(part, ())
            for prefix in banned:
                if _matches(name, prefix) and not any(_matches(name, a) for a in allowed):
                    out.append(f"{module}:{line}: imports {name} ({part} must not import {prefix})")
    return out


SOURCES = sorted(p for p in PKG.rglob("*.py") if "__pycache__" not in p.parts)


def test_the_rules_name_real_folders():
    for part in FORBIDDEN:
        assert (PKG.parent / part.replace(".", "/") / "__init__.py").is_file(), part


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(PKG.parent)))
def test_layering(path):
    source = path.read_text(encoding="utf-8")
    assert violations(source, module_name(path), path.name == "__init__.py") == []


@pytest.mark.parametrize("module, source", [
    ("papernotes.notes.vault", "def f():\n    import torch\n"),
    ("papernotes.notes.format.parse", "from papernotes import repro\n"),
    ("papernotes.notes.format.parse", "from papernotes.notes.vault import load_note\n"),
    ("papernotes.notes.repair.mojibake", "from ..format import parse\n"),
    ("papernotes.ssl.train", "class A:\n    def m(self):\n        from rich.console import Console\n"),
    ("papernotes.ssl.train", "import importlib\nimportlib.import_module('mlflow')\n"),
    ("papernotes.repro.run.runner", "if True:\n    from papernotes.cli.console import console\n"),
    ("papernotes.core.workspace", "def f():\n    from papernotes.notes.model.schema import Note\n"),
    ("papernotes.core.atomic", "from papernotes import repro\n"),
    ("papernotes.repro.tracking.runs", "def f():\n    from papernotes.repro.results.board import x\n"),
    ("papernotes.repro.spec.find", "from papernotes.repro.launch import layout\n"),
    ("papernotes.repro.run.resume", "import papernotes.repro.experiment.arms\n"),
    ("papernotes.repro.results.board", "from ..run import runner\n"),
    ("papernotes.cli.board", "from papernotes.notes import load_card\n"),
])
def test_a_violation_is_found(module, source):
    assert violations(source, module), source


@pytest.mark.parametrize("module, source", [
    ("papernotes.notes.format.parse", "from papernotes.notes.model.schema import Note\n"),
    ("papernotes.repro.run.runner", "from papernotes.repro.tracking.sink import Tracker\n"),
    ("papernotes.repro.tracking.sink", "from papernotes.repro.launch import layout\n"
                                       "from papernotes.repro.spec.find import spec_path\n"),
    ("papernotes.core.locked_update", "from papernotes.core.locks import FileLock\nimport json\n"),
    ("papernotes.cli.board", "from papernotes.notes import validation_cache\n"),
    ("papernotes.notes.format.parse", "from . import markdown\n"),
    ("papernotes.notes.vault", "from papernotes.notes.format.parse import parse_note\n"),
    ("papernotes.ssl.train", "import torch\nfrom papernotes.core.errors import PapernotesError\n"),
    ("papernotes.repro.run.runner", "from papernotes.notes.vault import load_note\nimport mlflow\n"),
])
def test_allowed_imports_pass(module, source):
    assert violations(source, module) == []
