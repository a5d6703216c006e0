"""`papernotes import PATHS... [--into VAULT] [--dry-run]`: bring Obsidian notes and Hexo
posts into the vault (originals untouched, damage repaired first)."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from papernotes.cli.console import console, handles_errors
from papernotes.cli.progress_bar import progress_bar


@handles_errors
def command(
    paths: List[Path] = typer.Argument(..., help="Markdown files or folders to import."),
    into: Optional[Path] = typer.Option(None, "--into", help="The vault (default: the current one)."),
    dry_run: bool = typer.Option(False, "--dry-run",
                                 help="Show what would be mapped where; write nothing."),
    hexo_assets: bool = typer.Option(
        False, "--hexo-assets", help="Copy each Hexo post's asset folder files into "
        "notes/attachments/<key>/, turn its {% asset_img|asset_link|asset_path %} tags into "
        "Obsidian links and point its Markdown images (![x](post/x.png)) at the copies "
        "(tags and images whose file is missing are kept as written)."),
    flatten: bool = typer.Option(
        False, "--flatten", help="Put every note in notes/ itself instead of keeping the "
        "vault's folders; links that name a note by its folder are rewritten to its name."),
) -> None:
    """Import notes: template headings map onto the note's sections, everything else is kept
    verbatim as free text. Each note keeps its file's name; a name already taken gets " 1",
    " 2", ... (never an overwrite), the old name as an alias, and links to it follow. A vault
    keeps its folders under notes/ (unless --flatten) and its notes' attachments are copied.
    A file imported before with the same content is skipped, so a stopped import continues
    when run again."""
    import sys

    from rich.markup import escape

    from papernotes.core.atomic import check_writable
    from papernotes.core.notices import warn
    from papernotes.core.shell import command as shell_command
    from papernotes.core.workspace import find_workspace
    from papernotes.notes.importer.layout import import_sources
    from papernotes.notes.importer.plan import plan_import
    from papernotes.notes.importer.provenance import split_done
    from papernotes.notes.importer.write import write_imports
    from papernotes.notes.model.names import fold

    ws = find_workspace(into)
    if not dry_run:  # before any plan is printed: a folder it cannot write in is one line
        check_writable(ws.notes_dir)
    todo, skipped = split_done(ws.root, import_sources(paths, flatten=flatten))
    renamed_before = {fold(Path(r.source).stem): r.key for r in skipped
                      if r.key != Path(r.source).stem}
    with progress_bar("reading notes", 20) as progress:  # repair can take seconds per note
        plans = plan_import(todo, ws.notes_dir, hexo_assets=hexo_assets, progress=progress,
                            renamed_before=renamed_before)
    for p in plans:
        console.print(f"[bold]{escape(str(p.source))}[/] ({p.kind}) -> {escape(str(p.target))}",
                      highlight=False, soft_wrap=True)
        if p.renamed_from is not None:
            console.print(f"  renamed '{p.renamed_from}' -> '{p.key}' ({p.renamed_why}); the "
                          "old name is kept as an alias", markup=False, highlight=False,
                          soft_wrap=True)
        if p.links_rewritten:
            console.print(f"  {p.links_rewritten} link(s) to renamed notes or headings of this "
                          "import now name them", markup=False, highlight=False)
        if p.encoding is not None:
            console.print(f"  not UTF-8: converted from {p.encoding}", highlight=False)
        if p.repair is not None:
            r = p.repair
            page = f" (read as {r.page})" if r.page else ""
            console.print(f"  repaired damaged text first{page}: {r.sequences} sequences, "
                          f"{r.restored} with lost bytes put back, {r.ambiguous} ambiguous, "
                          f"{r.uncertain} character(s) uncertain", highlight=False)
            for u in r.unclear:
                console.print(f"  line {u.line}: {u.pages[0]} and {u.pages[1]} repair it "
                              f"differently: left as it is", highlight=False)
        if p.identification is not None:
            console.print(f"  paper: {p.identification.describe()}", markup=False,
                          highlight=False, soft_wrap=True)
        for src, what in p.properties:
            console.print(f"  property {src}: {what}", markup=False, highlight=False,
                          soft_wrap=True)
        for line, title, kind in p.sections:
            console.print(f"  line {line}: '{title}' -> section {kind}", markup=False,
                          highlight=False)
        for line, title in p.free:
            console.print(f"  line {line}: '{title}' kept as free text", markup=False,
                          highlight=False)
        if p.assets is not None:
            for line, tag, link in p.assets.rewritten:
                console.print(f"  {p.source.name}:{line}: {tag} -> {link}", markup=False,
                              highlight=False, soft_wrap=True)
            for line, name in p.assets.missing:
                console.print(f"  {p.source.name}:{line}: asset '{name}' not in "
                              f"{p.source.with_suffix('')}/: kept as written", markup=False,
                              highlight=False, soft_wrap=True)
        if p.attachments is not None and p.attachments.copies:
            console.print(f"  {len(p.attachments.copies)} attachment(s): "
                          + ", ".join(t.name for _, t in p.attachments.copies), markup=False,
                          highlight=False, soft_wrap=True)
        if p.attachments is not None and p.attachments.missing:
            warn(f"{len(p.attachments.missing)} attachment(s) not in the vault, links kept as "
                 "written: " + ", ".join(name for _, name in p.attachments.missing),
                 path=p.source, line=p.attachments.missing[0][0])
        if p.kept:
            console.print("  kept verbatim: " + ", ".join(p.kept), markup=False,
                          highlight=False)
    repaired = [p.repair for p in plans if p.repair is not None]
    uncertain = sum(r.uncertain for r in repaired)
    summary = (f"; {len(repaired)} repaired, {uncertain} character(s) stayed uncertain "
               "(`papernotes doctor` lists them)" if repaired else "")
    copies = {t for p in plans for _, t in (p.attachments.copies if p.attachments else [])
              if not t.exists()}
    counts = f", {len(copies)} attachment(s)"
    if skipped:
        counts += f", {len(skipped)} already imported (same file, same content) skipped"
    if dry_run:
        console.print(f"dry run: {len(plans)} note(s){counts} would be written, nothing "
                      f"written{summary}", highlight=False)
        return
    again = shell_command("import", *sys.argv[2:]) \
        if len(sys.argv) > 2 and sys.argv[1] == "import" else None
    written = write_imports(plans, ws_root=ws.root, command=again)
    console.print(f"[green]imported {len(written)} note(s)[/]{counts}{summary}",
                  highlight=False)
