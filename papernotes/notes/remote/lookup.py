"""Asking the sources for one paper: each answer from `.papernotes/sources/` when it is there
(unless `fetch`), else from the service, and a stored answer when the service fails.

arXiv ids ask arXiv (title, authors, abstract, journal_ref, DOI) and then Semantic Scholar for
the published venue (a failure there is a warning: the note is made with arXiv's venue and
`papernotes sync --fetch` fills it later); DOIs ask doi.org; Zotero citekeys ask the local
Zotero (`zotero_api.py`).
"""

from __future__ import annotations

import urllib.parse
from pathlib import Path
from typing import Callable

from papernotes.core.errors import PapernotesError
from papernotes.core.notices import warn
from papernotes.notes.remote.ids import PaperId
from papernotes.notes.remote.record import Fetched, Merged, merge
from papernotes.notes.remote.store import FOLDER, load_answer

FOLDER_SHOWN = FOLDER.as_posix()


def arxiv_name(arxiv_id: str) -> str:
    return f"arxiv/{arxiv_id.replace('/', '_')}.xml"


def doi_name(doi: str) -> str:
    return "doi/" + urllib.parse.quote(doi.lower(), safe="") + ".json"


def s2_name(paper_id: str) -> str:
    return "s2/" + paper_id.replace("/", "_").replace(":", "_") + ".json"


def _answer(root: Path, raw_name: str, ask: Callable[[], Fetched],
            parse: Callable[[bytes, str], Fetched], *, fetch: bool | None) -> Fetched:
    """`fetch`: True asks the service, None asks it only without a stored answer, False
    never asks (no stored answer is then an error)."""
    stored = load_answer(root, raw_name)
    if stored is None and fetch is False:
        raise PapernotesError(f"no stored answer {FOLDER_SHOWN}/{raw_name}", field="sources",
                              hint="`papernotes sync --fetch` asks the sources")
    if stored is not None and not fetch:
        answer = parse(*stored)
        return Fetched(answer.source, answer.props, answer.abstract, answer.raw, raw_name,
                       answer.fetched, cached=True)
    try:
        return ask()
    except PapernotesError as exc:
        if stored is None:
            raise
        answer = parse(*stored)
        warn(f"{exc.message}; using the answer stored on {stored[1][:10] or 'an earlier day'}",
             field=exc.field)
        return Fetched(answer.source, answer.props, answer.abstract, answer.raw, raw_name,
                       answer.fetched, cached=True)


def ask_arxiv(root: Path, arxiv_id: str, sources, *, fetch: bool | None) -> Fetched:
    from papernotes.notes.remote import arxiv_api

    def parse(raw: bytes, when: str) -> Fetched:
        a = arxiv_api.parse_stored(arxiv_id, raw)
        return Fetched(a.source, a.props, a.abstract, a.raw, a.raw_name, when)

    return _answer(root, arxiv_name(arxiv_id), lambda: arxiv_api.fetch_arxiv(
        arxiv_id, url=sources.url("arxiv"), timeout=sources.timeout_s,
        delay=sources.arxiv_delay_s), parse, fetch=fetch)


def ask_doi(root: Path, doi: str, sources, *, fetch: bool | None) -> Fetched:
    from papernotes.notes.remote import doi_api

    return _answer(root, doi_name(doi), lambda: doi_api.fetch_doi(
        doi, url=sources.url("doi"), timeout=sources.timeout_s),
        lambda raw, when: doi_api.parse_csl(doi, raw, fetched=when), fetch=fetch)


def ask_s2(root: Path, paper_id: str, sources, *, fetch: bool | None) -> Fetched | None:
    """Semantic Scholar's record, or None (said in a warning) when it cannot be had."""
    from papernotes.notes.remote import s2_api

    try:
        return _answer(root, s2_name(paper_id), lambda: s2_api.fetch_s2(
            paper_id, url=sources.url("s2"), timeout=sources.timeout_s, delay=sources.s2_delay_s),
            lambda raw, when: s2_api.parse_record(paper_id, raw, fetched=when), fetch=fetch)
    except PapernotesError as exc:
        if fetch is False:
            return None  # never asked: nothing to say
        warn(f"{exc.message}; the published venue is left as the preprint's",
             field=exc.field, hint="`papernotes sync --fetch` asks again later")
        return None


def lookup(root: Path, pid: PaperId, sources, *, fetch: bool | None = None) -> Merged:
    """Every source's answer about `pid`, merged (`record.merge`); `fetch` as in `_answer`."""
    if pid.kind == "arxiv":
        answers = [ask_arxiv(root, pid.value, sources, fetch=fetch)]
        s2 = ask_s2(root, f"arXiv:{pid.value}", sources, fetch=fetch)
        answers += [s2] if s2 is not None else []
        return merge(answers)
    if pid.kind == "doi":
        return merge([ask_doi(root, pid.value, sources, fetch=fetch)])
    if pid.kind == "zotero":
        from papernotes.notes.remote import zotero_api as z

        citekey = pid.value
        return merge([_answer(root, z.zotero_name(citekey), lambda: z.fetch_zotero(
            citekey, url=sources.url("zotero"), timeout=sources.timeout_s),
            lambda raw, when: z.parse_rpc(citekey, raw, fetched=when), fetch=fetch)])
    if pid.kind == "openreview":
        from papernotes.notes.remote import openreview_api

        return merge([_answer(root, openreview_api.openreview_name(pid.value),
                              lambda: openreview_api.fetch_openreview(
                                  pid.value, url=sources.url("openreview"), timeout=sources.timeout_s),
                              lambda raw, when: openreview_api.parse_notes(pid.value, raw, fetched=when),
                              fetch=fetch)])
    raise PapernotesError(f"{pid.kind} identifiers are not read yet", field="new",
                          hint="give the paper's arXiv id or DOI, or use --title")
