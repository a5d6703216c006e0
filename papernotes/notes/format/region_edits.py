"""Hand edits inside a managed region, found before the region is rewritten.

A region is rendered from the model, so a region whose text is not `render(parse(text))` was
edited by hand. What the region's parser reads (a patch row typed or changed in the table) is
already in the model and is rewritten in the tool's form; every other line typed there would
vanish at the rewrite, so it is moved into an Obsidian callout right after the end marker,
outside the region, where no tool writes again:

    %% papernotes:end ideas %%

    > [!warning] kept from your edit (papernotes)
    > TODO: try the 1% label split
"""

from __future__ import annotations

from dataclasses import dataclass

from papernotes.notes.format.ideas import fixed_line, parse_ideas, render_ideas
from papernotes.notes.format.ideas_story import chain_line
from papernotes.notes.format.markdown import parse_blocks
from papernotes.notes.format.regions import find_regions, newline_of, normalise_body

KEPT_TITLE = "> [!warning] kept from your edit (papernotes)"


@dataclass(frozen=True)
class RegionEdit:
    """What a rewrite of region `region` found typed inside it."""

    region: str
    line: int  # file line of the region's begin marker
    kept: tuple[str, ...]  # lines no parser reads, moved into the callout
    folded: bool  # the region differed from its rendering in more than blank space

    @property
    def message(self) -> str:
        if self.kept:
            n = len(self.kept)
            return (f"{n} line{'s' if n > 1 else ''} typed inside the managed region "
                    f"'{self.region}' {'were' if n > 1 else 'was'} kept in a callout right after it")
        return (f"the managed region '{self.region}' was edited by hand; what it says was read in "
                "and written back")

    @property
    def hint(self) -> str:
        return ("papernotes rewrites the region; write your own text outside it" if self.kept
                else "")


def _squeeze(text: str) -> list[str]:
    return [" ".join(ln.split()) for ln in text.replace("\r\n", "\n").split("\n") if ln.strip()]


def ideas_leftovers(body: str) -> list[str]:
    """Lines of an `ideas` region body that are the user's own: not a table line, not a
    numbered point's own paragraph, not one of the region's fixed lines in either language
    (section labels, `(暂无补丁)`), not a story's derived chain; blank lines skipped. Only these
    ever go into the `kept from your edit` callout."""
    lines = body.replace("\r\n", "\n").split("\n")
    read: set[int] = set()
    tokens = parse_blocks("\n".join(lines))
    for i, tok in enumerate(tokens):
        if not tok.map:
            continue
        if tok.type == "table_open":
            read.update(range(*tok.map))
        elif (tok.type == "list_item_open" and tok.markup in (".", ")")
              and i + 1 < len(tokens) and tokens[i + 1].type == "paragraph_open"
              and tokens[i + 1].map):
            read.update(range(tok.map[0], tokens[i + 1].map[1]))
        elif tok.type == "paragraph_open":
            read.update(n for n in range(*tok.map) if fixed_line(lines[n]))
        elif (tok.type == "fence" and tok.info.strip() == "mermaid"
              and tok.content.lstrip().startswith("flowchart LR")):  # a story's chain
            first, last = tok.map[0], tok.map[1] - 1
            read.update(n for n in range(first, last + 1)
                        if n in (first, last) or chain_line(lines[n]))
    return [ln.rstrip() for n, ln in enumerate(lines) if ln.strip() and n not in read]


def ideas_edit(body: str, lang: str, *, line: int = 0) -> RegionEdit | None:
    """The hand edit in an `ideas` region body, or None if it is as the tool wrote it."""
    log = parse_ideas(body)
    if _squeeze(body) == _squeeze(normalise_body(render_ideas(log, lang))):
        return None
    return RegionEdit("ideas", line, tuple(ideas_leftovers(body)), folded=True)


def keep_lines(text: str, name: str, lines: list[str] | tuple[str, ...], *, path=None) -> str:
    """`text` with `lines` in a `kept from your edit` callout right after region `name`'s end
    marker (a blank line before and after it); `text` unchanged if there are no lines. A
    callout already there gets only the lines it does not hold yet, so that it never grows
    with the same lines again, and there is never a second one."""
    region = find_regions(text, path=path).get(name)
    if region is None or not lines:
        return text
    nl = newline_of(text)
    after = text[region.end:]
    head = text[:region.end]
    if not head.endswith("\n"):
        head += nl
    old = _callout_at(after)
    if old is not None:
        end, held = old
        new = [ln for ln in lines if ln.strip() and ln.strip() not in held]
        if not new:
            return text
        block = "".join(f"> {ln}{nl}" for ln in new)
        return head + after[:end] + block + after[end:]
    callout = [KEPT_TITLE] + [f"> {ln}" if ln.strip() else ">" for ln in lines]
    block = nl + nl.join(callout) + nl
    if after and not after.startswith(("\n", "\r\n")):
        block += nl
    return head + block + after


def _callout_at(after: str) -> tuple[int, set[str]] | None:
    """(end, its lines) of the `kept from your edit` callout that `after` (the text
    after a region) begins with, after at most one blank line; None if there is none."""
    pos = 0
    first = after.split("\n", 1)[0]
    if first.strip() == "":
        pos = len(first) + 1
    if not after.startswith(KEPT_TITLE, pos):
        return None
    end, held = pos, set()
    for line in after[pos:].splitlines(keepends=True):
        if not line.startswith(">"):
            break
        end += len(line)
        held.add(line.rstrip("\r\n")[1:].strip())
    if not after[:end].endswith("\n"):
        return None  # a callout that ends the file without a newline: a new one is simpler
    return end, held
