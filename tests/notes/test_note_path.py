"""A note's file is built from its key only after the key is checked: no key leaves notes/."""

import pytest

from papernotes.core.errors import PapernotesError
from papernotes.core.workspace import init_workspace
from papernotes.notes.vault import note_path


@pytest.mark.parametrize("key", ["../x", "a/b", "..", ".hidden", ""])
def test_bad_note_keys_are_rejected(tmp_path, key):
    ws = init_workspace(tmp_path)
    with pytest.raises(PapernotesError, match="invalid note key"):
        note_path(ws, key)


def test_a_good_key_is_a_file_in_notes(tmp_path):
    ws = init_workspace(tmp_path)
    assert note_path(ws, "对比学习 (SimCLR)") == ws.notes_dir / "对比学习 (SimCLR).md"
