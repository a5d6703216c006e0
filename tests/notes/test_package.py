"""`papernotes.notes` exports no names (tests/test_layering.py refuses `from papernotes.notes
import NAME`): importing the package loads none of its modules, and a sub-module imports
through it as usual."""

from __future__ import annotations

import subprocess
import sys
import types


def test_importing_the_package_loads_none_of_its_modules():
    code = ("import sys, papernotes.notes; "
            "print(sorted(m for m in sys.modules if m.startswith('papernotes.notes.')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_a_sub_module_imports_through_the_package():
    import papernotes.notes as notes
    from papernotes.notes import validation_cache

    assert validation_cache.__name__ == "papernotes.notes.validation_cache"
    assert all(isinstance(v, types.ModuleType) for k, v in vars(notes).items()
               if not k.startswith("__"))  # sub-modules, once imported; no other name
    assert not hasattr(notes, "load_note") and "__getattr__" not in vars(notes)
