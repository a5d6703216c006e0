"""`papernotes board`: the pure rendering (golden file), and the rows read from a real MLflow
SQLite store with runs logged through the MLflow client."""

from __future__ import annotations

from pathlib import Path

import pytest
from mlflow.tracking import MlflowClient
from typer.testing import CliRunner

from papernotes.cli.app import app
from papernotes.repro.results.board import collect, write_board
from papernotes.repro.results.board_render import (
    MARKER,
    BestRun,
    BoardInfo,
    BoardRow,
    PaperNumber,
    is_generated,
    render_board,
)

GOLDEN = Path(__file__).parent / "golden" / "board.md"
SIMCLR_94 = PaperNumber("eval/linear_top1", 94.0, "resnet50", "cifar10", "Chen et al. 2020, Appendix B.9")


def golden_rows() -> list[BoardRow]:
    best = BestRun(run_id="0123456789abcdef0123456789abcdef",
                   link="http://127.0.0.1:5000/#/experiments/1/runs/0123456789abcdef0123456789abcdef",
                   date="2026-01-02", profile="resnet18", backbone="resnet50", dataset="cifar10",
                   metrics={"eval/linear_top1": 91.234, "eval/linear_top5": 99.8,
                            "eval/knn_top1": 88.0, "eval/random_init_linear_top1": 35.5},
                   config="epochs 1000 · batch 512 · 8x cuda · --set a|b=1", finished_runs=3)
    return [
        BoardRow(spec="simclr", note="simclr", title="A Simple Framework for Contrastive Learning "
                 "of Visual Representations", year=2020, paper=(SIMCLR_94,), best=best,
                 command="papernotes repro simclr --profile demo --device cpu"),
        BoardRow(spec="simclr-imagenet", note="simclr", title="A Simple Framework for Contrastive "
                 "Learning of Visual Representations", year=2020,
                 paper=(PaperNumber("eval/linear_top1", 69.3, "resnet50", "imagenet", "Table 6"),
                        PaperNumber("eval/linear_top5", 89.0, "resnet50", "imagenet", "Table 6")),
                 command="papernotes repro simclr-imagenet --profile e100"),
        BoardRow(spec="byol", note="byol", title="Bootstrap your own latent", year=2020,
                 command="papernotes repro byol --profile demo --device cpu"),
        BoardRow(spec="broken", note="broken", problem="repro/broken.yaml:3: name: field required"),
    ]


def test_render_matches_the_golden_file():
    text = render_board(golden_rows(), BoardInfo("2026-01-02 03:04", "sqlite:///vault/mlflow.db",
                                                 other_runs=2))
    assert text == GOLDEN.read_text(encoding="utf-8")
    assert is_generated(text) and not is_generated("# board\n\nmine\n")
    row = text.splitlines()[-4]
    # the gap is shown because backbone and data set match the paper's: 91.23 - 94.0
    assert "linear top-1 **91.23** (−2.8 vs paper)" in row and "| 35.50 |" in row
    assert "(n=1; best of 3 runs)" in row and "a\\|b=1" in row
    assert "| not run yet | – | `papernotes repro byol --profile demo --device cpu` | – |" in text


def log_run(client: MlflowClient, exp: str, spec: str, metrics: dict, *, profile="demo",
            status="FINISHED", arch="resnet18", data="synthetic", epochs=30, seed=0,
            tags=None) -> str:
    run = client.create_run(exp, tags={"papernotes.spec": spec, "papernotes.profile": profile,
                                       "papernotes.note": "simclr", "papernotes.overrides": "",
                                       **(tags or {})})
    rid = run.info.run_id
    for key, value in {"model.arch": arch, "data.name": data, "train.epochs": epochs,
                       "train.batch_size": 256, "world_size": 1, "train.device": "cpu",
                       "train.seed": seed}.items():
        client.log_param(rid, key, value)
    for key, value in metrics.items():
        client.log_metric(rid, key, value)
    client.set_terminated(rid, status)
    return rid


