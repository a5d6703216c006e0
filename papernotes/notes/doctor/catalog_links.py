"""Links to papers of the built-in catalog that have no note yet.

A fresh note from the catalog links to the papers it builds on (`[[moco]]`); that the user has
not made those notes is not a problem, and the way to make one is known: such a `wikilink`
finding becomes information naming the command, `papernotes new moco`. A command that would be
refused is never suggested: when the vault has the paper under another name (`MoCo 动量对比`,
same arXiv id or title, as `new` decides: `identity.py`) the finding stays a problem and names
that note.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from pathlib import Path

from papernotes.core.shell import command
from papernotes.notes.doctor.finding import Finding

_TARGET = re.compile(r"\[\[([^\]|#^]+)")


def _squash(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.casefold())


@functools.lru_cache(maxsize=1)
def _cards() -> dict[str, str]:
    from papernotes.notes.sources.catalog import card_keys

    return {_squash(k): k for k in card_keys()}


def catalog_key(target: str) -> str | None:
    """The catalog card a link target names (`MoCo v2` -> `mocov2`), or None."""
    return _cards().get(_squash(target.rsplit("/", 1)[-1].removesuffix(".md")))


def _vault_note(key: str, ws, index) -> Path | None:
    """The vault's note of catalog paper `key` under any name (what `new KEY` would refuse)."""
    from papernotes.notes.identity import paper_ids, vault_papers
    from papernotes.notes.note_files import files_of_key
    from papernotes.notes.sources.catalog import card_to_note, load_card

    cache = index.card_notes if index is not None else {}
    if key in cache:
        return cache[key]
    found = files_of_key(ws, key)
    if not found:
        if index is None or index.papers is None:
            papers = vault_papers(ws)
            if index is not None:
                index.papers = papers
        papers = index.papers if index is not None else papers
        meta = card_to_note(load_card(key), ws.config.lang).meta
        found = [papers[pid] for pid in sorted(paper_ids(meta)) if pid in papers]  # arxiv first
    cache[key] = found[0] if found else None
    return cache[key]


def soften(finding: Finding, ws=None, index=None) -> Finding:
    """A `wikilink` finding whose target is a catalog paper, as information with the command
    that makes its note; a paper the vault (`ws`) has under another name keeps the finding a
    problem that names its note; any other finding unchanged."""
    if finding.check != "wikilink" or finding.fixable:
        return finding
    m = _TARGET.search(finding.message)
    key = catalog_key(m.group(1).strip()) if m else None
    if key is None:
        return finding
    have = _vault_note(key, ws, index) if ws is not None else None
    if have is not None:
        return dataclasses.replace(
            finding, message=f"[[{m.group(1).strip()}]] links to no note; the vault has this "
                             f"paper as '{have.name[:-3]}' ({have.relative_to(ws.root).as_posix()})"
                             ": link to that name")
    where = "" if ws is not None else " in a workspace (`papernotes init` makes one)"
    return dataclasses.replace(
        finding, severity="info",
        message=f"[[{m.group(1).strip()}]]: no note yet; `{command('new', key)}` makes it "
                f"from the catalog{where}")
