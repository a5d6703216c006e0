"""Spec validation: errors name the file, the YAML line and the field; overrides are typed."""

from __future__ import annotations

from pathlib import Path

import pytest

from papernotes.core.errors import PapernotesError
from papernotes.core.resources import shipped_dir
from papernotes.core.yaml_doc import dump_yaml, load_yaml
from papernotes.repro.spec.find import spec_path
from papernotes.repro.spec.model import load_spec, resolve
from papernotes.repro.spec.overrides import parse_overrides

SHIPPED = sorted(p.stem for p in shipped_dir("repro").glob("*.yaml"))

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
    assert {"simclr", "simclr-imagenet", "mocov2", "byol", "barlowtwins"} <= set(SHIPPED)
    for name in SHIPPED:
        path = spec_path(name)
        spec, doc = load_spec(path)
        assert spec.expected, name
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
    presets = pytest.importorskip("papernotes.ssl.config.presets")
    from papernotes.ssl.config import config_to_dict

    spec, doc = load_spec(spec_path("simclr"))
    demo = resolve(spec, doc, spec_path("simclr"), "demo").config
    assert config_to_dict(demo) == config_to_dict(presets.DEMO_CONFIG)


def test_save_refuses_specs_outside_the_workspace(tmp_path):
    from papernotes.repro.spec.save import save_overrides

    path = write(tmp_path, GOOD)
    with pytest.raises(PapernotesError, match="only specs in the workspace"):
        save_overrides(path, "demo", {"train": {"epochs": 2}}, tmp_path / "elsewhere")
    assert path.read_text(encoding="utf-8") == GOOD
    save_overrides(path, "big", {"train": {"epochs": 2}}, tmp_path)
    spec, doc = load_spec(path)
    assert resolve(spec, doc, path, "big").config.train.epochs == 2
    assert path.read_text(encoding="utf-8").startswith(GOOD)  # appended, nothing above moved


def _profile(name: str, profile: str):
    spec, doc = load_spec(spec_path(name))
    return resolve(spec, doc, spec_path(name), profile).config


def test_method_specs_hold_the_official_values():
    """The ImageNet profiles as the official code runs them, the CIFAR-10 ones as cited."""
    moco = _profile("mocov2", "resnet50")
    assert (moco.optim.name, moco.optim.base_lr, moco.optim.weight_decay, moco.train.batch_size) == ("sgd", 0.03, 1e-4, 256)
    assert (moco.optim.nesterov, moco.optim.exclude_bias_bn, moco.optim.warmup_epochs, moco.train.sync_bn) == (False, False, 0, False)
    assert (moco.method_cfg.queue_size, moco.method_cfg.momentum, moco.method_cfg.temperature) == (65536, 0.999, 0.2)
    assert (moco.aug.crop_min_area, moco.aug.color_strength, moco.aug.blur) == (0.2, 0.5, True)
    byol = _profile("byol", "resnet50")
    assert (byol.optim.name, byol.optim.base_lr, byol.optim.weight_decay, byol.optim.warmup_epochs) == ("lars", 0.2, 1.5e-6, 10)
    assert (byol.train.batch_size, byol.train.epochs, byol.method_cfg.base_momentum) == (4096, 1000, 0.996)
    assert (byol.aug.brightness, byol.aug.contrast, byol.aug.saturation, byol.aug.hue) == (0.4, 0.4, 0.2, 0.1)
    assert (byol.aug.blur_prob, byol.aug.solarize_prob) == ((1.0, 0.1), (0.0, 0.2))
    bt = _profile("barlowtwins", "resnet50")
    assert (bt.optim.base_lr, bt.optim.bias_lr_scale * bt.optim.base_lr, bt.optim.weight_decay) == (0.2, pytest.approx(0.0048), 1e-6)
    assert (bt.train.batch_size, bt.method_cfg.projector, bt.method_cfg.lambd) == (2048, "8192-8192-8192", 0.0051)
    assert (bt.aug.blur_prob, bt.aug.solarize_prob) == ((1.0, 0.1), (0.0, 0.2))
    for name in ("mocov2", "byol", "barlowtwins"):
        cifar, demo = _profile(name, "resnet18"), _profile(name, "demo")
        assert (cifar.data.name, cifar.model.arch, cifar.model.cifar_stem) == ("cifar10", "resnet18", True)
        assert (demo.data.name, demo.train.device, demo.train.threads) == ("synthetic", "cpu", 2)


