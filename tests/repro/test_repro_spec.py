"""Spec validation: errors name the file, the YAML line and the field; overrides are typed."""

from __future__ import annotations

from pathlib import Path

import pytest

from papernotes.errors import PapernotesError
from papernotes.repro.overrides import parse_overrides
from papernotes.repro.spec import load_spec, resolve, spec_path
from papernotes.yaml_doc import dump_yaml, load_yaml

GOOD = """\
# my spec
name: t
paper: simclr
base:
  train:
    epochs: 5          # keep me
    batch_size: 64
default_profile: demo
profiles:
  demo:
    gpus: 0
    model:
      base_channels: 8
"""


def write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "t.yaml"
    p.write_text(text, encoding="utf-8")
    return p


def test_shipped_specs_resolve_every_profile():
    for name in ("simclr", "simclr-imagenet"):
        path = spec_path(name)
        spec, doc = load_spec(path)
        for profile in spec.profiles:
            r = resolve(spec, doc, path, profile)
            assert r.config.train.batch_size > 0
    spec, doc = load_spec(spec_path("simclr"))
    r18 = resolve(spec, doc, spec_path("simclr"), "resnet18").config
    assert (r18.train.batch_size, r18.optim.base_lr, r18.method_cfg.temperature) == (512, 1.0, 0.5)
    assert (r18.aug.color_strength, r18.optim.weight_decay, r18.train.epochs) == (0.5, 1e-4, 1000)
    assert resolve(spec, doc, spec_path("simclr"), "resnet50").config.model.arch == "resnet50"
    assert resolve(spec, doc, spec_path("simclr"), "demo").config.data.name == "synthetic"
    assert spec.expected[0].value == 94.0
    im, imdoc = load_spec(spec_path("simclr-imagenet"))
    cfg = resolve(im, imdoc, spec_path("simclr-imagenet"), "e1000").config
    assert (cfg.train.batch_size, cfg.optim.base_lr, cfg.train.epochs, cfg.aug.blur) == (4096, 0.3, 1000, True)


def test_profile_merges_over_base_over_defaults(tmp_path):
    path = write(tmp_path, GOOD)
    spec, doc = load_spec(path)
    cfg = resolve(spec, doc, path).config
    assert (cfg.train.epochs, cfg.train.batch_size, cfg.model.base_channels) == (5, 64, 8)
    assert cfg.model.proj_dim == 128  # dataclass default


@pytest.mark.parametrize("old,new,line,field", [
    ("    epochs: 5 ", "    epochs: five ", 6, "base.train.epochs"),
    ("    batch_size: 64", "    batch_sise: 64", 7, "base.train.batch_sise"),
    ("      base_channels: 8", "      base_channels: 8.5", 13, "profiles.demo.model.base_channels"),
    ("    gpus: 0", "    gpus: -1", 11, "profiles.demo.gpus"),
    ("paper: simclr", "paper: simclr\ncolour: red", 4, "colour"),
    ("    batch_size: 64", "    batch_size: 0", 7, "base.train.batch_size"),
    ("paper: simclr", "paper: ../simclr", 3, "paper"),  # it names mlartifacts/<paper>/ too
])
def test_bad_field_names_its_line(tmp_path, old, new, line, field):
    path = write(tmp_path, GOOD.replace(old, new))
    with pytest.raises(PapernotesError) as info:
        spec, doc = load_spec(path)
        resolve(spec, doc, path)
    err = info.value
    assert (err.path, err.line, err.field) == (path, line, field)
    assert str(err).startswith(f"{path}:{line}: {field}: ")
    assert "\n" not in str(err)


def test_the_paper_may_be_any_obsidian_note_name(tmp_path):
    spec, _ = load_spec(write(tmp_path, GOOD.replace("paper: simclr", "paper: 对比学习 (v2) & co")))
    assert spec.paper == "对比学习 (v2) & co"


def test_yaml_syntax_error_names_line(tmp_path):
    path = write(tmp_path, GOOD.replace("    gpus: 0", "    gpus: [0"))
    with pytest.raises(PapernotesError) as info:
        load_spec(path)
    assert info.value.line is not None and info.value.line >= 11


def test_unknown_profile_is_an_error(tmp_path):
    path = write(tmp_path, GOOD)
    spec, doc = load_spec(path)
    with pytest.raises(PapernotesError, match="no profile named 'big'"):
        resolve(spec, doc, path, "big")


def test_overrides_are_typed_by_the_config():
    got = parse_overrides(["train.epochs=3", "optim.base_lr=0.5", "train.compile=true",
                           "data.name=synthetic", "train.max_steps=null", "data.root=/x",
                           "train.threads=2", "optim.weight_decay=1e-5"])
    assert got == {"train": {"epochs": 3, "compile": True, "max_steps": None, "threads": 2},
                   "optim": {"base_lr": 0.5, "weight_decay": 1e-5},
                   "data": {"name": "synthetic", "root": "/x"}}
    assert type(got["optim"]["base_lr"]) is float and type(got["train"]["epochs"]) is int


@pytest.mark.parametrize("item,field,msg", [
    ("train.epochs=five", "train.epochs", "expected an integer"),
    ("train.compile=maybe", "train.compile", "expected true/false"),
    ("train.epoch=3", "train.epoch", "unknown field"),
    ("nope.x=1", "nope", "unknown field"),
    ("optim.name=adam", "optim.name", "expected one of"),
    ("train=3", "train", "section"),
    ("train.epochs", "--set", "FIELD=VALUE"),
])
def test_bad_overrides_name_the_field(item, field, msg):
    with pytest.raises(PapernotesError) as info:
        parse_overrides([item])
    assert info.value.field.startswith(field) and msg in str(info.value)


def test_override_applies_and_range_checked(tmp_path):
    path = write(tmp_path, GOOD)
    spec, doc = load_spec(path)
    cfg = resolve(spec, doc, path, overrides=parse_overrides(["train.epochs=9"])).config
    assert cfg.train.epochs == 9
    with pytest.raises(PapernotesError) as info:
        resolve(spec, doc, path, overrides=parse_overrides(["train.batch_size=0"]))
    assert info.value.field == "train.batch_size" and "--set" in str(info.value)


def test_round_trip_edit_keeps_comments(tmp_path):
    path = write(tmp_path, GOOD)
    doc = load_yaml(path)
    doc["base"]["train"]["epochs"] = 7
    dump_yaml(doc, path)
    text = path.read_text(encoding="utf-8")
    assert text == GOOD.replace("epochs: 5 ", "epochs: 7 ")


def test_demo_profile_is_the_engine_demo_preset():
    presets = pytest.importorskip("papernotes.ssl.presets")
    from papernotes.ssl.config import config_to_dict

    spec, doc = load_spec(spec_path("simclr"))
    demo = resolve(spec, doc, spec_path("simclr"), "demo").config
    assert config_to_dict(demo) == config_to_dict(presets.DEMO_CONFIG)


def test_save_refuses_specs_outside_the_workspace(tmp_path):
    from papernotes.repro.spec_edit import save_overrides

    path = write(tmp_path, GOOD)
    with pytest.raises(PapernotesError, match="only specs in the workspace"):
        save_overrides(path, "demo", {"train": {"epochs": 2}}, tmp_path / "elsewhere")
    assert path.read_text(encoding="utf-8") == GOOD
    save_overrides(path, "big", {"train": {"epochs": 2}}, tmp_path)
    spec, doc = load_spec(path)
    assert resolve(spec, doc, path, "big").config.train.epochs == 2
    assert path.read_text(encoding="utf-8").startswith(GOOD)  # appended, nothing above moved
