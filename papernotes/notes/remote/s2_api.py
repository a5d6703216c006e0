"""Semantic Scholar through the `semanticscholar` package (danielnsilva/semanticscholar): the
paper's published venue (`publicationVenue`, `venue`), its year and DOI. Its retry loop is off
(a 429 is said at once, with the wait); its timeout is the configured one."""

from __future__ import annotations

import datetime as dt
import json

from papernotes.notes.remote.failures import http_failure, network_failure, source_failed
from papernotes.notes.remote.record import S2, Fetched

FIELDS = ["title", "authors", "year", "venue", "publicationVenue", "externalIds", "abstract",
          "url", "publicationTypes", "journal"]
_NOT_FOUND = b'{"error": "not found"}\n'
_PREPRINT_VENUES = {"", "arxiv", "arxiv.org", "corr", "biorxiv", "medrxiv"}


_last_call = [0.0]


def _wait(delay: float) -> None:
    """At most one call per `delay` seconds from this process (`sync --fetch` of many notes)."""
    import time

    left = _last_call[0] + delay - time.monotonic()
    if left > 0:
        time.sleep(left)
    _last_call[0] = time.monotonic()


def fetch_s2(paper_id: str, *, url: str, timeout: float, delay: float = 1.0) -> Fetched:
    """`paper_id` as the Graph API takes it: `arXiv:2002.05709`, `DOI:10.1109/...`. An API key
    in S2_API_KEY is sent (the service's own rate rules are then the key's)."""
    import os

    import httpx
    from semanticscholar import SemanticScholar
    from semanticscholar.SemanticScholarException import (
        GatewayTimeoutException,
        InternalServerErrorException,
        ObjectNotFoundException,
    )

    _wait(delay)
    api = SemanticScholar(timeout=timeout, api_url=url, retry=False,
                          api_key=os.environ.get("S2_API_KEY") or None)
    try:
        paper = _unwrapped(lambda: api.get_paper(paper_id, fields=FIELDS))
    except ObjectNotFoundException:  # an answer too: kept, so that it is not asked again
        return Fetched(S2, {}, "", _NOT_FOUND, _name(paper_id),
                       dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"))
    except ConnectionRefusedError:  # the package's word for 429
        raise http_failure(S2, url, 429) from None
    except (GatewayTimeoutException, InternalServerErrorException):
        raise http_failure(S2, url, 500) from None
    except PermissionError:
        raise http_failure(S2, url, 403) from None
    except httpx.HTTPError as exc:
        raise network_failure(S2, url, exc, timeout) from None
    except (json.JSONDecodeError, KeyError, TypeError, ValueError):
        raise source_failed(S2, f"the answer from {url} is not the Graph API's JSON (cut short?)",
                            hint="try again later") from None
    raw = json.dumps(paper.raw_data, ensure_ascii=False, indent=1).encode()
    return parse_record(paper_id, raw, fetched=dt.datetime.now(dt.timezone.utc).isoformat(
        timespec="seconds"))


def _unwrapped(call):
    """`call()`, with the error tenacity wraps even with retries off (a RetryError around the
    one attempt) raised as itself."""
    from tenacity import RetryError

    try:
        return call()
    except RetryError as exc:
        inner = exc.last_attempt.exception()
        if inner is None:
            raise
        raise inner from None


def parse_record(paper_id: str, raw: bytes, *, fetched: str = "") -> Fetched:
    try:
        record = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise source_failed(S2, f"the record of {paper_id} is not JSON", hint="try again later") from None
    if isinstance(record, dict) and set(record) == {"error"}:  # Semantic Scholar has no such paper
        return Fetched(S2, {}, "", raw, _name(paper_id), fetched)
    if not isinstance(record, dict) or not record.get("paperId") and not record.get("title"):
        raise source_failed(S2, f"no paper {paper_id} in the answer", hint="try again later")
    ext = record.get("externalIds") or {}
    pub = record.get("publicationVenue") or {}
    venue = (pub.get("name") if isinstance(pub, dict) else "") or record.get("venue") or ""
    props: dict = {}
    if venue.strip().lower() not in _PREPRINT_VENUES and (pub.get("type") if isinstance(pub, dict)
                                                          else None) != "repository":
        props["venue"] = venue.strip()
        if record.get("year"):
            props["year"] = int(record["year"])
    doi = ext.get("DOI") or ""
    if doi and not doi.lower().startswith("10.48550/"):
        props["doi"] = doi
    if ext.get("ArXiv"):
        props["arxiv"] = ext["ArXiv"]
    props["title"] = (record.get("title") or "").strip()
    props["authors"] = [a.get("name", "").strip() for a in record.get("authors") or []
                        if isinstance(a, dict) and a.get("name")]
    return Fetched(S2, props, (record.get("abstract") or "").strip(), raw, _name(paper_id), fetched)


def _name(paper_id: str) -> str:
    return "s2/" + paper_id.replace("/", "_").replace(":", "_") + ".json"