@pytest.fixture
def store(ws) -> MlflowClient:
    return MlflowClient(tracking_uri=f"sqlite:///{ws / 'mlflow.db'}")


def test_rows_from_a_real_store(ws, store):
    uri = f"sqlite:///{ws / 'mlflow.db'}"
    (ws / "repro" / "byol.yaml").write_text(
        (ws / "repro" / "simclr.yaml").read_text(encoding="utf-8")
        .replace("name: simclr\n", "name: byol\n").replace("paper: simclr ", "paper: byol   "),
        encoding="utf-8")
    (ws / "repro" / "broken.yaml").write_text("name: broken\npaper: [\n", encoding="utf-8")
    exp = store.create_experiment("simclr")
    low = log_run(store, exp, "simclr", {"eval/linear_top1": 40.0, "eval/random_init_linear_top1": 20.0},
                  epochs=10)
    best = log_run(store, exp, "simclr", {"eval/linear_top1": 55.5, "eval/knn_top1": 50.0,
                                          "eval/random_init_linear_top1": 21.0})
    log_run(store, exp, "simclr", {"eval/linear_top1": 99.0}, status="KILLED")  # not finished
    log_run(store, exp, "gone", {"eval/linear_top1": 70.0})  # its spec was deleted
    rows, other = collect(load_ws(ws), uri)
    by_spec = {r.spec: r for r in rows}
    assert set(by_spec) >= {"simclr", "simclr-imagenet", "byol", "broken"} and other == 1
    simclr = by_spec["simclr"]
    assert simclr.best.run_id == best != low and simclr.best.finished_runs == 2
    assert simclr.best.metrics["eval/random_init_linear_top1"] == 21.0
    assert simclr.title.startswith("A Simple Framework") and simclr.year == 2020
    assert simclr.best.link.endswith(f"/#/experiments/{exp}/runs/{best}")
    assert simclr.best.config == "epochs 30 · batch 256 · 1x cpu" and simclr.best.profile == "demo"
    assert by_spec["byol"].best is None and by_spec["byol"].title.startswith("Bootstrap")
    assert by_spec["byol"].command == "papernotes repro byol --profile demo --device cpu"
    assert by_spec["simclr-imagenet"].command == "papernotes repro simclr-imagenet --profile e100"
    assert by_spec["broken"].problem.startswith("repro/broken.yaml:3: invalid YAML")
    path, _ = write_board(load_ws(ws), uri)
    text = path.read_text(encoding="utf-8")
    assert path == ws / "notes" / "board.md" and MARKER in text
    assert f"[{best[:8]}](" in text and "| 21.00 |" in text and "[[byol]]" in text
    assert "1 finished run(s) of specs no longer in `repro/`" in text
    # under the table: the best run against every number of the card, with the protocol gap
    ledger = text.split("## Ledger: reported against reproduced\n", 1)[1]
    assert ledger.startswith("\n### [[simclr]] (simclr): ours 55.50 (synthetic · resnet18 (imagenet stem) · "
                             "30 ep · batch 256 · linear (epochs unknown))\n- vs paper top-1 ")
    assert "protocol: dataset synthetic vs " in ledger and "- vs solo-learn " in ledger
    assert "[[byol]]" not in ledger  # not run: nothing to compare
    assert (ws / "notes" / "papers.base").is_file()  # the live board in Obsidian, written once


def load_ws(root: Path):
    from papernotes.core.workspace import find_workspace

    return find_workspace(root)


