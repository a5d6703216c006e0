"""Notes to Markdown: a fresh note from the Jinja2 template, or an update spliced into a note.

`render_new` fills `templates/note.<lang>.md.j2` (the workspace's copy if given, else the
shipped one). `render_update` rewrites only changed frontmatter properties and managed regions
whose model part changed; every other byte of the user's note is kept.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING

import jinja2

from papernotes.core.errors import PapernotesError
from papernotes.core.notices import inform, warn
from papernotes.core.resources import shipped_dir
from papernotes.notes.format.frontmatter import render_frontmatter, split_frontmatter, update_frontmatter
from papernotes.notes.format.header import UNREADABLE, sync_header
from papernotes.notes.format.ideas import render_ideas
from papernotes.notes.format.placeholders import PLACEHOLDERS, SAMPLE_DIAGRAM
from papernotes.notes.format.properties import note_properties
from papernotes.notes.format.region_edits import ideas_edit, keep_lines
from papernotes.notes.format.regions import find_regions, region_body, replace_region, wrap_region
from papernotes.notes.model.mermaid import MermaidDiagram, to_mermaid
from papernotes.notes.model.schema import STATUS_LABELS, Note

if TYPE_CHECKING:
    from papernotes.notes.format.parse import ParsedNote

NO_RUNS = {"zh": "暂无运行记录。", "en": "No runs yet."}
LINK_TEXT = {"zh": "链接", "en": "link"}


@functools.lru_cache(maxsize=8)
def _env(templates_dir: str | None) -> jinja2.Environment:
    dirs = [templates_dir] if templates_dir else []
    dirs.append(str(shipped_dir("templates")))
    return jinja2.Environment(loader=jinja2.FileSystemLoader(dirs), autoescape=False,
                              trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
                              undefined=jinja2.StrictUndefined)


def cell(text: str) -> str:
    """Text for one table cell: pipes escaped, newlines as `<br>`."""
    return text.replace("|", "\\|").replace("\n", "<br>")


def _link(url: str, lang: str) -> str:
    return f"[{LINK_TEXT[lang]}]({url})"


def repro_link(name: str) -> str:
    return f"[repro/{name}.yaml](../repro/{name}.yaml)"


def diagram_source(diagram: MermaidDiagram | None, lang: str) -> str:
    return to_mermaid(diagram) if diagram is not None else SAMPLE_DIAGRAM[lang]


def context(note: Note) -> dict:
    """Everything the template needs, as strings and lists of strings."""
    lang = note.lang
    ph = PLACEHOLDERS[lang]
    m, bg = note.meta, note.background
    text = ph["text"]
    return {
        "frontmatter": render_frontmatter(note_properties(note)),
        "title": m.title or ph["title"],
        "date": note.date.isoformat(),
        "status_label": STATUS_LABELS[lang][note.status],
        "stars": note.stars() or "☆☆☆☆☆",
        "cells": {
            "title": cell(m.title),
            "authors": cell(", ".join(m.authors)),
            "institutions": cell("; ".join(m.institutions)),
            "venue": cell(m.venue) or ph["venue"],
            "year": "" if m.year is None else str(m.year),
            "paper": _link(m.paper_url, lang) if m.paper_url else ph["link"],
            "code": _link(m.code_url, lang) if m.code_url else ph["code"],
            "tags": " ".join(f"`{t}`" for t in m.tags) or ph["tags"],
        },
        "abstract": note.abstract or text,
        "problem": note.problem or text,
        "contributions": note.contributions or [text],
        "terms": [f"{t.term}: {t.explanation}" if t.explanation else t.term
                  for t in bg.terms] or [ph["term_a"], ph["term_b"]],
        "works": [{"head": f"{w.name}: {w.summary}" if w.summary else w.name,
                   "limitation": w.limitation} for w in bg.related_work]
        or [{"head": ph["work_a"], "limitation": ""}, {"head": ph["work_b"], "limitation": ""}],
        "limitation": bg.limitation or ph["limitation"],
        "core_idea": note.method.core_idea or text,
        "diagram": diagram_source(note.method.diagram, lang),
        "method_text": note.method.text or text,
        "results": [[cell(r.dataset), cell(r.protocol), cell(r.backbone), cell(r.metric),
                     cell(r.shown), cell(r.source), cell(r.note)] for r in note.results]
        or [[ph["result"]] * 5 + ["", ""]],
        "strengths": note.strengths or [text],
        "weaknesses": note.weaknesses or [text],
        "thoughts": note.thoughts or text,
        "ideas_region": wrap_region("ideas", render_ideas(note.ideas, lang)),
        "repro_link": repro_link(note.repro) if note.repro else ph["repro"],
        "repro_region": wrap_region("repro", NO_RUNS[lang]),
    }


def render_new(note: Note, *, templates_dir: Path | None = None) -> str:
    """A fresh note (Markdown with frontmatter) from `note.<lang>.md.j2`."""
    name = f"note.{note.lang}.md.j2"
    env = _env(str(templates_dir) if templates_dir else None)
    try:
        template = env.get_template(name)
        return template.render(**context(note))
    except jinja2.TemplateSyntaxError as exc:
        raise PapernotesError(f"template error: {exc.message}", path=exc.filename or name,
                              line=exc.lineno, field="template") from None
    except jinja2.TemplateError as exc:
        raise PapernotesError(f"template error: {exc}", path=name, field="template") from None


def file_properties(parsed: "ParsedNote") -> dict:
    """The note's properties as its file holds them: where a header line edited by hand won
    (`parsed.header_edits`), the property's own value, so that a rewrite writes the header's."""
    props = note_properties(parsed.note)
    for edit in parsed.header_edits:
        if edit.header is not UNREADABLE and edit.follows == "property":
            props[edit.field] = edit.prop
    return props


def render_update(parsed: "ParsedNote", note: Note) -> str:
    """`parsed.text` with changed properties and the `ideas` region (if its log changed)
    rewritten. Lines typed by hand inside the region are kept in a callout after it (with a
    warning); when anything changes, the header under the title follows the properties. A
    header line the user edited (`parsed.header_edits`) is written into its property instead,
    or follows a property changed in Obsidian (`notes/header_state.py`); each said in a line."""
    text = update_frontmatter(parsed.text, file_properties(parsed), note_properties(note),
                              path=parsed.path)
    if note.ideas != parsed.note.ideas:
        old = region_body(text, "ideas", path=parsed.path)
        edit = None if old is None else ideas_edit(old, note.lang)
        body = render_ideas(note.ideas, note.lang)  # in the note's line endings: replace_region
        text = replace_region(text, "ideas", body, path=parsed.path)
        if edit is not None:
            text = keep_lines(text, "ideas", edit.kept, path=parsed.path)
            warn(edit.message, path=parsed.path, field="ideas", hint=edit.hint or None,
                 line=find_regions(text, path=parsed.path)["ideas"].line)
    if text != parsed.text or any(e.follows == "header" for e in parsed.header_edits):
        fm = split_frontmatter(text, path=parsed.path)
        text = sync_header(text, note, start=fm.end if fm else 0)
        for edit in parsed.header_edits:  # said once, when the note is written
            (inform if edit.header is not UNREADABLE else warn)(
                edit.message, path=parsed.path, line=edit.line, field=edit.field)
    return text
