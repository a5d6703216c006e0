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


def test_the_ui_port_is_the_one_ui_last_used_else_the_config_s(tmp_path):
    from papernotes.core.workspace import find_workspace, init_workspace

    ws = init_workspace(tmp_path / "v")
    assert ws.ui_port == 5000 and ws.ui_base == "http://127.0.0.1:5000"
    cfg = ws.root / "papernotes.yaml"
    cfg.write_text(cfg.read_text(encoding="utf-8") + "ui_port: 5002\n", encoding="utf-8")
    assert find_workspace(ws.root).ui_port == 5002
    find_workspace(ws.root).record_ui_port(5001)
    assert find_workspace(ws.root).ui_base == "http://127.0.0.1:5001"
