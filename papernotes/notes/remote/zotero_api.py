"""Zotero, read-only, through Better BibTeX's JSON-RPC on the local Zotero
(`POST <endpoint>/better-bibtex/json-rpc`, method `item.export` with the `Better CSL JSON`
translator: the item as CSL-JSON with its `citation-key`). Standard library HTTP: pyzotero, the
other client the issue names, pins bibtexparser < 2, which papernotes cannot take."""

from __future__ import annotations

import datetime as dt
import json
import re
import urllib.error
import urllib.parse
import urllib.request

from papernotes.notes.remote.failures import http_failure, network_failure, source_failed
from papernotes.notes.remote.names import person
from papernotes.notes.remote.record import ZOTERO, Fetched

_ARXIV = re.compile(r"(?:arxiv\.org/(?:abs|pdf)/|arxiv:\s*)(\d{4}\.\d{4,5}|[a-z\-]+(?:\.[A-Z]{2})?/\d{7})",
                    re.I)
HINT = "is Zotero running with Better BibTeX? Set its address with PAPERNOTES_ZOTERO_URL"


def zotero_name(citekey: str) -> str:
    return "zotero/" + urllib.parse.quote(citekey, safe="") + ".json"


def fetch_zotero(citekey: str, *, url: str, timeout: float) -> Fetched:
    endpoint = f"{url}/better-bibtex/json-rpc"
    body = json.dumps({"jsonrpc": "2.0", "method": "item.export", "id": 1,
                       "params": [[citekey], "Better CSL JSON"]}).encode()
    req = urllib.request.Request(endpoint, data=body, method="POST", headers={
        "Content-Type": "application/json", "Accept": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            raw = resp.read()
    except urllib.error.HTTPError as exc:
        raise http_failure(ZOTERO, endpoint, exc.code, exc.headers.get("Retry-After")) from None
    except (urllib.error.URLError, OSError) as exc:
        err = network_failure(ZOTERO, endpoint, getattr(exc, "reason", exc), timeout)
        raise source_failed(ZOTERO, err.message, hint=HINT) from None
    return parse_rpc(citekey, raw, fetched=dt.datetime.now(dt.timezone.utc).isoformat(
        timespec="seconds"))


def parse_rpc(citekey: str, raw: bytes, *, fetched: str = "") -> Fetched:
    from papernotes.notes.remote.doi_api import _abstract, _text, _year

    try:
        answer = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise source_failed(ZOTERO, "Better BibTeX's answer is not JSON (cut short?)",
                            hint=HINT) from None
    if not isinstance(answer, dict):
        raise source_failed(ZOTERO, "Better BibTeX's answer is not JSON-RPC", hint=HINT)
    if answer.get("error"):
        message = str((answer["error"] or {}).get("message", answer["error"]))
        raise source_failed(ZOTERO, f"no item with citekey {citekey!r} ({message})",
                            hint="check the citekey in Zotero (Better BibTeX shows it on the item)")
    result = answer.get("result")
    if isinstance(result, list) and result and isinstance(result[-1], str):
        result = result[-1]  # older Better BibTeX: [status, content type, body]
    try:
        items = json.loads(result) if isinstance(result, str) else result
    except json.JSONDecodeError:
        raise source_failed(ZOTERO, "Better BibTeX's export is not CSL-JSON", hint=HINT) from None
    items = [i for i in items or [] if isinstance(i, dict)]
    item = next((i for i in items if i.get("citation-key") == citekey or i.get("id") == citekey),
                items[0] if len(items) == 1 else None)
    if item is None:
        raise source_failed(ZOTERO, f"no item with citekey {citekey!r}",
                            hint="check the citekey in Zotero (Better BibTeX shows it on the item)")
    authors = [person(a.get("family", ""), a.get("given", "")) or _text(a.get("literal"))
               for a in item.get("author") or [] if isinstance(a, dict)]
    found = _ARXIV.search(" ".join(str(item.get(k, "")) for k in ("URL", "number", "note", "DOI")))
    doi = _text(item.get("DOI"))
    props = {"title": _text(item.get("title")), "authors": [a for a in authors if a],
             "year": _year(item), "venue": _text(item.get("container-title")) or
             _text(item.get("event-title")), "doi": doi or None, "citekey": citekey,
             "arxiv": found.group(1) if found else None, "paper_url": _text(item.get("URL"))}
    return Fetched(ZOTERO, props, _abstract(item.get("abstract", "")), raw, zotero_name(citekey),
                   fetched)
