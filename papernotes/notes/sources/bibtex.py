"""BibTeX in and out: notes from a `.bib` file, and a `.bib` file from notes.

Import cleans LaTeX (braces, accents, escapes) into plain Unicode and turns "Last, First" names
into "First Last". Export writes arXiv-only papers as `@misc` with `eprint`/`archivePrefix`,
journal papers as `@article`, everything else as `@inproceedings`, with unique citekeys like
`chen2020simple`. Exporting and re-importing gives back the same metadata.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from pathlib import Path

import bibtexparser
from bibtexparser.model import Entry
from pylatexenc.latex2text import LatexNodes2Text

from papernotes.core.atomic import read_text_utf8
from papernotes.core.errors import PapernotesError
from papernotes.notes.model.schema import Metadata, Note

_LATEX = LatexNodes2Text(math_mode="verbatim", strict_latex_spaces=True)
_ARXIV_IN_TEXT = re.compile(r"(?:arxiv[:/\s]*|abs/)(\d{4}\.\d{4,5}|[a-z\-]+(?:\.[A-Z]{2})?/\d{7})",
                            re.IGNORECASE)
_AND = re.compile(r"\s+and\s+", re.IGNORECASE)
_DOI_URL = "https://doi.org/"
_JOURNAL_WORDS = ("journal", "transactions", "letters", "review", "proceedings of the ieee")
_JOURNALS = {"tpami", "pami", "ijcv", "jmlr", "tmlr", "nature", "science", "tacl", "tip", "tnnls"}
_STOPWORDS = {"a", "an", "the", "on", "of", "for", "in", "to", "and", "with", "by", "at", "is"}


# --- LaTeX to text --------------------------------------------------------------------------------

def _split_top_level(value: str, sep: re.Pattern[str]) -> list[str]:
    """Split on `sep` only outside braces (`{Barnes and Noble}` stays one name)."""
    parts, depth, start, i = [], 0, 0, 0
    while i < len(value):
        ch = value[i]
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth = max(0, depth - 1)
        elif depth == 0:
            m = sep.match(value, i)
            if m:
                parts.append(value[start:i])
                start = i = m.end()
                continue
        i += 1
    parts.append(value[start:])
    return [p.strip() for p in parts if p.strip()]


def clean_latex(value: str) -> str:
    """`{BERT}: Pre-training \\& {\\"u}ber` -> `BERT: Pre-training & über` (one line)."""
    text = _LATEX.latex_to_text(value) if any(c in value for c in "\\{}$~") else value
    return re.sub(r"\s+", " ", text).strip()


_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")


def _name(raw: str) -> str:
    """One BibTeX name to "First Last": `He, Kaiming` / `Smith, Jr., John` / `Kaiming He`;
    a CJK name keeps its family name first (`刘, 潇` -> `刘 潇`)."""
    parts = _split_top_level(raw, re.compile(r"\s*,\s*"))
    if len(parts) == 2:
        last, first = parts
        name = f"{last} {first}" if _CJK.search(last) else f"{first} {last}"
    elif len(parts) == 3:
        last, jr, first = parts
        name = f"{first} {last} {jr}"
    else:
        name = raw
    return clean_latex(name)


def parse_authors(value: str) -> list[str]:
    return [_name(a) for a in _split_top_level(value, _AND) if a.strip().lower() != "others"]


# --- import --------------------------------------------------------------------------------------

def _field(entry: Entry, name: str) -> str:
    f = entry.fields_dict.get(name) or entry.fields_dict.get(name.lower())
    if f is None:
        for key, fld in entry.fields_dict.items():
            if key.lower() == name:
                f = fld
                break
    return "" if f is None else str(f.value).strip()


def _field_line(entry: Entry, name: str) -> int:
    for key, fld in entry.fields_dict.items():
        if key.lower() == name and fld.start_line is not None:
            return fld.start_line + 1
    return entry.start_line + 1


def _note_key(citekey: str) -> str:
    key = re.sub(r"[^A-Za-z0-9._-]+", "-", citekey).strip("-.")
    return key or "entry"


def _arxiv_id(entry: Entry) -> str | None:
    eprint = _field(entry, "eprint")
    prefix = _field(entry, "archiveprefix") or _field(entry, "eprinttype")
    if eprint and (not prefix or prefix.lower() == "arxiv"):
        return eprint.removeprefix("arXiv:").removeprefix("arxiv:")
    for name in ("journal", "url", "note", "howpublished"):
        m = _ARXIV_IN_TEXT.search(_field(entry, name))
        if m:
            return m.group(1)
    return None


def _venue(entry: Entry, arxiv: str | None) -> str:
    venue = clean_latex(_field(entry, "journal") or _field(entry, "booktitle"))
    if venue.lower().startswith(("arxiv", "corr")) or (not venue and arxiv):
        return "arXiv"
    return venue


def _entry_to_note(entry: Entry, path: Path) -> Note:
    title = clean_latex(_field(entry, "title"))
    year_raw = clean_latex(_field(entry, "year"))
    year = None
    if year_raw:
        if not re.fullmatch(r"\d{4}", year_raw):
            raise PapernotesError(f"year {year_raw!r} is not a 4-digit year", path=path,
                                  line=_field_line(entry, "year"), field=f"{entry.key}.year")
        year = int(year_raw)
    arxiv = _arxiv_id(entry)
    url = _field(entry, "url")
    doi = _field(entry, "doi")
    paper_url = url or (f"{_DOI_URL}{doi}" if doi else "")
    try:
        meta = Metadata(title=title, authors=parse_authors(_field(entry, "author")),
                        venue=_venue(entry, arxiv), year=year, paper_url=paper_url, arxiv=arxiv,
                        doi=doi or None, citekey=entry.key)
    except ValueError as exc:  # pydantic: a bad arXiv id
        msg = str(exc).splitlines()[-1].strip() if str(exc) else "invalid metadata"
        raise PapernotesError(msg, path=path, line=_field_line(entry, "eprint"),
                              field=f"{entry.key}.eprint") from None
    return Note(key=_note_key(entry.key), meta=meta)


def notes_from_bibtex(path: str | Path, key: str | None = None) -> list[Note]:
    """Notes (metadata only) for every entry in `path`, or only for citekey `key`."""
    path = Path(path)
    text = read_text_utf8(path)
    logger = logging.getLogger("bibtexparser")
    level = logger.level
    logger.setLevel(logging.CRITICAL)  # we report failures ourselves, in one line
    try:
        library = bibtexparser.parse_string(text)
    finally:
        logger.setLevel(level)
    if library.failed_blocks:
        block = library.failed_blocks[0]
        reason = "duplicate citekey" if "Duplicate" in type(block).__name__ else "malformed entry"
        raise PapernotesError(reason, path=path, line=block.start_line + 1, field="bibtex",
                              hint="check braces, commas and the @type{key, line")
    entries = library.entries
    if key is not None:
        entries = [e for e in entries if e.key == key]
        if not entries:
            known = ", ".join(e.key for e in library.entries[:8]) or "none"
            raise PapernotesError(f"no entry with citekey {key!r}", path=path, field="key",
                                  hint=f"citekeys in the file: {known}")
    return [_entry_to_note(e, path) for e in entries]


def metadata_from_bibtex(text: str) -> list[Metadata]:
    """The metadata of every entry in a BibTeX snippet (a block pasted into a note); entries
    that do not parse or whose fields are malformed are skipped, not reported."""
    logger = logging.getLogger("bibtexparser")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        library = bibtexparser.parse_string(text)
    except Exception:  # noqa: BLE001 (a pasted snippet may be anything; it is only evidence)
        return []
    finally:
        logger.setLevel(level)
    out = []
    for entry in library.entries:
        try:
            out.append(_entry_to_note(entry, Path("bibtex")).meta)
        except PapernotesError:
            continue
    return out


# --- export --------------------------------------------------------------------------------------

def _ascii_word(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", folded.lower())


def _citekey(meta: Metadata, taken: set[str]) -> str:
    last = _ascii_word(meta.authors[0].split()[-1]) if meta.authors else "anon"
    words = [_ascii_word(w) for w in re.split(r"[\s\-:]+", meta.title)]
    first = next((w for w in words if w and w not in _STOPWORDS), "")
    base = f"{last or 'anon'}{meta.year or ''}{first}"
    key, n = base, 0
    while key in taken:
        n += 1
        key = base + ("abcdefghijklmnopqrstuvwxyz"[n - 1] if n <= 26 else str(n))
    taken.add(key)
    return key


_ESCAPES = {"\\": "\\textbackslash{}", "~": "\\textasciitilde{}", "{": "\\{", "}": "\\}",
            "&": "\\&", "%": "\\%", "$": "\\$", "#": "\\#", "_": "\\_"}


def _escape(text: str) -> str:
    """Protect LaTeX specials in free text so that `clean_latex` gives `text` back."""
    out = "".join(_ESCAPES.get(ch, ch) for ch in text)
    # break up TeX's ligatures: "--" (a dash), "``" and "''" (curly quotes), "!`" and "?`" (¡ ¿)
    return re.sub(r"-(?=-)|`(?=`)|'(?=')|[!?](?=`)", lambda m: m.group() + "{}", out)


def _bib_name(name: str) -> str:
    parts = name.split()
    if len(parts) < 2:
        return _escape(name)
    if _CJK.search(name):  # kept family name first: `刘 潇` -> `刘, 潇`
        return f"{_escape(parts[0])}, {_escape(' '.join(parts[1:]))}"
    return f"{_escape(parts[-1])}, {_escape(' '.join(parts[:-1]))}"


def _is_journal(venue: str) -> bool:
    v = venue.lower()
    return v in _JOURNALS or any(w in v for w in _JOURNAL_WORDS)


def _entry_text(meta: Metadata, citekey: str) -> str:
    venue = meta.venue.strip()
    arxiv_only = venue.lower() in ("", "arxiv", "corr")
    if arxiv_only and meta.arxiv:
        kind, venue_field = "misc", None
    elif _is_journal(venue):
        kind, venue_field = "article", "journal"
    elif venue and not arxiv_only:
        kind, venue_field = "inproceedings", "booktitle"
    else:
        kind, venue_field = "misc", None
    fields: list[tuple[str, str]] = [("title", "{" + _escape(meta.title) + "}")]
    if meta.authors:
        fields.append(("author", " and ".join(_bib_name(a) for a in meta.authors)))
    if venue_field:
        fields.append((venue_field, _escape(venue)))
    if meta.year:
        fields.append(("year", str(meta.year)))
    if meta.arxiv:
        fields += [("eprint", meta.arxiv), ("archivePrefix", "arXiv")]
    doi = meta.doi or (meta.paper_url[len(_DOI_URL):] if meta.paper_url.startswith(_DOI_URL) else "")
    if doi:
        fields.append(("doi", doi))  # verbatim, as biblatex reads it
    if meta.paper_url and not meta.paper_url.startswith(_DOI_URL):
        fields.append(("url", meta.paper_url))
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@{kind}{{{citekey},\n{body}\n}}\n"


def citekeys(papers: list[Metadata]) -> list[str]:
    """Each paper's citekey: its own (`citekey` property, BibTeX import, Zotero, `new ID`),
    else one made as `chen2020simple`, never one another paper has. The papers' own keys are
    taken first, so a made key never changes which key a paper of the user's has."""
    taken = {m.citekey for m in papers if m.citekey}
    out, seen = [], set()
    for m in papers:
        if m.citekey and m.citekey not in seen:
            out.append(m.citekey)
            seen.add(m.citekey)
        else:
            out.append(_citekey(m, taken))
    return out


def metadata_to_bibtex(papers: list[Metadata], keys: list[str] | None = None) -> str:
    """A BibTeX file with one entry per paper, in order, with unique citekeys (`keys`, else
    `citekeys(papers)`)."""
    keys = keys if keys is not None else citekeys(papers)
    return "\n".join(_entry_text(m, k) for m, k in zip(papers, keys))
