"""`papernotes doctor`: checks on any Markdown file, each a named `Finding` at file:line.

Checks: `not-text` (an image or other binary file), `not-utf8`, `mojibake` (damaged text; fixable), `mojibake-uncertain` (the least
confident restored characters, to look at), `frontmatter` (not YAML, or not Obsidian
properties), `schema` (a note, in the vault or not, that does not parse as a papernotes note), `wikilink`
and `embed` (targets, Markdown images too, resolved as Obsidian does: `links.py`),
`renamed-link` (a link that reaches its note only by an alias; fixable), `anchor` (a
`#Heading` or `#^block` the target lacks), `placeholder` (the template's sample text still in
place).

A finding is a `problem` (counted, `doctor` exits 1) or `info` (shown, counted only with
`--strict`): the template's placeholders, and links to catalog papers not made yet.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from papernotes.core.errors import PapernotesError, problems_of
from papernotes.notes.doctor.finding import Finding
from papernotes.notes.doctor.link_checks import check_links, fix_links
from papernotes.notes.doctor.links import VaultIndex
from papernotes.notes.format.frontmatter import split_frontmatter
from papernotes.notes.format.links import code_free_lines
from papernotes.notes.format.placeholders import is_placeholder
from papernotes.notes.repair.mojibake_repair import RepairResult, repair_text

UNCERTAIN_SHOWN = 5
_LIST_MARK = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+|^\s*>\s*")


@dataclass
class FileReport:
    path: Path
    findings: list[Finding] = field(default_factory=list)
    repair: RepairResult | None = None  # set when the text was damaged
    repaired_text: str | None = None  # what --fix writes


def _page_note(res: RepairResult) -> str:
    """`Windows-1254, 41.2 over Windows-1252` for each page chosen (lines when several)."""
    parts = []
    for v in res.pages:
        where = f" (lines {v.line}-{v.end_line})" if len(res.pages) > 1 else ""
        if v.lossless:
            how = ", nothing lost"
        elif v.same_repair:
            how = f" ({v.runner_up} reads it the same)"
        elif v.margin is None:
            how = ", the only page that fits"
        elif v.margin == float("inf"):
            how = f"; {v.runner_up} cannot produce it"
        else:
            how = f", margin {v.margin:.1f} over {v.runner_up}"
        parts.append(f"{v.page}{where}{how}")
    return "; ".join(parts)


def check_mojibake(path: str, text: str) -> tuple[list[Finding], RepairResult | None]:
    """Damaged text: the page it went through, what the repair restores, the characters it
    is least sure of, lines it leaves because two pages repair them differently, and any
    damage still there after it (so a file is never reported clean while some remains)."""
    from papernotes.notes.repair.detect import detect

    res = repair_text(text)
    if not res.changed:
        return [], None
    out: list[Finding] = []
    if res.lossless:
        msg = f"damaged text (a lossless misreading), {res.sequences} line(s) re-decoded by ftfy"
        out.append(Finding("mojibake", path, 1, msg, fixable=True))
    elif res.text_changed:
        twice = f", damaged {res.layers} times" if res.layers > 1 else ""
        msg = (f"damaged text (UTF-8 read as {_page_note(res)}{twice}): {res.sequences} "
               f"sequences restored, {res.restored} with lost bytes put back, "
               f"{res.ambiguous} ambiguous")
        first = min([v.line for v in res.pages] or [1])
        out.append(Finding("mojibake", path, first, msg, fixable=res.text != text))
    for u in res.unclear:
        out.append(Finding("mojibake-unclear", path, u.line,
                           f"damaged text that {u.pages[0]} and {u.pages[1]} repair "
                           f"differently (margin {u.margin:.1f}): left as it is; please check"))
    for c in res.least_confident(UNCERTAIN_SHOWN):
        if c.confidence >= 0.9:
            continue
        alts = "".join(c.alternatives[:3])
        out.append(Finding("mojibake-uncertain", path, c.line,
                           f"restored '{c.chosen}' in '{c.context}' with p={c.confidence:.2f} "
                           f"(next most likely: {alts}); please check"))
    unclear = {u.line for u in res.unclear}
    left = detect(res.text) if res.text_changed else None
    if left is not None and left.damaged and left.first_line() not in unclear:
        out.append(Finding("mojibake-left", path, left.first_line(),
                           "damaged text still there after the repair; please check"))
    return out, res


def _obsidian_property_problem(value) -> str | None:
    """Obsidian properties are text, numbers, booleans, dates or lists of those."""
    scalar = (str, int, float, bool, date, datetime, type(None))
    if isinstance(value, scalar):
        return None
    if isinstance(value, list):
        if all(isinstance(v, scalar) for v in value):
            return None
        return "a list of lists or mappings is not an Obsidian property"
    return "a nested mapping is not an Obsidian property"


def check_frontmatter(path: str, text: str) -> list[Finding]:
    try:
        fm = split_frontmatter(text, path=path)
    except PapernotesError as exc:
        return [Finding("frontmatter", path, exc.line or 1, exc.message)]
    if fm is None:
        return []
    out = []
    for key, value in fm.data.items():
        problem = _obsidian_property_problem(value)
        if not isinstance(key, str):
            problem = f"property name {key!r} is not text"
        if problem:
            out.append(Finding("frontmatter", path, fm.line_of(key) or 2, f"{key}: {problem}"))
    return out


def check_schema(path: Path, text: str) -> list[Finding]:
    from papernotes.notes.format.parse import parse_note
    from papernotes.notes.vault import key_of

    try:
        parse_note(text, path=path, key=key_of(path))
    except PapernotesError as exc:
        return [Finding("schema", str(path), p.line or 1,
                        (f"{p.field}: {p.message}" if p.field else p.message)
                        + (f" ({p.hint})" if p.hint else ""))
                for p in problems_of(exc)]
    return []


def check_placeholders(path: str, text: str) -> list[Finding]:
    out = []
    for no, _, line in code_free_lines(text):
        if line.lstrip().startswith("|"):
            pieces = [c for c in line.strip().strip("|").split("|")]
        else:
            pieces = [_LIST_MARK.sub("", line)]
        for piece in pieces:
            p = piece.strip()
            if p and not set(p) <= set("-:= *") and is_placeholder(p):
                out.append(Finding("placeholder", path, no, f"template text still to fill: {p}",
                                   severity="info"))
                break
    return out


def _decode(spath: str, data: bytes, report: FileReport) -> tuple[str | None, bool]:
    """The file's text, and whether it had to be converted (`not-utf8`, fixable, names the
    encoding found); None when no encoding fits."""
    try:
        return data.decode("utf-8"), False
    except UnicodeDecodeError as exc:
        from papernotes.core.binary import binary_kind, not_text_message
        from papernotes.notes.repair.encoding import decode_bytes

        kind = binary_kind(data)
        if kind is not None:
            report.findings.append(Finding("not-text", spath, 1, not_text_message(kind)))
            return None, False
        line = data[: exc.start].count(b"\n") + 1
        decoded = decode_bytes(data)
        if decoded is None:
            report.findings.append(Finding(
                "not-utf8", spath, line, f"not valid UTF-8 (byte 0x{data[exc.start]:02x}), "
                "and no text encoding reads it: left as it is"))
            return None, False
        report.findings.append(Finding(
            "not-utf8", spath, line, f"not valid UTF-8 (byte 0x{data[exc.start]:02x}): reads "
            f"as {decoded.label}; --fix converts it to UTF-8", fixable=True))
        return decoded.text, True


__all__ = ["check_links", "examine", "FileReport"]  # check_links: its old home


def examine(path: Path, *, index: VaultIndex | None, ws=None) -> FileReport:
    """Run every check on one file, wherever it is (in the vault or not: its properties are
    checked as `validate` checks them); `repaired_text` is what --fix would write. `ws`: the
    workspace the file is in (links to catalog papers are then told apart from notes it has)."""
    report = FileReport(path)
    spath = str(path)
    data = path.read_bytes()
    text, converted = _decode(spath, data, report)
    if text is None:
        return report
    found, res = check_mojibake(spath, text)
    report.findings += found
    if converted:
        report.repaired_text = text
    if res is not None:
        report.repair = res
        if res.text != text:  # lines left as unclear change nothing
            report.repaired_text = res.text
        text = res.text  # the other checks look at what the text says once repaired
    report.findings += check_frontmatter(spath, text)
    if not any(f.check == "frontmatter" for f in report.findings):
        report.findings += check_schema(path, text)
    if index is not None:
        from papernotes.notes.doctor.catalog_links import soften

        report.findings += [soften(f, ws, index) for f in check_links(spath, text, index)]
        fixed, n = fix_links(path, text, index)
        if n:
            report.repaired_text = fixed  # --fix: links to renamed notes follow the new name
    report.findings += check_placeholders(spath, text)
    return report
