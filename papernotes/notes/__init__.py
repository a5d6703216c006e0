"""Notes: the schema of the user's paper-note template, rendering, parsing back, the vault, ideas.

This package never imports torch or mlflow: `papernotes new`, `list`, `validate` and `idea`
stay fast (tests/test_layering.py checks it).

Sub-packages:

    repair/    damaged (mojibake) text: detection, repair, the lazy word-frequency model
    model/     the `Note` schema, idea log, Mermaid diagrams, tags
    format/    the note file: Markdown scan, frontmatter, managed regions, sections, parse, render
    sources/   notes from elsewhere: the paper catalog, BibTeX
    doctor/    `papernotes doctor` over a vault
    importer/  `papernotes import` of Obsidian/Hexo notes

repair/ and model/ import no other part of notes, format/ and sources/ only model/; the vault
(vault.py), note creation, listing, idea patching and validation stay at this level, and the two
tools over whole vaults (doctor/, importer/) build on all of them.

`from papernotes.notes import X` is the one place for the public note API below. The names are
resolved lazily (PEP 562), so importing this package, or any module inside it, costs nothing
more than that module: `papernotes --help` stays fast and no sub-package depends on this file.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_EXPORTS: dict[str, tuple[str, ...]] = {
    "model.schema": ("Note", "Metadata", "ReadingStatus", "Background", "Method", "Result",
                     "RelatedWork", "Term"),
    "model.ideas_model": ("IdeaLog", "Point", "Patch", "PatchKind", "PatchStatus"),
    "model.mermaid": ("MermaidDiagram", "MermaidNode", "MermaidEdge"),
    "model.tags": ("normalize_tag",),
    "format.parse": ("ParsedNote", "parse_note"),
    "format.render": ("render_new", "render_update"),
    "format.regions": ("find_regions", "region_body", "replace_region", "wrap_region"),
    "vault": ("load_note", "save_note", "iter_notes", "iter_note_paths", "load_all", "note_path",
              "update_note", "write_new_notes"),
    "creation": ("notes_to_create",),
    "listing": ("note_rows", "last_result", "parse_status"),
    "patching": ("add_point", "add_patch", "set_patch", "find_patch"),
    "patch_input": ("parse_choice",),
    "idea_listing": ("idea_rows",),
    "validation": ("validate_vault", "validate_files", "check_files"),
    "sources.catalog": ("PaperCard", "load_card", "list_cards", "card_to_note", "suggest"),
    "sources.bibtex": ("notes_from_bibtex",),
    "doctor.run": ("run_doctor",),
    "importer.plan": ("plan_import", "write_imports"),
    "repair.mojibake_repair": ("repair_text",),
}
_WHERE = {name: module for module, names in _EXPORTS.items() for name in names}

__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:  # not an export: let `from papernotes.notes import submodule` go on
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


if TYPE_CHECKING:  # for type checkers and editors; the same names as _EXPORTS
    from papernotes.notes.creation import notes_to_create
    from papernotes.notes.doctor.run import run_doctor
    from papernotes.notes.format.parse import ParsedNote, parse_note
    from papernotes.notes.format.regions import find_regions, region_body, replace_region, wrap_region
    from papernotes.notes.format.render import render_new, render_update
    from papernotes.notes.idea_listing import idea_rows
    from papernotes.notes.importer.plan import plan_import, write_imports
    from papernotes.notes.listing import last_result, note_rows, parse_status
    from papernotes.notes.model.ideas_model import IdeaLog, Patch, PatchKind, PatchStatus, Point
    from papernotes.notes.model.mermaid import MermaidDiagram, MermaidEdge, MermaidNode
    from papernotes.notes.model.schema import (
        Background,
        Metadata,
        Method,
        Note,
        ReadingStatus,
        RelatedWork,
        Result,
        Term,
    )
    from papernotes.notes.model.tags import normalize_tag
    from papernotes.notes.patch_input import parse_choice
    from papernotes.notes.patching import add_patch, add_point, find_patch, set_patch
    from papernotes.notes.repair.mojibake_repair import repair_text
    from papernotes.notes.sources.bibtex import notes_from_bibtex
    from papernotes.notes.sources.catalog import PaperCard, card_to_note, list_cards, load_card, suggest
    from papernotes.notes.validation import check_files, validate_files, validate_vault
    from papernotes.notes.vault import (
        iter_note_paths,
        iter_notes,
        load_all,
        load_note,
        note_path,
        save_note,
        update_note,
        write_new_notes,
    )
