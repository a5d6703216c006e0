"""Reading runs back from MLflow for `papernotes runs`."""

from __future__ import annotations

import datetime as dt

from papernotes.core.errors import PapernotesError
from papernotes.repro.tracking import tags


def list_runs(uri: str, spec: str | None = None, limit: int = 20, note: str | None = None) -> list[dict]:
    """Newest runs first, across the store's experiments; `spec` filters on the spec tag,
    `note` on the note tag (every spec writing into that note)."""
    from papernotes.repro.tracking.store_lock import reader
    from papernotes.repro.tracking.store_warmup import read_error

    client = reader(uri)
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


def what_runs(ws, name: str) -> tuple[str, str]:
    """What `papernotes runs NAME` filters on: ("spec", NAME) for a spec, ("note", NAME) for a
    note key that specs write into or that the vault has; an unknown name is one line, naming
    the known ones."""
    import difflib

    from papernotes.repro.results.board import spec_files
    from papernotes.repro.spec.model import load_spec

    specs, notes = set(), set()
    for path in spec_files(ws):
        specs.add(path.stem)
        try:
            spec, _ = load_spec(path)
        except PapernotesError:
            continue
        specs.add(spec.name)
        notes.add(spec.paper)
    if name in specs:
        return "spec", name
    if name in notes or (ws.notes_dir / f"{name}.md").is_file():
        return "note", name
    near = difflib.get_close_matches(name, sorted(specs | notes), n=3, cutoff=0.5)
    raise PapernotesError(f"no repro spec or note named {name!r}", field="runs",
                          hint=f"did you mean {', '.join(near)}?" if near
                          else f"specs: {', '.join(sorted(specs)) or 'none'}")
