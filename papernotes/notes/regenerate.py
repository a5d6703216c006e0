"""`papernotes new KEY --force` on a note that exists: the note made again from its source (a
catalog card, BibTeX, a title) without losing anything of the user's.

The fresh note is rendered from the template; then, section by section (`## ` headings), the
old note's text wins wherever it holds something of the user's:

- a template section whose text is neither what the template alone nor what the source gives
  (in the old note's language) is the user's: it is kept byte for byte;
- sections the user added are kept, after the section they followed;
- the managed regions (`ideas`, `repro`) are carried over verbatim;
- the reading state (date, status, rating), the ideas and every property the user added are
  kept (the frontmatter is updated in place, with its comments); aliases, tags and related
  notes are merged; bibliographic properties come from the source where it has them.

The caller keeps a backup of the old file first (`notes.backup`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from papernotes.notes.format.fences import lines_outside_fences
from papernotes.notes.format.frontmatter import split_frontmatter, update_frontmatter
from papernotes.notes.format.header import sync_header
from papernotes.notes.format.ideas import render_ideas
from papernotes.notes.format.properties import note_properties
from papernotes.notes.format.region_edits import ideas_edit
from papernotes.notes.format.regions import find_regions, normalise_body
from papernotes.notes.format.render import file_properties, render_new
from papernotes.notes.format.section_labels import SECTION_TITLES
from papernotes.notes.model.tags import merge_tags, tag_key

if TYPE_CHECKING:
    from papernotes.notes.format.parse import ParsedNote
    from papernotes.notes.model.schema import Note

_H2 = re.compile(r"## +(.*?)[ \t#]*$")


@dataclass(frozen=True)
class Block:
    kind: str  # "preamble" (title and header), a template section kind, or "user"
    title: str  # the heading as written ("" for the preamble)
    text: str  # from the heading line up to the next `## ` heading


@dataclass(frozen=True)
class Regenerated:
    text: str
    kept: list[str]  # headings of template sections whose own text was kept over the source's
    note: "Note | None" = None  # what the text says (the source merged with the user's note)


def _blocks(text: str) -> list[Block]:
    """The body split at `## ` headings (outside fenced code); a template kind seen twice is
    the user's the second time."""
    lines = text.splitlines(keepends=True)
    blocks: list[Block] = []
    cur_kind, cur_title, cur, seen = "preamble", "", [], set()
    prose = set(lines_outside_fences(lines))
    for i, line in enumerate(lines):
        bare = line.rstrip("\r\n")
        if i in prose and _H2.match(bare):
            blocks.append(Block(cur_kind, cur_title, "".join(cur)))
            cur_title = _H2.match(bare).group(1).strip()
            cur_kind = SECTION_TITLES.get(cur_title, "user")
            if cur_kind in seen:
                cur_kind = "user"
            seen.add(cur_kind)
            cur = []
        cur.append(line)
    blocks.append(Block(cur_kind, cur_title, "".join(cur)))
    return blocks


def _same(text: str) -> str:
    """A block for comparison: region bodies dropped, line ends and trailing blanks ignored."""
    text = text.replace("\r\n", "\n")
    for region in sorted(find_regions(text).values(), key=lambda r: -r.body_start):
        text = text[:region.body_start] + text[region.body_end:]
    return "\n".join(ln.rstrip() for ln in text.split("\n")).strip("\n")


def _by_kind(blocks: list[Block]) -> dict[str, Block]:
    return {b.kind: b for b in blocks if b.kind != "user"}


def merged_note(old: "Note", fresh: "Note") -> "Note":
    """`fresh` with the user's reading state, ideas and extra list values of `old`."""
    def union(a: list[str], b: list[str]) -> list[str]:
        return list(dict.fromkeys([*a, *b]))

    meta_update = {name: getattr(old.meta, name) for name in type(old.meta).model_fields
                   if getattr(fresh.meta, name) in ("", None, [])}
    # the user's spelling of a tag wins (`SimCLR` over the card's `simclr`), in the card's order
    spelled = {tag_key(t): t for t in old.meta.tags}
    meta_update["tags"] = merge_tags([spelled.get(tag_key(t), t) for t in fresh.meta.tags],
                                     old.meta.tags)
    return fresh.model_copy(update={
        "date": old.date, "status": old.status, "rating": old.rating, "ideas": old.ideas,
        "aliases": union(fresh.aliases, old.aliases), "related": union(fresh.related, old.related),
        "repro": fresh.repro or old.repro, "meta": fresh.meta.model_copy(update=meta_update)})


