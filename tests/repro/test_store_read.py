"""repro/tracking/store_read.py against MLflow's own client on the same real SQLite store."""

from __future__ import annotations

import math
import shutil

import pytest
from mlflow.entities import Metric, Param, RunTag
from mlflow.tracking import MlflowClient

from papernotes.repro.tracking import tags
from papernotes.repro.tracking.store_read import SqliteReader, light_reader, parse_filter


@pytest.fixture
def store(tmp_path, empty_store):
    db = tmp_path / "mlflow.db"
    shutil.copy(empty_store, db)
    uri = f"sqlite:///{db}"
    client = MlflowClient(tracking_uri=uri)
    exp = client.create_experiment("simclr")
    other = client.create_experiment("byol")
    ids = []
    for i in range(7):
        run = client.create_run(exp if i % 3 else other, start_time=1_000 + i * 10 - (i == 4) * 100,
                                tags={tags.SPEC: "simclr" if i % 2 else "byol", tags.CONFIG_HASH: f"h{i % 2}",
                                      tags.NOTE: "it's" if i % 2 else 'say "hi"'})
        rid = run.info.run_id
        client.log_batch(rid, params=[Param("world_size", str(i)), Param("train.epochs", "3")],
                         metrics=[Metric("eval/linear_top1", 10.0 + i, 0, 0), Metric("eval/linear_top1", 20.0 + i, 0, 5),
                                  Metric("train/loss", float("nan") if i == 2 else 1.0, 0, 1)],
                         tags=[RunTag("extra", "x")])
        client.set_terminated(rid, "FINISHED" if i != 3 else "KILLED")
        ids.append(rid)
    client.delete_run(ids[5])
    client.delete_experiment(other)
    return uri, db, client, [exp]


def same(a, b) -> None:
    assert [r.info.run_id for r in a] == [r.info.run_id for r in b]
    for x, y in zip(a, b):
        assert (x.info.status, x.info.start_time, x.info.end_time, x.info.experiment_id) == \
            (y.info.status, y.info.start_time, y.info.end_time, y.info.experiment_id)
        assert x.data.tags == y.data.tags and x.data.params == y.data.params
        assert set(x.data.metrics) == set(y.data.metrics)
        for k, v in x.data.metrics.items():
            assert v == y.data.metrics[k] or (math.isnan(v) and math.isnan(y.data.metrics[k]))


@pytest.mark.parametrize("flt,order", [
    ("", None),
    (tags.search_filter(status="FINISHED"), None),
    (tags.search_filter({tags.SPEC: "simclr"}), ["attributes.start_time DESC"]),
    (tags.search_filter({tags.CONFIG_HASH: "h1"}, "FINISHED"), ["attributes.start_time ASC"]),
    (tags.search_filter({tags.NOTE: "it's"}), None),
    (tags.search_filter({tags.NOTE: 'say "hi"'}), None),
    (tags.search_filter({tags.SPEC: "nothing"}, "KILLED"), None),
])
def test_the_same_runs_as_mlflow_in_the_same_order(store, flt, order):
    uri, db, client, exps = store
    reader = SqliteReader(db)
    assert [e.experiment_id for e in reader.search_experiments()] == \
        [e.experiment_id for e in client.search_experiments()]
    kw = {"order_by": order} if order else {}
    same(reader.search_runs(exps, filter_string=flt, **kw), client.search_runs(exps, filter_string=flt, **kw))


def test_pages_and_experiments_by_name(store):
    uri, db, client, exps = store
    reader = light_reader(uri)
    assert isinstance(reader, SqliteReader)
    pages, token = [], None
    while True:
        page = reader.search_runs(exps, max_results=2, page_token=token)
        pages.append(page)
        token = page.token
        if not token:
            break
    assert [len(p) for p in pages] == [2, 1]
    same([r for p in pages for r in p], client.search_runs(exps))
    assert reader.get_experiment_by_name("simclr").experiment_id == exps[0]
    assert reader.get_experiment_by_name("byol") is None  # deleted, as MLflow's search shows it


def test_only_the_filters_papernotes_builds_are_read():
    assert parse_filter("tags.`a` = 'x' and attributes.status = \"FINISHED\"") == ({"a": "x"}, "FINISHED")
    assert parse_filter("") == ({}, None)
    for bad in ("metrics.x > 1", "tags.`a` = 'x' or tags.`b` = 'y'", "tags.`a` != 'x'"):
        with pytest.raises(ValueError):
            parse_filter(bad)


def test_no_store_is_nothing_to_read(tmp_path):
    assert light_reader(f"sqlite:///{tmp_path / 'none.db'}") is None
    assert not (tmp_path / "none.db").exists()
