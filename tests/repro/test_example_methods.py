"""The three example patches written as code (`repro/methods/`, shipped and copied by `init`),
each run by `idea run --seeds 3 --profile demo --device cpu` to a verdict in CI size (a few
steps): MAE + a contrastive term, MAE with a masked ConvNet, SimCLR with another crop policy."""

from __future__ import annotations

import re

import pytest
from mlflow.tracking import MlflowClient
from typer.testing import CliRunner

from papernotes.cli.app import app
from papernotes.core.resources import shipped_dir

from .conftest import tiny_args

EXAMPLES = {
    "mae_contrastive": ("mae", "loss", ["method=mae_contrastive", "mae_contrastive.weight=0.1"]),
    "mae_conv": ("mae", "architecture", ["method=mae_conv", "model.arch=masked_convnet", "model.vit_depth=null"]),
    "simclr_crops": ("simclr", "augmentation", ["method=simclr_crops"]),
}


def invoke(*args: str):
    return CliRunner().invoke(app, list(args))


def test_init_copies_the_examples():
    shipped = sorted(p.name for p in (shipped_dir("repro") / "methods").glob("*.py"))
    assert shipped == sorted(f"{name}.py" for name in EXAMPLES)


@pytest.mark.slow  # 3 x 6 tiny arms, two at a time: ~2-3 min on the shared 2-core machine
def test_each_example_reaches_a_verdict(ws):
    assert sorted(p.stem for p in (ws / "repro" / "methods").glob("*.py")) == sorted(EXAMPLES)
    for key in ("mae", "simclr"):
        assert invoke("new", key, "--lang", "en", "--force").exit_code == 0
    ids = {}
    for name, (key, kind, sets) in EXAMPLES.items():
        r = invoke("idea", "add", key, f"the {name} example", "--repro", key, "--profile", "demo",
                   "--kind", kind, *(w for s in sets for w in ("--set", s)), "--expect", "eval/linear_top1 >= +1")
        assert r.exit_code == 0, r.output
        ids[name] = re.search(r"patch (\d+) added", r.output)[1]
    client = MlflowClient(tracking_uri=f"sqlite:///{ws / 'mlflow.db'}")
    for name, (key, _, _) in EXAMPLES.items():
        r = invoke("idea", "run", key, ids[name], "--seeds", "3", "--profile", "demo", "--device", "cpu",
                   "--parallel", "2", *tiny_args())
        assert r.exit_code == 0, r.output
        assert re.search(rf"{key}#{ids[name]}: (VERIFIED|REFUTED|INCONCLUSIVE) ", r.output), r.output
        exp = client.get_experiment_by_name(key)
        patch_arms = client.search_runs([exp.experiment_id], f"tags.`papernotes.code.{name}.py` != ''")
        assert len(patch_arms) == 3 and all(a.info.status == "FINISHED" for a in patch_arms)
        text = (ws / "notes" / f"{key}.md").read_text(encoding="utf-8")
        assert f"[{name}.py@" in text and f"(../repro/methods/{name}.py)" in text
