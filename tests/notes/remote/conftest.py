"""Sources served by a real HTTP server on loopback (pytest-httpserver), the endpoints pointed
at it through the environment variables a user behind a mirror would set."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

ANSWERS = Path(__file__).parent / "answers"


def answer(name: str) -> bytes:
    return (ANSWERS / name).read_bytes()


@pytest.fixture
def sources(httpserver, monkeypatch):
    """The test server as arXiv (/arxiv), doi.org (/doi), Semantic Scholar (/s2) and Zotero
    (/zotero); no delay between arXiv calls, a short timeout."""
    from papernotes.notes.remote.arxiv_api import _client

    _client.cache_clear()
    for name in ("arxiv", "doi", "s2", "zotero"):
        monkeypatch.setenv(f"PAPERNOTES_{name.upper()}_URL", httpserver.url_for(f"/{name}"))
    return httpserver


@pytest.fixture
def fast_ws(ws_dir):
    """The workspace with a short timeout and no wait between arXiv calls."""
    cfg = ws_dir / "papernotes.yaml"
    cfg.write_text(cfg.read_text() + "sources:\n  timeout_s: 2\n  arxiv_delay_s: 0\n  s2_delay_s: 0\n")
    return ws_dir


@pytest.fixture
def cli(monkeypatch, tmp_path):
    from papernotes.cli import console as console_mod
    from papernotes.cli.app import app

    monkeypatch.setattr(console_mod.console, "width", 240)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    runner = CliRunner()
    return lambda *args: runner.invoke(app, list(args))


def serve_arxiv(server, arxiv_id: str, body: bytes, status: int = 200, headers=None) -> None:
    server.expect_request("/arxiv", query_string={"search_query": "", "id_list": arxiv_id,
                                                  "sortBy": "relevance", "sortOrder": "descending",
                                                  "start": "0", "max_results": "10"}
                          ).respond_with_data(body, status=status, headers=headers,
                                              content_type="application/atom+xml")


def serve_s2(server, paper_id: str, body: bytes | None, status: int = 200, headers=None) -> None:
    if body is None:
        body = b'{"error": "Paper with id ' + paper_id.encode() + b' not found"}'
        status = 404
    server.expect_request(f"/s2/graph/v1/paper/{paper_id}").respond_with_data(
        body, status=status, headers=headers, content_type="application/json")