# A MoCo v2 spec small enough to read its line numbers off (line 1 is `name: m`).
MOCO = """\
name: m
paper: mocov2
base:
  method: mocov2
  mocov2:
    temperature: 0.2
default_profile: demo
profiles:
  demo:
    data:
      num_train: 512
    train:
      batch_size: 64
    mocov2:
      queue_size: 256
"""


@pytest.mark.parametrize("old,new,line,field,msg", [
    ("  method: mocov2", "  method: mocov3", 4, "base.method", "unknown method 'mocov3'"),
    ("      queue_size: 256", "      queue_size: 1024", 15, "profiles.demo.mocov2.queue_size",
     "longer than the data set (512 images)"),
    ("      queue_size: 256", "      queue_size: 96", 15, "profiles.demo.mocov2.queue_size", "multiple of train.batch_size"),
    ("      queue_size: 256", "      queue_size: 256\n      pred_hidden: 64", 16,
     "profiles.demo.mocov2.pred_hidden", "unknown field"),  # a predictor on MoCo v2
    ("      queue_size: 256", "      queue_size: 256\n      bn_splits: 5", 16, "profiles.demo.mocov2.bn_splits",
     "must divide train.batch_size"),
    ("    mocov2:\n      queue_size: 256", "    byol:\n      base_momentum: 0.9", 14, "profiles.demo.byol",
     "options of method 'byol'"),  # another method's section
    ("    mocov2:\n      queue_size: 256\n", "", 5, "base.mocov2.queue_size",
     "a queue of 65536 keys"),  # the default queue, set nowhere: the method's section in base
    ("      num_train: 512", "      num_train: 512\n      image_size: 4", 12, "profiles.demo.data.image_size",
     "too small"),  # views too small for the encoder
    ("    train:", "    aug:\n      blur_prob: [1.0, 1.5]\n    train:", 13, "profiles.demo.aug.blur_prob[1]",
     "in [0, 1]"),
])
def test_bad_method_option_names_its_line(tmp_path, old, new, line, field, msg):
    assert old in MOCO
    path = write(tmp_path, MOCO.replace(old, new))
    spec, doc = load_spec(path)
    with pytest.raises(PapernotesError) as info:
        resolve(spec, doc, path)
    err = info.value
    assert (err.line, err.field) == (line, field), str(err)
    assert str(err).startswith(f"{path}:{line}: {field}: ") and msg in str(err) and "\n" not in str(err)


def test_a_queue_on_byol_names_its_line(tmp_path):
    text = MOCO.replace("mocov2", "byol").replace("temperature: 0.2", "base_momentum: 0.99")
    path = write(tmp_path, text)
    spec, doc = load_spec(path)
    with pytest.raises(PapernotesError) as info:
        resolve(spec, doc, path)
    assert (info.value.line, info.value.field) == (15, "profiles.demo.byol.queue_size")
    assert "unknown field (known: base_momentum" in str(info.value)


def test_bad_method_overrides_name_the_field(tmp_path):
    path = write(tmp_path, MOCO)
    spec, doc = load_spec(path)
    with pytest.raises(PapernotesError) as info:
        resolve(spec, doc, path, overrides=parse_overrides(["mocov2.queue_size=1024"]))
    assert info.value.field == "mocov2.queue_size" and "from --set" in str(info.value)
    for item, field in (("byol.queue_size=4", "byol.queue_size"), ("mocov2.pred_hidden=64", "mocov2.pred_hidden")):
        with pytest.raises(PapernotesError, match="unknown field") as info:
            parse_overrides([item])
        assert info.value.field == field


def test_repro_with_a_bad_method_spec_is_one_line_and_starts_nothing(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from papernotes.cli.app import app
    from papernotes.core.workspace import init_workspace

    root = tmp_path / "vault"
    init_workspace(root)
    monkeypatch.chdir(root)
    spec = root / "repro" / "mocov2.yaml"
    lines = spec.read_text(encoding="utf-8").splitlines(keepends=True)
    demo = lines.index("  demo:\n")
    line = next(i for i in range(demo, len(lines)) if lines[i].lstrip().startswith("queue_size:")) + 1
    lines[line - 1] = "      queue_size: 8192\n"
    spec.write_text("".join(lines), encoding="utf-8")
    before = sorted(p for p in root.rglob("*"))
    result = CliRunner().invoke(app, ["repro", "mocov2", "--profile", "demo", "--device", "cpu"])
    assert result.exit_code == 2
    out = result.output.strip()
    assert len(out.splitlines()) == 1
    assert f"repro/mocov2.yaml:{line}: profiles.demo.mocov2.queue_size: a queue of 8192 keys" in out
    assert sorted(p for p in root.rglob("*")) == before  # no run folder, no MLflow store
