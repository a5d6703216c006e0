"""OpenReview forum URLs (`https://openreview.net/forum?id=...`): the submission from the
OpenReview API (`GET <endpoint>/notes?id=ID`; API 2 wraps each field as `{"value": ...}`,
API 1 gives it bare; both read). Its `venue` (`ICLR 2021 Oral`) is the published venue, the
presentation kind left out."""

from __future__ import annotations

import datetime as dt
import json
import re
import urllib.parse

from papernotes.notes.remote.failures import source_failed
from papernotes.notes.remote.record import OPENREVIEW, Fetched

_KIND = re.compile(r"\s+(oral|poster|spotlight|notable[- ]top[- ]\d+%|notable[- ]top[- ]\d+)$", re.I)


def openreview_name(forum: str) -> str:
    return "openreview/" + urllib.parse.quote(forum, safe="") + ".json"


def fetch_openreview(forum: str, *, url: str, timeout: float) -> Fetched:
    from papernotes.notes.remote.doi_api import get_json

    raw = get_json(OPENREVIEW, f"{url}/notes?id={urllib.parse.quote(forum)}", timeout=timeout)
    return parse_notes(forum, raw, fetched=dt.datetime.now(dt.timezone.utc).isoformat(
        timespec="seconds"))


def _value(content: dict, name: str):
    v = content.get(name)
    return v.get("value") if isinstance(v, dict) else v


def parse_notes(forum: str, raw: bytes, *, fetched: str = "") -> Fetched:
    try:
        answer = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise source_failed(OPENREVIEW, f"the answer for {forum} is not JSON (cut short?)",
                            hint="try again later") from None
    notes = answer.get("notes") if isinstance(answer, dict) else None
    if not notes or not isinstance(notes[0], dict):
        raise source_failed(OPENREVIEW, f"no submission {forum} on OpenReview",
                            hint="check the forum URL")
    note = notes[0]
    content = note.get("content") or {}
    venue = re.sub(r"\s+", " ", str(_value(content, "venue") or "")).strip()
    if venue.lower().startswith(("submitted to", "under review")):
        venue = ""
    venue = _KIND.sub("", venue)
    year = None
    if m := re.search(r"\b(19|20)\d{2}\b", venue):
        year = int(m.group())
    else:
        stamp = note.get("pdate") or note.get("cdate") or note.get("tcdate")
        if isinstance(stamp, (int, float)):
            year = dt.datetime.fromtimestamp(stamp / 1000, dt.timezone.utc).year
    pdf = str(_value(content, "pdf") or "")
    props = {"title": re.sub(r"\s+", " ", str(_value(content, "title") or "")).strip(),
             "authors": [str(a).strip() for a in _value(content, "authors") or [] if str(a).strip()],
             "year": year, "venue": venue,
             "paper_url": f"https://openreview.net/forum?id={forum}",
             "pdf_url": f"https://openreview.net{pdf}" if pdf.startswith("/") else pdf}
    code = str(_value(content, "code") or "")
    if code.startswith("http"):
        props["code_url"] = code
    return Fetched(OPENREVIEW, props, re.sub(r"\s+", " ", str(_value(content, "abstract") or "")).strip(),
                   raw, openreview_name(forum), fetched)
