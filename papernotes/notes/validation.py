"""`papernotes validate`: parse every note and collect every located problem of each broken file
(a note with a bad status, rating and year gives three lines in one run).

Whole-vault runs skip notes whose exact bytes already parsed cleanly (`validation_cache`), and
parse the rest in worker processes when there are many of them and more than one CPU.
"""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Sequence

from papernotes.core.errors import PapernotesError, problems_of
from papernotes.notes import validation_cache
from papernotes.notes.vault import iter_note_paths, read_path

if TYPE_CHECKING:
    from papernotes.core.workspace import Workspace

PARALLEL_FROM = 200  # notes to parse before worker processes pay for themselves


@dataclass(frozen=True)
class ValidationReport:
    checked: int
    problems: list[PapernotesError] = field(default_factory=list)  # each on its own line
    cached: int = 0  # notes skipped because their bytes were already known to be valid
    failed: int = 0  # notes with at least one problem

    @property
    def ok(self) -> bool:
        return not self.problems


def check_file(path: Path) -> PapernotesError | None:
    """The problem with one note file, located, or None if it parses."""
    try:
        read_path(path)
    except PapernotesError as exc:
        return exc if exc.path is not None else exc.at(path=path)
    return None


def _check_chunk(paths: list[Path]) -> list[PapernotesError | None]:
    return [check_file(p) for p in paths]


def _jobs(n: int, jobs: int | None) -> int:
    if jobs is not None:
        return max(1, jobs)
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return min(cpus, 8) if n >= PARALLEL_FROM else 1


Progress = Callable[[int, int], None]  # (notes checked so far, notes to check)


def check_files(files: Sequence[Path], *, jobs: int | None = None,
                progress: Progress | None = None) -> list[PapernotesError | None]:
    """`check_file` for every file, in order; in worker processes when that pays."""
    files = list(files)
    workers = _jobs(len(files), jobs)
    out: list[PapernotesError | None] = []
    if workers == 1:
        for path in files:
            out.append(check_file(path))
            if progress is not None:
                progress(len(out), len(files))
        return out
    size = max(1, -(-len(files) // (workers * 8)))
    chunks = [files[i:i + size] for i in range(0, len(files), size)]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        for part in pool.map(_check_chunk, chunks):
            out.extend(part)
            if progress is not None:
                progress(len(out), len(files))
    return out


def validate_files(files: Sequence[Path], *, jobs: int | None = None,
                   cache_file: Path | None = None,
                   progress: Progress | None = None) -> ValidationReport:
    """Check every file; with `cache_file`, skip bytes already known to be valid.
    `progress(done, total)` is called as notes that need parsing are checked."""
    files = list(files)
    known: set[str] = set()
    fingerprint = ""
    if cache_file is not None:
        fingerprint = validation_cache.parser_fingerprint()
        known = validation_cache.load(cache_file, fingerprint)
    digests: dict[Path, str] = {}
    todo: list[Path] = []
    for path in files:
        if cache_file is not None:
            try:
                digests[path] = validation_cache.digest(path, path.read_bytes())
            except OSError:  # missing or unreadable: check_file reports it
                pass
            if digests.get(path) in known:
                continue
        todo.append(path)
    results = check_files(todo, jobs=jobs, progress=progress)
    problems = [p for r in results if r is not None for p in problems_of(r)]
    if cache_file is not None:
        valid = {digests[p] for p, r in zip(todo, results) if r is None and p in digests}
        keep = (known & set(digests.values())) | valid
        if keep != known:
            validation_cache.save(cache_file, fingerprint, keep)
    return ValidationReport(len(files), problems, cached=len(files) - len(todo),
                            failed=sum(r is not None for r in results))


def validate_vault(ws: "Workspace", *, jobs: int | None = None, use_cache: bool | None = None,
                   progress: Progress | None = None) -> ValidationReport:
    """Every note of the vault (cached across runs unless `use_cache` is False)."""
    if use_cache is None:
        use_cache = validation_cache.enabled()
    cache = validation_cache.cache_file(ws.root) if use_cache else None
    return validate_files(iter_note_paths(ws), jobs=jobs, cache_file=cache, progress=progress)
