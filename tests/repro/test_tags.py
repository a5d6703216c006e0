"""The MLflow tag contract (repro/tracking/tags.py): scripts search runs by these names, so they
are spelled out here literally, and every search filter quotes its values."""

from __future__ import annotations

import shutil

import pytest
from mlflow.tracking import MlflowClient

from papernotes.core.errors import PapernotesError
from papernotes.repro.tracking import tags


def test_the_tag_names_scripts_rely_on_do_not_change():
    assert {name: getattr(tags, name) for name in (
        "SPEC", "PROFILE", "NOTE", "OVERRIDES", "CONFIG_HASH", "SEED", "RUN_DIR", "SLURM_JOB", "ARM",
        "PATCH", "EXPECT", "SEEDS", "PATCH_SETS", "VERDICT", "METRIC", "REUSED", "PARENT_RUN",
        "GIT_COMMIT", "SEED_RUNS")} == {
        "SPEC": "papernotes.spec", "PROFILE": "papernotes.profile", "NOTE": "papernotes.note",
        "OVERRIDES": "papernotes.overrides", "CONFIG_HASH": "papernotes.config_hash",
        "SEED": "papernotes.seed", "RUN_DIR": "papernotes.run_dir", "SLURM_JOB": "papernotes.slurm_job",
        "ARM": "papernotes.arm",
        "PATCH": "papernotes.patch", "EXPECT": "papernotes.expect", "SEEDS": "papernotes.seeds",
        "PATCH_SETS": "papernotes.patch_sets", "VERDICT": "papernotes.verdict",
        "METRIC": "papernotes.metric", "REUSED": "papernotes.reused",
        "PARENT_RUN": "mlflow.parentRunId", "GIT_COMMIT": "mlflow.source.git.commit",
        "SEED_RUNS": "papernotes.seed_runs"}
    assert tags.run_tags(spec="simclr", profile="demo", note="simclr", overrides=("a=1", "b=2"),
                         config_hash="ab12", seed=3) == {
        "papernotes.spec": "simclr", "papernotes.profile": "demo", "papernotes.note": "simclr",
        "papernotes.overrides": "a=1 b=2", "papernotes.config_hash": "ab12", "papernotes.seed": "3"}
    start = {"event": "start", "dataset": {"name": "synthetic", "fingerprint": "f00d"},
             "torch": "2.x", "cuda": None, "hardware": "cpu x2", "device": "cpu"}
    assert tags.start_tags(start) == {"dataset.name": "synthetic", "dataset.fingerprint": "f00d",
                                      "torch": "2.x", "hardware": "cpu x2", "device": "cpu"}


def test_every_filter_value_is_quoted():
    assert tags.search_filter() == ""
    assert tags.search_filter(status="FINISHED") == "attributes.status = 'FINISHED'"
    assert tags.search_filter({tags.CONFIG_HASH: "ab12"}, "KILLED") == (
        "tags.`papernotes.config_hash` = 'ab12' and attributes.status = 'KILLED'")
    assert tags.search_filter({tags.NOTE: "Bob's a\\b"}) == "tags.`papernotes.note` = \"Bob's a\\b\""
    for bad in ("it's \"both\"", "ends in \\"):
        with pytest.raises(PapernotesError, match="MLflow cannot search for"):
            tags.search_filter({tags.NOTE: bad})


def test_a_quoted_value_finds_exactly_its_run_in_a_real_store(tmp_path, empty_store):
    shutil.copy(empty_store, tmp_path / "mlflow.db")  # made once per session (conftest.py)
    client = MlflowClient(tracking_uri=f"sqlite:///{tmp_path / 'mlflow.db'}")
    exp = client.create_experiment("x", artifact_location=(tmp_path / "art").as_uri())
    odd = "o'brien and tags.`papernotes.spec` = 'x'"  # would rewrite an unquoted filter
    ids = {name: client.create_run(exp, tags={tags.SPEC: name}).info.run_id
           for name in (odd, "x", "a\\b", "对比学习 (v2)")}
    client.set_terminated(ids["x"], status="FINISHED")
    found = client.search_runs([exp], filter_string=tags.search_filter({tags.SPEC: odd}))
    assert [r.info.run_id for r in found] == [ids[odd]]
    for name in ("a\\b", "对比学习 (v2)"):
        found = client.search_runs([exp], filter_string=tags.search_filter({tags.SPEC: name}, "RUNNING"))
        assert [r.info.run_id for r in found] == [ids[name]]
    finished = client.search_runs([exp], filter_string=tags.search_filter({tags.SPEC: "x"}, "FINISHED"))
    assert [r.info.run_id for r in finished] == [ids["x"]]
