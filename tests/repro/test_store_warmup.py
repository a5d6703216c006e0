"""A new MLflow store is made while training starts: events wait, nothing is lost."""

from __future__ import annotations

import threading

from papernotes.repro.store_warmup import DeferredStart, StoreWarmup, store_is_new


def test_events_wait_for_the_store_and_arrive_in_order(tmp_path, monkeypatch):
    logged, opened = [], []
    gate = threading.Event()

    class SlowWarmup(StoreWarmup):
        def _run(self):
            gate.wait(10)

    warm = SlowWarmup("sqlite:///" + str(tmp_path / "x.db"))
    run = DeferredStart(logged.append, lambda: opened.append(len(logged)), warm)
    run({"event": "start"})
    run({"event": "step", "step": 1})
    assert logged == [] and opened == []  # the store is still being made
    gate.set()
    warm._thread.join()
    run({"event": "step", "step": 2})  # the first event that finds it ready opens the run
    assert opened == [0]
    assert [e.get("step") for e in logged] == [None, 1, 2]
    run.open()  # idempotent
    assert opened == [0]
    assert store_is_new("sqlite:///" + str(tmp_path / "none.db"))
    assert not store_is_new("http://127.0.0.1:5000")
