"""Reading runs back from MLflow: `papernotes runs`, and the states `--resume` chooses by."""

from __future__ import annotations

import datetime as dt

from papernotes.core.errors import PapernotesError
from papernotes.repro.tracking import tags
from papernotes.repro.tracking.client import read_error
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
    out = []
    for run in runs:
        run_tags, params = run.data.tags, run.data.params
        start = dt.datetime.fromtimestamp(run.info.start_time / 1000).strftime("%Y-%m-%d %H:%M")
        out.append({"run_id": run.info.run_id, "status": run.info.status, "start": start,
                    "spec": f"{run_tags.get(tags.SPEC, '?')}/{run_tags.get(tags.PROFILE, '?')}",
                    "metrics": dict(run.data.metrics), "world_size": params.get("world_size", "?")})
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
            info = client.get_run(run_id).info
        except MlflowException:  # deleted, or never in this store
            continue
        except Exception as exc:  # the store itself: one line for the user
            raise read_error(exc, uri) from None
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
