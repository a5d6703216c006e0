"""doi.org content negotiation (as pubs and habanero's `content_negotiation` ask it): GET
`<endpoint>/<DOI>` with `Accept: application/vnd.citationstyles.csl+json`, answered by the
DOI's registration agency (Crossref, DataCite: arXiv's own `10.48550/arXiv.ID` too) as
CSL-JSON. The protocol is plain HTTP, so the standard library speaks it."""

from __future__ import annotations

import datetime as dt
import json
import re
import urllib.error
import urllib.parse
import urllib.request

from papernotes.notes.remote.failures import http_failure, network_failure, source_failed
from papernotes.notes.remote.names import person
from papernotes.notes.remote.record import DOI, Fetched

ACCEPT = "application/vnd.citationstyles.csl+json"
def _user_agent() -> str:
    from papernotes import __version__

    return f"papernotes/{__version__} (Python urllib; paper notes from identifiers)"


USER_AGENT = _user_agent()


def get_json(source: str, url: str, *, timeout: float, accept: str = "application/json",
             headers: dict | None = None) -> bytes:
    """The body of a GET answered 200, or one line saying why not."""
    req = urllib.request.Request(url, headers={"Accept": accept, "User-Agent": USER_AGENT,
                                               **(headers or {})})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.read()
    except urllib.error.HTTPError as exc:
        raise http_failure(source, url.split("?")[0], exc.code, exc.headers.get("Retry-After")) from None
    except (urllib.error.URLError, OSError) as exc:
        raise network_failure(source, url.split("?")[0], getattr(exc, "reason", exc), timeout) from None


def _text(value) -> str:
    if isinstance(value, list):
        value = value[0] if value else ""
    return re.sub(r"\s+", " ", str(value or "")).strip()


def _year(record: dict) -> int | None:
    for name in ("published-print", "published-online", "issued", "published", "created"):
        parts = (record.get(name) or {}).get("date-parts") or [[None]]
        if parts and parts[0] and isinstance(parts[0][0], int):
            return parts[0][0]
    return None


def _abstract(value: str) -> str:
    """A JATS abstract (`<jats:p>...`) as plain text."""
    text = re.sub(r"<[^>]+>", " ", value or "")
    return re.sub(r"\s+", " ", text).strip()


def fetch_doi(doi: str, *, url: str, timeout: float) -> Fetched:
    raw = get_json(DOI, f"{url}/{urllib.parse.quote(doi, safe='/:;()')}", timeout=timeout,
                   accept=ACCEPT)
    return parse_csl(doi, raw, fetched=dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"))


def parse_csl(doi: str, raw: bytes, *, fetched: str = "") -> Fetched:
    try:
        record = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise source_failed(DOI, f"the answer for {doi} is not CSL-JSON (cut short?)",
                            hint="try again later") from None
    if not isinstance(record, dict) or not record.get("title"):
        raise source_failed(DOI, f"the answer for {doi} has no title", hint="try again later")
    authors = [person(a.get("family", ""), a.get("given", "")) or _text(a.get("literal"))
               for a in record.get("author") or [] if isinstance(a, dict)]
    venue = _text(record.get("container-title")) or _text(record.get("event-title")) \
        or _text((record.get("event") or {}).get("name") if isinstance(record.get("event"), dict)
                 else record.get("event"))
    publisher = _text(record.get("publisher"))
    if not venue and publisher.lower() == "arxiv":
        venue = "arXiv"
    props = {"title": _text(record.get("title")), "authors": [a for a in authors if a],
             "year": _year(record), "venue": venue, "doi": _text(record.get("DOI")) or doi,
             "paper_url": f"https://doi.org/{_text(record.get('DOI')) or doi}"}
    name = "doi/" + urllib.parse.quote(doi.lower(), safe="") + ".json"
    return Fetched(DOI, props, _abstract(record.get("abstract", "")), raw, name, fetched)
