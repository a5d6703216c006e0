"""The command line: bad config or data is one line on stderr and exit 2, nothing written."""

import json
import subprocess
import sys

import pytest

from papernotes.ssl.config import config_from_dict
from papernotes.ssl.data.datasets import DataError
from papernotes.ssl.pretrain import main, run


def _cli(tmp_path, cfg):
    path = tmp_path / "cfg.json"
    path.write_text(json.dumps(cfg) if isinstance(cfg, dict) else cfg)
    return subprocess.run([sys.executable, "-m", "papernotes.ssl.pretrain", "--config", str(path)],
                          capture_output=True, text=True, timeout=120)


def test_bad_config_field_is_one_line_exit_2(tmp_path):
    proc = _cli(tmp_path, {"train": {"batch_size": "big"}, "out_dir": str(tmp_path / "out")})
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0 and "train.batch_size" in proc.stderr
    assert "Traceback" not in proc.stderr and not (tmp_path / "out").exists()


def test_missing_data_set_in_process_is_one_line_exit_2(tmp_path, capsys):
    cfg = {"data": {"name": "cifar10", "root": str(tmp_path / "nowhere")}, "out_dir": str(tmp_path / "out")}
    (tmp_path / "c.json").write_text(json.dumps(cfg))
    assert main(["--config", str(tmp_path / "c.json")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "nowhere" in err and "data_batch_1" in err
    assert not (tmp_path / "out").exists()


def test_unknown_field_and_batch_larger_than_data(tmp_path, capsys):
    (tmp_path / "u.json").write_text(json.dumps({"train": {"epocs": 3}}))
    assert main(["--config", str(tmp_path / "u.json")]) == 2
    assert "train.epocs: unknown field" in capsys.readouterr().err
    cfg = config_from_dict({"data": {"num_train": 20, "num_test": 10}, "train": {"batch_size": 64, "device": "cpu"},
                            "out_dir": str(tmp_path / "o")})
    with pytest.raises(ValueError, match="train.batch_size: batch size 64 is larger than the data set"):
        run(cfg)
    with pytest.raises(DataError):
        run(config_from_dict({"data": {"num_classes": 40}, "out_dir": str(tmp_path / "o")}))