def test_cli_refuses_a_users_own_board_unless_forced(ws_dir):
    mine = ws_dir / "notes" / "board.md"
    mine.write_text("# My board\n\nthings to read\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["board"])
    assert result.exit_code == 2 and "not a board papernotes generated" in result.output
    assert mine.read_text(encoding="utf-8") == "# My board\n\nthings to read\n"
    forced = CliRunner().invoke(app, ["board", "--force"])
    assert forced.exit_code == 0, forced.output
    text = mine.read_text(encoding="utf-8")
    assert is_generated(text) and "| not run yet |" in text
    assert not (ws_dir / "mlflow.db").exists()  # a store that is not there is read as empty
    again = CliRunner().invoke(app, ["board"])  # its own board: replaced without --force
    from papernotes.core.resources import shipped_dir

    specs = len(list(shipped_dir("repro").glob("*.yaml")))  # every shipped spec has a row
    assert again.exit_code == 0 and f"{specs} spec(s), 0 with a finished run" in again.output


def test_the_board_is_not_a_paper_note(ws_dir):
    from papernotes.notes.vault import iter_note_paths

    (ws_dir / "notes" / "mine.md").write_text("# My own note\n", encoding="utf-8")
    assert CliRunner().invoke(app, ["board"]).exit_code == 0
    assert [p.name for p in iter_note_paths(load_ws(ws_dir))] == ["mine.md"]  # list/validate skip it
    listed = CliRunner().invoke(app, ["list"])
    assert listed.exit_code == 0 and "board" not in listed.output.lower(), listed.output


def test_masked_methods_show_fine_tuning_by_name():
    mae = PaperNumber("eval/finetune_top1", 83.6, "vit_base", "imagenet", "He et al. 2022, Table 3")
    best = BestRun(run_id="f" * 32, link="http://127.0.0.1:5000/#/runs/f", date="2026-01-02", profile="demo",
                   backbone="vit_tiny", dataset="synthetic",
                   metrics={"eval/linear_top1": 28.5, "eval/finetune_top1": 41.25,
                            "eval/random_init_linear_top1": 18.2}, config="epochs 10", finished_runs=1)
    row = BoardRow(spec="mae", note="mae", title="Masked Autoencoders", year=2022, paper=(mae,), best=best,
                   command="papernotes repro mae --profile demo --device cpu")
    text = render_board([row], BoardInfo(generated="2026-01-02 10:00", tracking_uri="sqlite:///m.db"))
    assert "fine-tune top-1 **83.6** (vit_base, imagenet" in text  # the paper's number, named
    assert "linear top-1 **28.50** · fine-tune top-1 41.25" in text  # this vault's, both reported


def test_the_number_comes_from_plain_reproductions_mean_over_seeds(ws, store):
    """issue 23: a patch arm of an inconclusive patch was called "this vault's best"."""
    uri = f"sqlite:///{ws / 'mlflow.db'}"
    exp = store.create_experiment("simclr")
    seeds = [log_run(store, exp, "simclr", {"eval/linear_top1": v, "eval/knn_top1": v - 5}, seed=s)
             for s, v in enumerate((50.0, 52.0, 54.0))]
    log_run(store, exp, "simclr", {"eval/linear_top1": 51.0}, epochs=10)  # another config, lower
    log_run(store, exp, "simclr", {"eval/linear_top1": 60.0}, seed=7,  # an idea run's patch arm
            tags={"papernotes.arm": "patch", "papernotes.config_hash": "x"})
    log_run(store, exp, "simclr", {"compare/diff_mean": 1.0}, tags={"papernotes.patch": "simclr#1"})
    rows, _ = collect(load_ws(ws), uri)
    best = {r.spec: r for r in rows}["simclr"].best
    assert best.metrics == {"eval/linear_top1": 52.0, "eval/knn_top1": 47.0}  # the 3 seeds' mean
    assert (best.mean_of, best.finished_runs, best.run_id) == (3, 4, seeds[-1])
    text = write_board(load_ws(ws), uri)[0].read_text(encoding="utf-8")
    assert "linear top-1 **52.00**" in text and "(mean of 3 runs; best of 4 runs)" in text
    assert "60.00" not in text
    # links open this workspace's UI: the port `papernotes ui` recorded (two vaults, two ports)
    assert "](http://127.0.0.1:5000/#/experiments/" in text
    load_ws(ws).record_ui_port(5001)
    text = write_board(load_ws(ws), uri)[0].read_text(encoding="utf-8")
    assert "](http://127.0.0.1:5001/#/experiments/" in text and "127.0.0.1:5000" not in text

