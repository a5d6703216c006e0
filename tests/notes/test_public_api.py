"""`from papernotes.notes import X`: every exported name resolves, and the package import is free."""

from __future__ import annotations

import subprocess
import sys

import papernotes.notes as notes


def test_every_exported_name_resolves_to_its_module_object():
    for name in notes.__all__:
        value = getattr(notes, name)
        assert getattr(value, "__name__", name) == name, name
    from papernotes.notes import Note, parse_note  # noqa: F401 - the import form the CLI uses
    from papernotes.notes.model.schema import Note as Direct
    assert Note is Direct


def test_submodules_still_import_through_the_package():
    from papernotes.notes import validation_cache
    assert validation_cache.__name__ == "papernotes.notes.validation_cache"


def test_importing_the_package_loads_none_of_its_modules():
    code = ("import sys, papernotes.notes; "
            "print(sorted(m for m in sys.modules if m.startswith('papernotes.notes.')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
