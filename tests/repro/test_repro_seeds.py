"""`papernotes repro SPEC --seeds N`: real seed runs (tiny configs), a real SQLite MLflow store."""

from __future__ import annotations

import pytest
from mlflow.tracking import MlflowClient
from typer.testing import CliRunner

from papernotes.cli.app import app
from papernotes.notes.format.frontmatter import split_frontmatter
from papernotes.notes.format.regions import region_body
from papernotes.repro.results.seed_stats import summarize

from .conftest import tiny_args


def invoke(*args: str):
    return CliRunner().invoke(app, list(args))


def runs(ws):
    client = MlflowClient(tracking_uri=f"sqlite:///{ws / 'mlflow.db'}")
    exp = client.get_experiment_by_name("simclr")
    found = client.search_runs([exp.experiment_id], order_by=["attributes.start_time ASC"])
    parents = [r for r in found if "papernotes.seed_runs" in r.data.tags]
    seeds = [r for r in found if "papernotes.seed" in r.data.tags]
    return client, parents, seeds


@pytest.mark.slow  # three tiny seeds, then two more: ~40 s here
def test_seeds_are_nested_runs_summarised_on_the_parent_and_in_one_row(ws):
    note = ws / "notes" / "simclr.md"
    note.write_text("---\nrepro: simclr\n---\n" + note.read_text(encoding="utf-8"), encoding="utf-8")
    r = invoke("repro", "simclr", "--profile", "demo", "--device", "cpu", "--seeds", "2",
               "--parallel", "2", *tiny_args())
    assert r.exit_code == 0, r.output
    assert "2 seed(s) trained, 0 reused" in r.output
    client, parents, seeds = runs(ws)
    (parent,) = parents
    pid = parent.info.run_id
    assert parent.info.status == "FINISHED" and parent.data.tags["papernotes.seeds"] == "2"
    assert sorted(s.data.tags["papernotes.seed"] for s in seeds) == ["0", "1"]
    assert {s.data.tags["mlflow.parentRunId"] for s in seeds} == {pid}
    assert len({s.data.tags["papernotes.config_hash"] for s in seeds}) == 2
    top1 = [s.data.metrics["eval/linear_top1"] for s in sorted(seeds, key=lambda s: s.data.tags["papernotes.seed"])]
    want = summarize(top1)
    m = parent.data.metrics
    assert m["eval/linear_top1.n"] == 2
    assert m["eval/linear_top1.mean"] == pytest.approx(want.mean)
    assert m["eval/linear_top1.sd"] == pytest.approx(want.sd)
    assert (m["eval/linear_top1.ci95_low"], m["eval/linear_top1.ci95_high"]) == (
        pytest.approx(want.ci_low), pytest.approx(want.ci_high))
    assert "eval/knn_top1.mean" in m
    assert parent.data.tags["mlflow.note.content"].startswith(
        f"[[simclr]] simclr/demo x2 seeds: linear top-1 {want.text()}, 95% CI {want.ci_text()}")
    assert "ledger.json" in {a.path for a in client.list_artifacts(pid)}
    for s in seeds:
        (used,) = client.get_run(s.info.run_id).inputs.dataset_inputs
        assert (used.dataset.name, used.dataset.digest) == ("synthetic", s.data.tags["dataset.fingerprint"])
    assert client.get_experiment_by_name("simclr").tags["mlflow.experimentKind"] == "custom_model_development"
    body = region_body((ws / "notes" / "simclr.md").read_text(encoding="utf-8"), "repro")
    rows = [ln for ln in body.splitlines() if ln.startswith("| `")]
    assert len(rows) == 1 and rows[0].startswith(f"| `{pid[:8]}` |")
    assert f"{want.text()}, 95% CI {want.ci_text()}" in rows[0]
    assert all(f"/runs/{s.info.run_id})" in rows[0] for s in seeds)
    props = split_frontmatter(note.read_text(encoding="utf-8")).values
    assert (props["repro_top1"], props["repro_ci95"], props["repro_n"]) == (
        round(want.mean, 2), round(want.half_width, 2), 2)
    assert props["repro_run"].endswith(f"/runs/{pid}") and props["repro"] == "simclr"
    assert props["repro_protocol"] == "synthetic · resnet18 (imagenet stem) · 1 ep · batch 32 · 16px · linear 1 ep"

    # three seeds now: seeds 0 and 1 are reused, only seed 2 trains; still one row
    dry = invoke("repro", "simclr", "--profile", "demo", "--device", "cpu", "--seeds", "3",
                 *tiny_args(), "--dry-run")
    assert dry.exit_code == 0 and dry.output.count("reuse run") == 2, dry.output
    again = invoke("repro", "simclr", "--profile", "demo", "--device", "cpu", "--seeds", "3",
                   *tiny_args())
    assert again.exit_code == 0 and "1 seed(s) trained, 2 reused" in again.output, again.output
    _, parents, seeds2 = runs(ws)
    assert len(parents) == 2 and len(seeds2) == 3
    assert set(parents[1].data.tags["papernotes.reused"].split()) == {s.info.run_id for s in seeds}
    assert parents[1].data.metrics["eval/linear_top1.n"] == 3
    body = region_body((ws / "notes" / "simclr.md").read_text(encoding="utf-8"), "repro")
    rows = [ln for ln in body.splitlines() if ln.startswith("| `")]
    assert len(rows) == 1 and rows[0].startswith(f"| `{parents[1].info.run_id[:8]}` |")
    assert "(n=3)" in rows[0]
    assert split_frontmatter(note.read_text(encoding="utf-8")).values["repro_n"] == 3


def test_bad_seed_options_are_one_line(ws):
    for args, field in ((("--seeds", "0"), "--seeds"), (("--parallel", "2"), "--parallel"),
                        (("--seeds", "2", "--parallel", "0"), "--parallel"),
                        (("--seeds", "2", "--resume"), "--resume")):
        r = invoke("repro", "simclr", "--profile", "demo", "--device", "cpu", *args)
        assert r.exit_code == 2, (args, r.output)
        assert field in r.output and "Traceback" not in r.output
