"""`papernotes catalog [QUERY]`: the built-in paper cards `papernotes new KEY` makes notes from;
`papernotes catalog KEY`: one card with its ledger (every number, its protocol and its source)."""

from __future__ import annotations

from typing import Optional

import typer

from papernotes.cli.console import console, handles_errors


@handles_errors
def command(
    query: Optional[str] = typer.Argument(
        None, help="A card's key (MoCo v2 = mocov2): that card and its ledger. Anything else: only "
                   "cards whose key, title, alias or tag contains it (any case)."),
    sources: bool = typer.Option(False, "--sources",
                                 help="With a key: also the files each protocol detail was read from."),
) -> None:
    """List the catalog's papers: key, title, venue and year, repro spec; inside a workspace,
    the note already made from each. With a card's key, show its ledger: the paper's numbers and
    the public reimplementations', each with its protocol and source."""
    from rich.table import Table

    from papernotes.core.errors import PapernotesError
    from papernotes.core.workspace import find_workspace
    from papernotes.notes.sources.catalog import list_cards, load_card

    if query:
        try:
            card = load_card(query)
        except PapernotesError:
            card = None
        if card is not None:
            _show_ledger(card, query, sources)
            return
    try:
        ws = find_workspace()
    except PapernotesError:
        ws = None
    cards = list_cards()
    if query:
        q = query.casefold()
        cards = [c for c in cards if any(q in s.casefold() for s in
                                          (c.key, c.title, *c.aliases, *c.tags))]
    if not cards:
        console.print(f"no card matches {query!r}" if query else "the catalog is empty",
                      highlight=False)
        return
    table = Table("key", "paper", "venue", "repro", *(["note"] if ws else []))
    known = None
    if ws is not None:  # the note of each paper as `new` finds it: file name, arXiv id, DOI, title
        from papernotes.notes.identity import vault_papers

        known = vault_papers(ws)
    for c in cards:
        row = [c.key, c.title + (f" ({', '.join(c.aliases)})" if c.aliases else ""),
               f"{c.venue} {c.year}", c.repro or ""]
        if ws is not None:
            path = _note_of(ws, c, known)
            row.append(path or "")
        table.add_row(*row)
    console.print(table)
    console.print(f"{len(cards)} paper(s); `papernotes new KEY` makes a note from one",
                  highlight=False)


def _show_ledger(card, query: str, sources: bool) -> None:
    """The card's numbers as a table: who, number, protocol, source (with the day it was read)."""
    from rich.markup import escape
    from rich.table import Table

    from papernotes.notes.sources.catalog import list_cards

    console.print(f"[bold]{escape(card.title)}[/] ({escape(card.venue)} {card.year}) "
                  f"{escape(card.paper_url)}" + (f", repro spec: {card.repro}" if card.repro else ""),
                  highlight=False)
    table = Table(show_lines=True)
    table.add_column("by", max_width=16, overflow="fold")
    table.add_column("number", no_wrap=True)
    table.add_column("protocol", ratio=1, overflow="fold")
    table.add_column("source", ratio=1, overflow="fold")
    for r in card.results:
        who = r.by + (f"\n({r.variant})" if r.variant else "")
        protocol = r.protocol.text() + "".join(f"\n+ {n}" for n in r.protocol.notes)
        source = r.source.text() + "".join(f"\n  {a}" for a in r.source.also if sources)
        if r.note:
            source += f"\nnote: {r.note}"
        table.add_row(escape(who), f"{r.metric} {r.value:g}", escape(protocol), escape(source))
    console.print(table)
    paper = len(card.paper_results())
    console.print(f"{len(card.results)} number(s): {paper} from the paper, {len(card.results) - paper} from "
                  "the authors' code and reimplementations; `unknown`: the source does not say"
                  + ("" if sources else "; --sources adds the files each protocol was read from"),
                  highlight=False)
    q = query.casefold()
    others = [c.key for c in list_cards() if c.key != card.key and q in c.key]
    if others:
        console.print(f"also matching: {', '.join(others)} (papernotes catalog KEY)", highlight=False)


def _note_of(ws, card, known) -> str | None:
    """The vault's note of `card`: the file of its key, else the note of the same paper
    (arXiv id, DOI, title), as `new KEY` decides that the paper has a note."""
    from papernotes.notes.identity import paper_ids
    from papernotes.notes.note_files import files_of_key

    found = files_of_key(ws, card.key)  # in any folder of notes/
    path = found[0] if found else None
    if path is None:
        path = next((known[i] for i in sorted(paper_ids(card.metadata())) if i in known), None)
    if path is None:
        return None
    try:
        return path.resolve().relative_to(ws.root.resolve()).as_posix()
    except ValueError:
        return str(path)
