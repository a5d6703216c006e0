"""One error contract in every layer: a user mistake or a missing resource is a PapernotesError
(one line, exit 2); anything else is a bug and keeps its traceback."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
import torch
import typer

from papernotes.cli.console import handles_errors
from papernotes.core.errors import PapernotesError
from papernotes.ssl.config import ConfigError
from papernotes.ssl.data.datasets import DataError
from papernotes.ssl.distributed import init_distributed
from papernotes.ssl.evaluation.linear import EncoderChanged


def test_engine_errors_are_papernotes_errors():
    err = ConfigError("train.batch_size", "must be positive, got 0")
    assert isinstance(err, PapernotesError) and isinstance(err, ValueError)
    assert str(err) == "train.batch_size: must be positive, got 0" and err.field == "train.batch_size"
    assert issubclass(DataError, PapernotesError)
    assert not issubclass(EncoderChanged, PapernotesError)  # a bug, never user input


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the machine without a GPU")
def test_cuda_without_a_gpu_is_a_user_error_naming_the_field():
    with pytest.raises(ConfigError) as err:
        init_distributed("cuda")
    assert err.value.field == "train.device" and "--device cpu" in str(err.value)


def test_cli_boundary_prints_user_errors_and_lets_bugs_through(capsys):
    @handles_errors
    def user_mistake():
        raise ConfigError("train.epochs", "must be positive, got 0")

    @handles_errors
    def bug():
        raise EncoderChanged("encoder weights moved during linear evaluation")

    with pytest.raises(typer.Exit) as ex:
        user_mistake()
    assert ex.value.exit_code == 2
    assert "train.epochs: must be positive, got 0" in capsys.readouterr().err
    with pytest.raises(EncoderChanged):  # not swallowed into one line
        bug()
    with pytest.raises(ValueError):
        handles_errors(lambda: int("x"))()


def test_engine_entry_point_cuda_request_is_one_line_exit_2(tmp_path):
    if torch.cuda.is_available():
        pytest.skip("checks the machine without a GPU")
    path = tmp_path / "c.json"
    path.write_text(json.dumps({"train": {"device": "cuda"}, "out_dir": str(tmp_path / "out")}))
    proc = subprocess.run([sys.executable, "-m", "papernotes.ssl.pretrain", "--config", str(path)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.strip().count("\n") == 0 and "train.device" in proc.stderr
    assert "Traceback" not in proc.stderr
