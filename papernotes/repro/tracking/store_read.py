"""Reading a SQLite MLflow store with sqlite3, for the commands that only read it.

`papernotes runs`, `board` and the decisions of `idea run` / `repro --seeds` (which runs to
reuse or resume) only list runs. Through MLflow that costs `import mlflow` (SQLAlchemy, alembic,
the schema check) and an ORM object per tag, parameter and metric: seconds on a store of 1,000
runs. `SqliteReader` answers the same questions from MLflow's own tables (`experiments`,
`runs`, `tags`, `params`, `latest_metrics`) in a read-only connection, with the few methods of
`MlflowClient` those callers use: `search_experiments`, `get_experiment_by_name` and
`search_runs` on the filters `tags.search_filter` builds (tag equalities and a status),
ordered by start time, paged. A store of another kind (a server, a file store) is read through
MLflow as before (`light_reader` falls back to `store_lock.reader`).

Reference: mlflow/store/tracking/sqlalchemy_store.py (`search_runs`: active runs of active
experiments, newest first by default; metrics are the latest value of each key).
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

CHUNK = 500  # run ids per IN (...) query (SQLite's variable limit is 999 in old builds)

_TERM = re.compile(r"""(?:^|\s+and\s+)(?:tags\.`(?P<key>[^`]+)`|(?P<status>attributes\.status))"""
                   r"""\s*=\s*(?:'(?P<v1>[^']*)'|"(?P<v2>[^"]*)")""")


@dataclass(frozen=True)
class Experiment:
    experiment_id: str
    name: str
    tags: dict = field(default_factory=dict)


@dataclass(frozen=True)
class RunInfo:
    run_id: str
    experiment_id: str
    status: str
    start_time: int | None
    end_time: int | None
    run_name: str | None = None


class RunData:
    """A run's tags and latest metrics; its parameters (60 and more a run, seldom read: the
    best run's on the board, `world_size` in `runs`) are read when first asked for."""

    def __init__(self, tags: dict, metrics: dict, params: Callable[[], dict]) -> None:
        self.tags, self.metrics, self._params, self._read = tags, metrics, None, params

    @property
    def params(self) -> dict:
        if self._params is None:
            self._params = self._read()
        return self._params


@dataclass(frozen=True)
class Run:
    info: RunInfo
    data: RunData


class RunPage(list):
    """A page of runs and the token of the next one (None: the last), as MLflow's PagedList."""

    def __init__(self, items, token: str | None) -> None:
        super().__init__(items)
        self.token = token


def parse_filter(text: str) -> tuple[dict[str, str], str | None]:
    """(tag equalities, status) of a filter `tags.search_filter` built; ValueError otherwise."""
    wanted, status, pos = {}, None, 0
    for m in _TERM.finditer(text or ""):
        if m.start() != pos:
            break
        value = m.group("v1") if m.group("v1") is not None else m.group("v2")
        if m.group("status"):
            status = value
        else:
            wanted[m.group("key")] = value
        pos = m.end()
    if pos != len((text or "").rstrip()):
        raise ValueError(f"not a filter papernotes builds: {text!r}")
    return wanted, status


class SqliteReader:
    """A read-only view of one SQLite MLflow store (see the module's docstring)."""

    def __init__(self, db: Path, uri: str = "") -> None:
        self.db = Path(db)
        self.uri = uri or f"sqlite:///{self.db}"

    def writer(self):
        """An MlflowClient on the same store, for the rare write a reader must make (a dead run
        marked KILLED, liveness.reap): MLflow is imported only then."""
        from papernotes.repro.tracking.client import new_client

        return new_client(self.uri)

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(f"{self.db.resolve().as_uri()}?mode=ro", uri=True, timeout=30)

    def search_experiments(self) -> list[Experiment]:
        with self._connect() as con:
            rows = con.execute("SELECT experiment_id, name FROM experiments "
                               "WHERE lifecycle_stage = 'active' "
                               "ORDER BY creation_time DESC, experiment_id ASC").fetchall()
            tags: dict[str, dict] = {}
            for eid, key, value in con.execute("SELECT experiment_id, key, value FROM experiment_tags"):
                tags.setdefault(str(eid), {})[key] = value
        return [Experiment(str(eid), name, tags.get(str(eid), {})) for eid, name in rows]

    def get_experiment_by_name(self, name: str) -> Experiment | None:
        return next((e for e in self.search_experiments() if e.name == name), None)

    def search_runs(self, experiment_ids, filter_string: str = "", order_by=None,
                    max_results: int = 1000, page_token: str | None = None) -> RunPage:
        ids = [str(e) for e in experiment_ids]
        if not ids:
            return RunPage([], None)
        wanted, status = parse_filter(filter_string)
        order = "ASC" if order_by and order_by[0].strip().upper().endswith("ASC") else "DESC"
        if order_by and not order_by[0].strip().startswith("attributes.start_time"):
            raise ValueError(f"order not supported: {order_by}")
        sql = ["SELECT run_uuid, experiment_id, status, start_time, end_time, name FROM runs r "
               f"WHERE lifecycle_stage = 'active' AND experiment_id IN ({','.join('?' * len(ids))})"]
        args: list = list(ids)
        if status is not None:
            sql.append("AND status = ?")
            args.append(status)
        for key, value in wanted.items():
            sql.append("AND EXISTS (SELECT 1 FROM tags t WHERE t.run_uuid = r.run_uuid "
                       "AND t.key = ? AND t.value = ?)")
            args += [key, value]
        offset = int(page_token or 0)
        sql.append(f"ORDER BY start_time {order}, run_uuid ASC LIMIT ? OFFSET ?")
        args += [max_results + 1, offset]
        with self._connect() as con:
            found = con.execute(" ".join(sql), args).fetchall()
            more = len(found) > max_results
            found = found[:max_results]
            details = self._details(con, [row[0] for row in found])
        runs = [Run(RunInfo(rid, str(eid), st, start, end, name),
                    RunData(*details[rid], params=lambda rid=rid: self._params(rid)))
                for rid, eid, st, start, end, name in found]
        return RunPage(runs, str(offset + max_results) if more else None)

    def _params(self, run_id: str) -> dict:
        with self._connect() as con:
            return dict(con.execute("SELECT key, value FROM params WHERE run_uuid = ?", (run_id,)))

    @staticmethod
    def _details(con: sqlite3.Connection, run_ids: list[str]) -> dict[str, tuple[dict, dict]]:
        """Each run's (tags, latest metrics)."""
        out: dict[str, tuple[dict, dict]] = {rid: ({}, {}) for rid in run_ids}
        for i in range(0, len(run_ids), CHUNK):
            part = run_ids[i:i + CHUNK]
            marks = ",".join("?" * len(part))
            for n, query in enumerate((
                    f"SELECT run_uuid, key, value FROM tags WHERE run_uuid IN ({marks})",
                    f"SELECT run_uuid, key, CASE WHEN is_nan THEN 'nan' ELSE value END "
                    f"FROM latest_metrics WHERE run_uuid IN ({marks})")):
                for rid, key, value in con.execute(query, part):
                    out[rid][n][key] = float(value) if n == 1 else value
        return out


def light_reader(uri: str, echo: Callable[[str], None] | None = None):
    """A `SqliteReader` for a SQLite store that is ready, else what `store_lock.reader` gives
    (None: no store to read; an MlflowClient for any other store)."""
    from papernotes.repro.tracking import store_lock

    db = store_lock.store_file(uri)
    if db is None:
        return store_lock.reader(uri, echo)
    if store_lock.store_missing(uri):
        return None
    store_lock.wait_for_store(uri, echo)
    if not store_lock.store_ready(uri):
        return None
    return SqliteReader(db, uri)
