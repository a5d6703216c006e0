"""A source that did not answer, in one line: which source, what happened, what to do."""

from __future__ import annotations

from papernotes.core.errors import PapernotesError

OFFLINE_HINT = "`papernotes new --title \"...\"` makes a blank note without the network"


def source_failed(source: str, what: str, *, hint: str = OFFLINE_HINT) -> PapernotesError:
    return PapernotesError(what, field=source, hint=hint)


def http_failure(source: str, url: str, status: int, retry_after: str | None = None) -> PapernotesError:
    if status == 404:
        return source_failed(source, f"no such paper ({url} answered 404)",
                             hint="check the identifier")
    if status == 429:
        wait = f" in {retry_after} s" if retry_after else " later"
        return source_failed(source, f"too many requests ({url} answered 429)",
                             hint=f"try again{wait}; a stored answer is used when there is one")
    return source_failed(source, f"{url} answered HTTP {status}")


def network_failure(source: str, url: str, exc: BaseException, timeout: float) -> PapernotesError:
    text = str(exc).lower()
    if "timed out" in text or "timeout" in type(exc).__name__.lower() or "timeout" in text:
        what = f"no answer from {url} within {timeout:g} s"
    else:
        what = f"cannot reach {url} (offline? {type(exc).__name__})"
    return source_failed(source, what, hint="check the network, or set the endpoint with "
                         f"PAPERNOTES_{_ENV[source]}_URL or `sources:` in papernotes.yaml; "
                         + OFFLINE_HINT)


_ENV = {"arXiv": "ARXIV", "doi.org": "DOI", "Semantic Scholar": "S2", "Zotero": "ZOTERO",
        "OpenReview": "OPENREVIEW"}
