"""The user's files (papernotes/ssl/user_code.py): loaded by path under a private name, pinned by
sha256, and each of their bugs one line naming their file and line."""

from __future__ import annotations

import sys

import pytest
import torch

from papernotes.ssl.config import config_from_dict, config_to_dict
from papernotes.ssl.methods import build_method
from papernotes.ssl.user_code import UserCodeError, blame, load_file, load_folder, pins, sha256_of

GOOD = '''from papernotes.ssl.methods import SimCLR, register_method


@register_method("{name}")
class Mine(SimCLR):
    def forward(self, views, step):
        if step == 7:
            raise ZeroDivisionError("step seven")
        return super().forward(views, step)
'''
TINY = {"data": {"num_train": 64, "num_test": 32, "image_size": 16},
        "model": {"base_channels": 4, "cifar_stem": False, "proj_dim": 8},
        "train": {"epochs": 1, "batch_size": 16, "device": "cpu", "threads": 1}}


def write(folder, name, text):
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_file_loads_by_path_pins_its_hash_and_travels_in_the_config(tmp_path):
    path = write(tmp_path, "json.py", GOOD.format(name="test_uc_good"))  # shadows no stdlib module
    mod = load_file(path)
    assert mod.sha256 == sha256_of(path) and mod.module.startswith("papernotes_user.json_")
    assert sys.modules["json"].__name__ == "json"
    assert load_file(path) is mod  # the same bytes are not run twice
    cfg = config_from_dict({**TINY, "method": "test_uc_good"})
    assert [m.path for m in pins("test_uc_good", "resnet18")] == [path.resolve()]
    raw = config_to_dict(cfg)
    assert raw["code"] == [{"path": str(path.resolve()), "sha256": mod.sha256}]
    assert config_from_dict(raw) == cfg
    assert "code" not in config_to_dict(config_from_dict({**TINY, "method": "simclr"}))


def test_an_exception_in_forward_is_blamed_on_the_users_line(tmp_path):
    path = write(tmp_path, "blamed.py", GOOD.format(name="test_uc_blamed"))
    load_file(path)
    method = build_method(config_from_dict({**TINY, "method": "test_uc_blamed"}))
    with pytest.raises(ZeroDivisionError) as raised:
        method([torch.rand(4, 3, 16, 16)] * 2, 7)
    err = blame(raised.value)
    assert (err.path, err.line) == (path.resolve(), 8)
    assert str(err) == f"{path.resolve()}:8: ZeroDivisionError: step seven"
    assert "Traceback" in err.traceback and "super().forward" not in err.message
    assert blame(ValueError("a papernotes bug")) is None


@pytest.mark.parametrize("text, line, message", [
    ("x = (\n", 1, "SyntaxError"),
    ("import no_such_module_here\n", 1, "ModuleNotFoundError: No module named 'no_such_module_here'"),
    ("from papernotes.ssl.methods import SimCLR\n\n\nclass Forgot(SimCLR):\n    pass\n", 1,
     "the file registers no method or backbone"),
    ("from papernotes.ssl.methods import SimCLR, register_method\n\n\n@register_method('simclr')\n"
     "class Again(SimCLR):\n    pass\n", 4, "method 'simclr' is already registered by"),
])
def test_a_broken_file_is_one_line_naming_it(tmp_path, text, line, message):
    path = write(tmp_path, "broken.py", text)
    with pytest.raises(UserCodeError) as err:
        load_folder(tmp_path)
    assert (err.value.path, err.value.line) == (path.resolve(), line)
    assert message in str(err.value) and "\n" not in str(err.value)


def test_a_pinned_file_missing_or_changed_is_refused(tmp_path):
    path = write(tmp_path, "pinned.py", GOOD.format(name="test_uc_pinned"))
    digest = load_file(path).sha256
    with pytest.raises(UserCodeError, match="missing on this machine"):
        load_file(tmp_path / "elsewhere.py", expect_sha256=digest)
    path.write_text(GOOD.format(name="test_uc_pinned") + "# edited\n", encoding="utf-8")
    with pytest.raises(UserCodeError, match="differs from the one the run was launched with"):
        load_file(path, expect_sha256=digest)