def _swap_regions(block: str, old_text: str, carried: set[str], lang: str, old_lang: str) -> str:
    """A fresh block with each region's body taken from the old note (or the region dropped if
    the old note keeps it in a block of the user's)."""
    old_regions = find_regions(old_text)
    for name, region in sorted(find_regions(block).items(), key=lambda kv: -kv[1].start):
        old = old_regions.get(name)
        if old is None:
            continue
        if name not in carried:
            block = block[:region.start] + block[region.end:]
            continue
        body = old_text[old.body_start:old.body_end]
        if name == "ideas" and lang != old_lang and ideas_edit(body, old_lang) is None:
            from papernotes.notes.format.ideas import parse_ideas

            body = normalise_body(render_ideas(parse_ideas(body), lang))
        block = block[:region.body_start] + body.replace("\r\n", "\n") + block[region.body_end:]
    return block


def _card_in(note: "Note", lang: str, card_key: str | None = None) -> list["Note"]:
    """The catalog card's note for `card_key` (else `note`'s key) in `lang` (its text is in that
    language), merged like `note`, when the catalog has a card with this key and title."""
    from papernotes.core.errors import PapernotesError
    from papernotes.notes.sources.catalog import card_to_note, load_card

    try:
        card = load_card(card_key or note.key)
    except PapernotesError:
        return []
    if card is None:
        return []
    other = card_to_note(card, lang).model_copy(update={"key": note.key})
    if other.meta.title != note.meta.title:
        return []
    return [merged_note(note, other)]


def regenerate(old: "ParsedNote", fresh: "Note", *, templates_dir: Path | None = None,
               card_key: str | None = None) -> Regenerated:
    """The text of `fresh` made again over the note `old`, keeping all of the user's text.
    `card_key`: the catalog key `fresh` came from, when the note's file has another name."""
    from papernotes.notes.model.schema import Note

    note = merged_note(old.note, fresh)
    old_lang = old.note.lang
    split = old.frontmatter.end if old.frontmatter else 0
    old_body = old.text[split:].replace("\r\n", "\n")
    old_blocks = _blocks(old_body)

    def body_blocks(n: "Note") -> list[Block]:
        text = render_new(n, templates_dir=templates_dir)
        return _blocks(text[split_frontmatter(text).end:])

    def blank(lang: str) -> "Note":
        return Note(key=note.key, lang=lang, date=note.date, status=note.status,
                    rating=note.rating, ideas=note.ideas, repro=note.repro)

    new_blocks = body_blocks(note)
    fresh_by_kind = _by_kind(new_blocks)
    blank_by_kind = _by_kind(body_blocks(blank(note.lang)))
    pristine: dict[str, set[str]] = {}  # what the template or the source alone would write
    for variant in [note.model_copy(update={"lang": old_lang}), blank(old_lang),
                    *_card_in(note, old_lang, card_key)]:
        for b in body_blocks(variant):
            pristine.setdefault(b.kind, set()).add(_same(b.text))

    keep: dict[str, str] = {}  # template kind -> the user's block, kept over the fresh one
    extra: dict[str, list[str]] = {}  # anchor kind -> the user's blocks that follow it
    kept_titles: list[str] = []
    anchor = "preamble"
    for b in old_blocks:
        text = sync_header(b.text, note) if b.kind == "preamble" else b.text
        if b.kind not in fresh_by_kind:  # a section of the user's
            extra.setdefault(anchor, []).append(text)
            continue
        anchor = b.kind
        if _same(text) in pristine.get(b.kind, set()):
            continue
        keep[b.kind] = text
        if _same(fresh_by_kind[b.kind].text) != _same(blank_by_kind[b.kind].text):
            kept_titles.append(b.title or "title")  # the source's text there goes unused

    in_users_blocks: set[str] = set()
    for text in [*keep.values(), *(t for ts in extra.values() for t in ts)]:
        in_users_blocks.update(find_regions(text))
    carried = set(find_regions(old_body)) - in_users_blocks

    out: list[str] = []
    for b in new_blocks:
        out.append(keep[b.kind] if b.kind in keep else
                   _swap_regions(b.text, old_body, carried, note.lang, old_lang))
        out.extend(extra.get(b.kind, []))
    body = "".join(t if t.endswith("\n") else t + "\n" for t in out[:-1]) + (out[-1] if out else "")

    if old.frontmatter is not None:
        front = update_frontmatter(old.text[:split].replace("\r\n", "\n"),
                                   file_properties(old), note_properties(note))
    else:
        fresh_text = render_new(note, templates_dir=templates_dir)
        front = fresh_text[:split_frontmatter(fresh_text).end]
    text = front + body
    if "\r\n" in old.text:
        text = text.replace("\n", "\r\n")
    return Regenerated(text, kept_titles, note)
