"""Which part of papernotes may import what, read from the source with `ast` (nothing is imported).

Every import counts, wherever it is in the file (inside functions too), and so does
`importlib.import_module("name")` with a literal name.
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
    "papernotes.repro": ("papernotes.cli",),
    # inside notes: the text repair and the model stand alone; the format and the sources sit
    # on the model only
    "papernotes.notes.repair": ("papernotes.notes.",),
    "papernotes.notes.model": ("papernotes.notes.",),
    "papernotes.notes.format": ("papernotes.notes.",),
    "papernotes.notes.sources": ("papernotes.notes.",),
}
# what a sub-package may import of its own parent despite the rule above
ALLOWED: dict[str, tuple[str, ...]] = {
    "papernotes.notes.repair": ("papernotes.notes.repair",),
    "papernotes.notes.model": ("papernotes.notes.model",),
    "papernotes.notes.format": ("papernotes.notes.format", "papernotes.notes.model"),
    "papernotes.notes.sources": ("papernotes.notes.sources", "papernotes.notes.model"),
}


def module_name(path: Path) -> str:
    parts = path.relative_to(PKG.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(source: str, module: str, is_package: bool = False) -> list[tuple[int, str]]:
    """(line, dotted name) of everything `source` imports; `from a import b` gives a and a.b."""
    package = module if is_package else module.rpartition(".")[0]
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
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
    return found


def _matches(name: str, prefix: str) -> bool:
    if prefix.endswith("."):
        return name.startswith(prefix)
    return name == prefix or name.startswith(prefix + ".")


def violations(source: str, module: str, is_package: bool = False) -> list[str]:
    out = []
    for line, name in imported_modules(source, module, is_package):
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
])
def test_a_violation_is_found(module, source):
    assert violations(source, module), source


@pytest.mark.parametrize("module, source", [
    ("papernotes.notes.format.parse", "from papernotes.notes.model.schema import Note\n"),
    ("papernotes.notes.format.parse", "from . import markdown\n"),
    ("papernotes.notes.vault", "from papernotes.notes.format.parse import parse_note\n"),
    ("papernotes.ssl.train", "import torch\nfrom papernotes.core.errors import PapernotesError\n"),
    ("papernotes.repro.run.runner", "from papernotes.notes import load_note\nimport mlflow\n"),
])
def test_allowed_imports_pass(module, source):
    assert violations(source, module) == []
