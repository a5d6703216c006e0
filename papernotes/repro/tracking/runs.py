"""Reading runs back from MLflow: `papernotes runs`, and the states `--resume` chooses by."""

from __future__ import annotations

import datetime as dt

from papernotes.core.errors import PapernotesError
from papernotes.repro.tracking import tags
from papernotes.repro.tracking.client import read_error
from papernotes.repro.tracking.liveness import reap
from papernotes.repro.tracking.store_lock import reader
from papernotes.repro.tracking.store_read import light_reader


def list_runs(uri: str, spec: str | None = None, limit: int = 20, note: str | None = None) -> list[dict]:
    """Newest runs first, across the store's experiments; `spec` filters on the spec tag,
    `note` on the note tag (every spec writing into that note)."""
    client = light_reader(uri)  # sqlite3 on a SQLite store: no `import mlflow` (store_read.py)
    if client is None:
        return []  # no store yet: opening one would create it (tens of seconds)
    flt = tags.search_filter({tags.SPEC: spec} if spec else {tags.NOTE: note} if note else None)
    try:
        experiments = [e.experiment_id for e in client.search_experiments()]
        runs = client.search_runs(experiments, filter_string=flt, max_results=limit,
                                  order_by=["attributes.start_time DESC"]) if experiments else []
    except Exception as exc:
        raise read_error(exc, uri) from None
    gone = reap(client, runs)  # RUNNING, but its process is gone: KILLED (liveness.py)
    out = []
    for run in runs:
        run_tags, params = run.data.tags, run.data.params
        start = dt.datetime.fromtimestamp(run.info.start_time / 1000).strftime("%Y-%m-%d %H:%M")
        rid = run.info.run_id
        parent = tags.PATCH in run_tags or tags.SEED_RUNS in run_tags  # trains nothing itself
        out.append({"run_id": rid, "status": "KILLED" if rid in gone else run.info.status,
                    "ended": gone.get(rid) or run_tags.get(tags.ENDED), "start": start,
                    "spec": f"{run_tags.get(tags.SPEC, '?')}/{run_tags.get(tags.PROFILE, '?')}",
                    "metrics": dict(run.data.metrics), **role(run_tags),
                    "world_size": params.get("world_size", "–" if parent else "?"),
                    "run_dir": run_tags.get(tags.RUN_DIR), "slurm_job": run_tags.get(tags.SLURM_JOB)})
    return out


def role(run_tags: dict) -> dict:
    """What a run is: a plain `repro` run, an `idea run` parent (its patch), or one of its arms
    (baseline or patch, its seed and its parent run)."""
    if tags.PATCH in run_tags:
        return {"role": "parent", "patch": run_tags[tags.PATCH], "parent": None, "seed": None}
    if tags.SEED_RUNS in run_tags:  # `repro --seeds`: the parent of its seeds
        return {"role": "seeds", "patch": None, "parent": None, "seed": None}
    if tags.ARM in run_tags:
        return {"role": run_tags[tags.ARM], "patch": None, "parent": run_tags.get(tags.PARENT_RUN),
                "seed": run_tags.get(tags.SEED)}
    if tags.PARENT_RUN in run_tags:  # a seed of `repro --seeds`, nested under its parent
        return {"role": "seed", "patch": None, "parent": run_tags[tags.PARENT_RUN],
                "seed": run_tags.get(tags.SEED)}
    return {"role": "repro", "patch": None, "parent": None, "seed": run_tags.get(tags.SEED)}


def grouped(rows: list[dict]) -> list[dict]:
    """The rows with each parent's arms right under it (newest first within), the rest in order."""
    arms: dict[str, list[dict]] = {}
    parents = {r["run_id"] for r in rows if r["role"] in ("parent", "seeds")}
    for r in rows:
        if r.get("parent") in parents:
            arms.setdefault(r["parent"], []).append(r)
    out = []
    for r in rows:
        if r.get("parent") in parents:
            continue
        out.append(r)
        out += arms.get(r["run_id"], [])
    return out


def run_states(uri: str, run_ids: list[str], echo=None) -> dict[str, tuple[str, int]]:
    """{run id: (status, end time in ms, else start time)} for the runs the store has (once
    another process has finished making it: store_lock.py)."""
    if not run_ids:
        return {}
    client = reader(uri, echo)
    if client is None:
        return {}  # no store yet (and opening one would create it)
    from mlflow.exceptions import MlflowException

    out = {}
    for run_id in run_ids:
        try:
            run = client.get_run(run_id)
        except MlflowException:  # deleted, or never in this store
            continue
        except Exception as exc:  # the store itself: one line for the user
            raise read_error(exc, uri) from None
        if reap(client, [run]):  # RUNNING, but its process is gone: KILLED now
            run = client.get_run(run_id)
        info = run.info
        out[run_id] = (info.status, int(info.end_time or info.start_time or 0))
    return out


def what_runs(ws, name: str) -> tuple[str, str]:
    """What `papernotes runs NAME` filters on: ("spec", NAME) for a spec, ("note", NAME) for a
    note key that specs write into or that the vault has; an unknown name is one line, naming
    the known ones."""
    import difflib

    from papernotes.repro.spec.find import spec_files
    from papernotes.repro.spec.header import read_header

    specs, notes = set(), set()
    for path in spec_files(ws):
        specs.add(path.stem)
        try:
            spec = read_header(path)
        except PapernotesError:
            continue
        specs.add(spec.name)
        notes.add(spec.paper)
    if name in specs:
        return "spec", name
    from papernotes.notes.note_files import files_of_key

    if name in notes or files_of_key(ws, name):  # a note in any folder of notes/
        return "note", name
    near = difflib.get_close_matches(name, sorted(specs | notes), n=3, cutoff=0.5)
    raise PapernotesError(f"no repro spec or note named {name!r}", field="runs",
                          hint=f"did you mean {', '.join(near)}?" if near
                          else f"specs: {', '.join(sorted(specs)) or 'none'}")


def verdict_runs(uri: str, parent_id: str) -> dict | None:
    """What an `idea run` parent holds beyond the note's rounded cells: its comparison numbers
    at full precision (`compare/*`) and every arm run it rests on (trained under it, or reused:
    tag `papernotes.reused`), with its arm, seed and metric value. None when the store or the
    run cannot be read (the note's numbers are all there is)."""
    client = reader(uri)
    if client is None:
        return None
    try:
        parent = client.get_run(parent_id)
        metric = parent.data.tags.get(tags.METRIC)
        nested = client.search_runs([parent.info.experiment_id], filter_string=tags.search_filter(
            {tags.PARENT_RUN: parent_id}), max_results=1000)
        reused = [client.get_run(rid) for rid in parent.data.tags.get(tags.REUSED, "").split()]
    except Exception:  # noqa: BLE001 - a missing run or store: the note's numbers stand alone
        return None
    numbers = {k.split("/", 1)[1]: v for k, v in parent.data.metrics.items() if k.startswith("compare/")}
    arms = []
    for run, was_reused in [*((r, False) for r in nested), *((r, True) for r in reused)]:
        t = run.data.tags
        arms.append({"run_id": run.info.run_id, "arm": t.get(tags.ARM), "seed": t.get(tags.SEED),
                     "value": run.data.metrics.get(metric) if metric else None,
                     "reused": was_reused})
    arms.sort(key=lambda a: (str(a["seed"]), str(a["arm"])))
    return {"parent_run_id": parent_id, "metric": metric, "numbers": numbers, "arms": arms}

