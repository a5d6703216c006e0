import pytest

from papernotes.core.errors import PapernotesError
from papernotes.core.workspace import CONFIG_NAME, find_workspace, init_workspace


def test_init_then_find_from_a_subfolder(tmp_path):
    ws = init_workspace(tmp_path / "vault")
    assert (ws.root / CONFIG_NAME).is_file()
    assert ws.notes_dir.is_dir() and ws.templates_dir.is_dir() and ws.repro_dir.is_dir()
    deep = ws.notes_dir / "a" / "b"
    deep.mkdir(parents=True)
    found = find_workspace(deep)
    assert found.root == ws.root
    assert found.config.lang == "zh"
    assert found.tracking_uri == f"sqlite:///{ws.root / 'mlflow.db'}"


def test_init_refuses_twice_without_force(tmp_path):
    init_workspace(tmp_path)
    with pytest.raises(PapernotesError, match="already a papernotes workspace"):
        init_workspace(tmp_path)
    init_workspace(tmp_path, force=True)


def test_no_workspace_is_a_clear_error(tmp_path):
    with pytest.raises(PapernotesError, match="papernotes init"):
        find_workspace(tmp_path)


def test_bad_config_names_file_and_field(tmp_path):
    (tmp_path / CONFIG_NAME).write_text("lang: zh\nnotes_dirr: x\n")
    with pytest.raises(PapernotesError) as err:
        find_workspace(tmp_path)
    assert "notes_dirr" in str(err.value) and CONFIG_NAME in str(err.value)
