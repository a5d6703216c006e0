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

Names are imported from the module that defines them (`from papernotes.notes.vault import
load_note`): this package exports none, so importing it costs nothing, and every dependency is
an import the static layering and cycle checks can see (tests/test_layering.py).
"""
