"""Citekeys in Better BibTeX's default form, `auth.lower + shorttitle(3,3) + year`
(retorquere/zotero-better-bibtex, `Citation keys` in its manual): the first author's family
name in lower case, the first three words of the title that are not function words, each
capitalised, and the year: `chenSimpleFrameworkContrastive2020`. Letters are folded to ASCII
as BBT does (`Müller` -> `muller`); a name with no Latin letters (`刘`) is kept as written."""

from __future__ import annotations

import re
import unicodedata

# Better BibTeX's skip words (the ones it drops from `shorttitle`), the common English ones
SKIP_WORDS = frozenset("""a ab aboard about above across after against al along amid among an and
anti around as at before behind below beneath beside besides between beyond but by d da das de del
dell dello dei degli della dells delle dem den der des despite die do down du during ein eine einem
einen einer eines el en et except for from gli i il in inside into is l la las le les like lo los
near nor of off on onto or over past per plus round save since so some sur than the through to
toward towards un una unas under underneath une unlike uno unos until up upon versus via von while
with within without yet zu zum""".split())


def _fold(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    folded = re.sub(r"[^A-Za-z0-9]", "", folded)
    return folded or re.sub(r"[\W_]", "", text)


def family_name(name: str) -> str:
    parts = name.split()
    if not parts:
        return ""
    cjk = re.search(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]", name)
    return parts[0] if cjk else parts[-1]


def short_title(title: str, words: int = 3) -> str:
    out = []
    for word in re.split(r"[\s\-:;,.!?/()\[\]{}\"'`]+", title):
        w = _fold(word)
        if not w or word.lower() in SKIP_WORDS or w.lower() in SKIP_WORDS:
            continue
        out.append(w[:1].upper() + w[1:])
        if len(out) == words:
            break
    return "".join(out)


def bbt_citekey(authors: list[str], title: str, year: int | None) -> str:
    auth = _fold(family_name(authors[0])).lower() if authors else ""
    return f"{auth}{short_title(title)}{year or ''}" or "anon"


def unique(key: str, taken: set[str]) -> str:
    """`key`, or BBT's disambiguation: `key` + a, b, ... z, aa, ..."""
    if key not in taken:
        return key
    n = 0
    while True:
        n += 1
        suffix, m = "", n
        while m:
            m, r = divmod(m - 1, 26)
            suffix = chr(97 + r) + suffix
        if key + suffix not in taken:
            return key + suffix
