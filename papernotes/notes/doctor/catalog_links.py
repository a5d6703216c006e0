"""Links to papers of the built-in catalog that have no note yet.

A fresh note from the catalog links to the papers it builds on (`[[moco]]`); that the user has
not made those notes is not a problem, and the way to make one is known: such a `wikilink`
finding becomes information naming the command, `papernotes new moco`.
"""

from __future__ import annotations

import dataclasses
import functools
import re

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


def soften(finding: Finding) -> Finding:
    """A `wikilink` finding whose target is a catalog paper, as information with the command
    that makes its note; any other finding unchanged."""
    if finding.check != "wikilink":
        return finding
    m = _TARGET.search(finding.message)
    key = catalog_key(m.group(1).strip()) if m else None
    if key is None:
        return finding
    return dataclasses.replace(
        finding, severity="info",
        message=f"[[{m.group(1).strip()}]]: no note yet; `{command('new', key)}` makes it "
                f"from the catalog")
