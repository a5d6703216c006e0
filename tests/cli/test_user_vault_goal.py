"""Issue 22's goal: a vault built like the user's (sub-folders, attachments, path-qualified and
aliased links, Chinese names, free-text cells, a hand-edited header, CRLF) passes through
import, the everyday commands, `new --force` and `doctor --fix` with every line, link and
image intact."""

from __future__ import annotations

import re
from pathlib import Path

from papernotes.notes.doctor.catalog_links import catalog_key
from papernotes.notes.doctor.links import build_index, resolve
from papernotes.notes.format.links import find_links
from tests.user_vault import (
    ATTACHMENTS,
    DINO,
    FREE_CELLS,
    MISSING_IMAGE,
    MOCO,
    SIMCLR,
    bare_lf,
    write_obsidian_vault,
)

_HEADING = re.compile(r"^#{1,6}\s")
_ANCHOR = re.compile(r"(\[\[[^\]|#]*)#[^\]|]*")  # a link's #heading: import renames template ones


def _body_lines(text: str) -> list[str]:
    """The lines of a note the user wrote below its properties, headings left out (import
    renames template headings; their text is checked elsewhere)."""
    text = text.replace("\r\n", "\n")
    if text.startswith("---\n"):
        text = text[text.index("\n---\n", 4) + 5:]
    return [_ANCHOR.sub(r"\1", ln) for ln in text.split("\n")
            if ln.strip() and not _HEADING.match(ln)]


def test_the_users_vault_goes_through_every_command_intact(cli, ws_dir, tmp_path):
    vault = tmp_path / "我的库"
    sources = write_obsidian_vault(vault)
    notes = ws_dir / "notes"
    r = cli("import", str(vault))
    assert r.exit_code == 0, r.output
    targets = {name: notes / src.relative_to(vault) for name, src in sources.items()}

    r = cli("list")
    assert r.exit_code == 0 and "skipped" not in r.output, r.output
    for name in (SIMCLR, DINO, MOCO):
        assert name in r.output.replace("\n", "") or name[:4] in r.output
        r2 = cli("show", name)
        assert r2.exit_code == 0, r2.output
    assert cli("validate").exit_code == 0
    assert cli("idea", "point", DINO, "教师温度为何要低").exit_code == 0
    assert cli("idea", "point", "论文/精读/MoCo 动量对比", "队列长度").exit_code == 0
    r = cli("new", "simclr", "--force")  # the imported SimCLR note, made again where it is
    assert r.exit_code == 0, r.output
    r = cli("doctor", "--fix")
    assert "Traceback" not in r.output

    # every line the user wrote is still there; the alias link now names its note
    for name, src in sources.items():
        wanted = _body_lines(src.read_text(encoding="utf-8"))
        have = set(_body_lines(targets[name].read_text(encoding="utf-8")))
        fixed = [ln.replace("[[DINO]]", f"[[{DINO}|DINO]]") for ln in wanted]
        lost = [ln for ln, ok in zip(wanted, fixed) if ln not in have and ok not in have]
        assert lost == [], (name, lost)
    simclr = targets[SIMCLR].read_text(encoding="utf-8")
    assert f"[[{DINO}|DINO]]" in simclr and all(c in simclr for c in FREE_CELLS)
    assert bare_lf(targets[DINO].read_bytes()) == 0  # CRLF throughout
    # every link and image resolves (but the image the vault never had, and catalog papers)
    index = build_index(ws_dir)
    for name, target in targets.items():
        for link in find_links(target.read_text(encoding="utf-8")):
            if link.external or link.linkpath in ("", MISSING_IMAGE) \
                    or catalog_key(link.linkpath) == link.linkpath:  # the card's [[moco]]
                continue
            found = resolve(index, link.linkpath, target)
            assert found is not None and found.via != "alias", (name, link)
    for att, data in ATTACHMENTS.items():
        assert (notes / "attachments" / att).read_bytes() == data
    r = cli("doctor")
    problems = [ln for ln in r.output.splitlines()
                if ": " in ln and "(info)" not in ln and not ln.startswith(("warning", "note"))
                and "file(s) checked" not in ln]
    assert len(problems) == 1 and MISSING_IMAGE in problems[0], r.output
    assert not any(Path(p).name.endswith(" 1.md") for p in map(str, notes.rglob("*.md")))
