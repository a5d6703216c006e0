"""arXiv through the `arxiv` package (lukasschwab/arxiv.py, as papis uses it): its `Client`
with its query URL pointed at the configured endpoint, one call per id list, arXiv's 3 s
between calls (`delay_seconds`), a timeout on every call, and the raw Atom feed kept."""

from __future__ import annotations

import datetime as dt
import functools
import re

from papernotes.notes.remote.failures import http_failure, network_failure, source_failed
from papernotes.notes.remote.record import ARXIV, Fetched

_CODE = re.compile(r"https?://(?:www\.)?github\.com/[\w.-]+/[\w.-]+")  # "Code at https://github.com/..."
_WITHDRAWN = re.compile(r"\b(this (paper|submission|article) (has been|is) withdrawn|withdrawn by)",
                        re.IGNORECASE)


@functools.lru_cache(maxsize=4)
def _client(url: str, timeout: float, delay: float):
    """One client per endpoint for the process, so that its rate limit holds across calls."""
    import arxiv
    import requests

    class _Session(requests.Session):
        def request(self, *args, **kwargs):
            kwargs.setdefault("timeout", timeout)
            response = super().request(*args, **kwargs)
            self.last = response  # the raw answer, for the provenance
            return response

    client = arxiv.Client(page_size=10, delay_seconds=delay, num_retries=0)
    client.query_url_format = url + "?{}"
    client._session = _Session()  # the package's own session, with a timeout and the raw answer
    return client


def fetch_arxiv(arxiv_id: str, *, url: str, timeout: float, delay: float) -> Fetched:
    """The arXiv record of `arxiv_id` (no version: the latest)."""
    import arxiv
    import requests

    client = _client(url, timeout, delay)
    try:
        results = list(client.results(arxiv.Search(id_list=[arxiv_id], max_results=1)))
    except arxiv.HTTPError as exc:
        last = getattr(client._session, "last", None)
        retry = last.headers.get("Retry-After") if last is not None else None
        raise http_failure(ARXIV, url, exc.status, retry) from None
    except requests.RequestException as exc:
        raise network_failure(ARXIV, url, exc, timeout) from None
    except (ValueError, TypeError, AttributeError):  # the package read a half entry
        raise _malformed(url) from None
    raw = client._session.last.content
    return from_atom(arxiv_id, raw, results, url=url)


def parse_stored(arxiv_id: str, raw: bytes) -> Fetched:
    """A stored Atom answer read again (no network)."""
    from arxiv import _feed

    try:
        results = _feed.parse(raw).results
    except (ValueError, TypeError, AttributeError):
        raise _malformed("the stored answer") from None
    return from_atom(arxiv_id, raw, results, url="the stored answer")


def _malformed(url: str):
    return source_failed(ARXIV, f"the answer from {url} is cut short or not an Atom feed",
                         hint="try again later")


def from_atom(arxiv_id: str, raw: bytes, results: list, *, url: str) -> Fetched:
    if not raw.rstrip().endswith(b"</feed>"):  # lxml recovers a cut feed into a half entry
        raise _malformed(url)
    for r in results:
        if "api/errors" in r.entry_id:
            raise source_failed(ARXIV, f"arXiv refused the id {arxiv_id}: {r.summary.strip()}",
                                hint="check the identifier")
    found = [r for r in results if re.sub(r"v\d+$", "", r.get_short_id()) == arxiv_id]
    if not found:
        raise source_failed(ARXIV, f"no paper {arxiv_id} on arXiv", hint="check the identifier")
    r = found[0]
    abstract = re.sub(r"\s+", " ", r.summary).strip()
    props = {
        "title": re.sub(r"\s+", " ", r.title).strip(),
        "authors": [re.sub(r"\s+", " ", a.name).strip() for a in r.authors],
        "year": r.published.year,
        "venue": re.sub(r"\s+", " ", r.journal_ref).strip() if r.journal_ref else "arXiv",
        "arxiv": arxiv_id,
        "doi": r.doi or None,
        "paper_url": f"https://arxiv.org/abs/{arxiv_id}",
        "pdf_url": f"https://arxiv.org/pdf/{arxiv_id}",
    }
    journal_year = re.findall(r"\b(?:19|20)\d{2}\b", r.journal_ref or "")
    if journal_year:  # the year of the published version the venue names: `(2012)`
        props["year"] = int(journal_year[-1])
    code = _CODE.search(f"{r.comment or ''} {r.summary}")
    if code:
        props["code_url"] = code.group().rstrip(".,;:)")
    if _WITHDRAWN.search(abstract) or _WITHDRAWN.search(r.comment or ""):
        props["withdrawn"] = True
    return Fetched(ARXIV, props, abstract, raw, f"arxiv/{arxiv_id.replace('/', '_')}.xml",
                   dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"))
